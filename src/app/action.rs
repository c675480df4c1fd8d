//! Everything that can happen to the client: keys already mapped to
//! intents, data loaded from the store, and news from the node.

use jiff::Timestamp;

use super::Snapshot;
use super::snapshot::TrackRecord;
use crate::identity::PublicKey;
use crate::node::RelayStatus;

#[derive(Debug)]
pub enum Action {
    Quit,
    NextTab,
    PrevTab,
    /// Jump to a tab by its number (1-based).
    GoTab(usize),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter: open the selection, or submit the form.
    Open,
    /// Esc: close what is open, clear the search.
    Back,
    Help,
    Search,
    /// Cycle the kind filter (all, offers, requests).
    CycleKind,
    /// Cycle the price filter (any, free, credits, money).
    CyclePrice,
    /// Cycle the level filter (any, beginner, intermediate, advanced).
    CycleLevel,
    /// Cycle the language filter through the languages authors speak.
    CycleLanguage,
    /// Toggle: only listings whose weekly times overlap your own listings'.
    ToggleOverlap,
    /// Cycle the minimum rating of authors (none, 3, 4, 4.5).
    CycleRating,
    /// Cycle where listings come from: everywhere, the open directory,
    /// each community joined.
    CyclePlace,
    /// Show (or hide again) what maintainers' notes hide.
    ToggleHidden,
    /// Ask a hub to validate a path (Communities).
    AskHub,
    New,
    Edit,
    Delete,
    /// Pause an own listing, or resume a paused one.
    Pause,
    Propose,
    Accept,
    Decline,
    Counter,
    Cancel,
    Start,
    Complete,
    Chat,
    Endorse,
    Connect,
    Block,
    /// Pin a peer (trust walks start at them too), or unpin them.
    Pin,
    /// Join the selected community, or leave it.
    Join,
    Export,
    /// Demo only: move the shared clock to the next session moment.
    FastForward,
    /// Text typed into whatever input has focus.
    Input(char),
    Paste(String),
    Backspace,
    /// Tab inside a form: the next field.
    NextField,
    PrevField,
    /// Left/right inside a choice field.
    ChoiceLeft,
    ChoiceRight,
    /// Fresh data from the store.
    Loaded(Box<Snapshot>),
    /// A peer's verified track record arrived (or could not be fetched).
    TrackRecord(PublicKey, Result<TrackRecord, String>),
    /// An endorsement verified again: one line per proof, then the verdict.
    Inspected(String, Vec<(String, bool)>),
    NeighborUp(PublicKey),
    NeighborDown(PublicKey),
    Relays(RelayStatus),
    /// A negotiation as it stands after this side's step, ahead of the
    /// next full reload, so the next key acts on it.
    Negotiation(Box<crate::market::Negotiation>),
    /// The node finished an effect: a message for the status line.
    Done(Result<String, String>),
    /// The clock moved (once a second); redraws only when the minute changes.
    Tick(Timestamp),
    Resize,
}
