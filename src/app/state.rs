//! Everything the screen shows, as plain data: drawing reads it, only
//! [`super::update`] changes it.

use std::collections::{BTreeSet, HashMap};

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{Filter, Form, SessionItem, Snapshot, TrackRecord, Trust};
use crate::identity::PublicKey;
use crate::market::{Phase, Role};
use crate::node::RelayStatus;
use crate::node::record::Stage;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Discover,
    Sessions,
    Listings,
    Portfolio,
    Network,
    Communities,
}

impl Tab {
    pub const ALL: [Tab; 6] =
        [Tab::Discover, Tab::Sessions, Tab::Listings, Tab::Portfolio, Tab::Network, Tab::Communities];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Discover => "Discover",
            Tab::Sessions => "Sessions",
            Tab::Listings => "My listings",
            Tab::Portfolio => "Portfolio",
            Tab::Network => "Network",
            Tab::Communities => "Communities",
        }
    }

    /// The title when the terminal is narrow.
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Listings => "Mine",
            Tab::Portfolio => "Record",
            Tab::Communities => "Groups",
            other => other.title(),
        }
    }

    pub fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    Normal,
    /// Typing into Discover's search.
    Search,
    /// Every key; scrolled this far down.
    Help(u16),
    Form(Box<Form>),
    /// A question before signing or blocking.
    Confirm(Box<super::Confirm>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct NetworkView {
    pub relays: RelayStatus,
    /// Whether peers on the local network are found over mDNS.
    pub lan_discovery: bool,
    pub neighbors: BTreeSet<PublicKey>,
    pub ticket: String,
    pub communities: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// Where a session sits in the inbox, most urgent first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SessionGroup {
    NeedsYou,
    Waiting,
    Upcoming,
    ToEndorse,
    Past,
}

impl SessionGroup {
    pub fn title(self) -> &'static str {
        match self {
            SessionGroup::NeedsYou => "Needs your answer",
            SessionGroup::Waiting => "Waiting for them",
            SessionGroup::Upcoming => "Upcoming",
            SessionGroup::ToEndorse => "To endorse",
            SessionGroup::Past => "Past",
        }
    }

    pub fn of(item: &SessionItem, me: &PublicKey, now: Timestamp) -> Self {
        let n = &item.negotiation;
        let mine = n.role_of(me);
        match &n.phase {
            Phase::Proposed { .. } | Phase::Rescheduling { .. } if n.awaiting() == mine => SessionGroup::NeedsYou,
            Phase::Proposed { .. } | Phase::Rescheduling { .. } => SessionGroup::Waiting,
            Phase::Agreed if n.agreed.as_ref().is_some_and(|t| t.start <= now) => SessionGroup::NeedsYou,
            Phase::Agreed => SessionGroup::Upcoming,
            Phase::InProgress { .. } if n.agreed.as_ref().is_some_and(|t| t.end() <= now) => SessionGroup::NeedsYou,
            Phase::InProgress { .. } => SessionGroup::Upcoming,
            Phase::Completed { .. } => match item.stage() {
                Some(Stage::Endorsed) => SessionGroup::Past,
                Some(Stage::GiveYourPart | Stage::Approve(_)) => SessionGroup::ToEndorse,
                _ => SessionGroup::Waiting,
            },
            _ => SessionGroup::Past,
        }
    }
}

/// A session's row label: what is true of it now, in a few words.
pub fn session_label(item: &SessionItem, me: &PublicKey, now: Timestamp) -> &'static str {
    let n = &item.negotiation;
    match (&n.phase, SessionGroup::of(item, me, now)) {
        (Phase::Agreed, SessionGroup::NeedsYou) => "Time to start",
        (Phase::InProgress { .. }, SessionGroup::NeedsYou) => "Time to complete",
        (Phase::InProgress { .. }, _) => "In progress",
        (Phase::Completed { .. }, _) => match item.stage() {
            Some(Stage::Approve(_)) => "Read and sign",
            Some(Stage::GiveYourPart) => "To endorse",
            Some(Stage::Endorsed) => "Endorsed",
            _ => "Waiting for them",
        },
        (_, group) => group.title(),
    }
}

/// What the next step on a session is, in words, for the detail pane.
pub fn next_step(item: &SessionItem, me: &PublicKey, now: Timestamp) -> String {
    let n = &item.negotiation;
    let learner = n.role_of(me) == Some(Role::Learner);
    let declined = item.progress.as_ref().and_then(|p| p.declined.as_deref()).map(crate::text::escape);
    let words = match (&n.phase, SessionGroup::of(item, me, now)) {
        (Phase::Proposed { .. } | Phase::Rescheduling { .. }, SessionGroup::NeedsYou) => "accept, counter or decline",
        (Phase::Proposed { .. } | Phase::Rescheduling { .. }, _) => "waiting for their answer",
        (Phase::Agreed, SessionGroup::NeedsYou) => "it is time: start the session",
        (Phase::Agreed, _) => "agreed; start it when the time comes, or reschedule",
        (Phase::InProgress { .. }, SessionGroup::NeedsYou) => "the time is up: complete it",
        (Phase::InProgress { .. }, _) => "in progress",
        (Phase::Completed { .. }, _) => match (item.stage(), learner) {
            (Some(Stage::GiveYourPart), true) => "endorse: rate the session and say a few words",
            (Some(Stage::GiveYourPart), false) => match declined {
                Some(why) => return format!("they declined the record (\"{why}\"): revise your part"),
                None => "endorse: say what was covered and what they showed",
            },
            (Some(Stage::Approve(_)), true) => "read the record: sign it, or decline it with a reason",
            (Some(Stage::Approve(_)), false) => match declined {
                Some(why) => {
                    return format!("they declined (\"{why}\"): revise your part, or read and sign it as it is");
                }
                None => "read the record, then sign it and send it",
            },
            (Some(Stage::WaitingForTheirPart), true) if declined.is_some() => {
                "you declined; waiting for their revision"
            }
            (Some(Stage::WaitingForTheirPart), true) => "waiting for their part of the record",
            (Some(Stage::WaitingForTheirPart), false) => "waiting for their review",
            (Some(Stage::WaitingForTheirSignature), _) => "you signed; waiting for their signature",
            (Some(Stage::Endorsed), _) => "endorsed by both: in your portfolio",
            (Some(Stage::NotCompleted) | None, _) => "completed",
        },
        _ => "closed",
    };
    words.to_owned()
}

/// Which item a row shows, whatever its place in the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowKey {
    Listing(PublicKey, crate::market::ListingId),
    Session(crate::market::NegotiationId),
    Own(crate::market::ListingId),
    Endorsement(String),
    Peer(PublicKey),
    Community(crate::community::CommunityId),
}

#[derive(Clone, Debug)]
pub struct AppState {
    pub snapshot: Snapshot,
    pub tab: Tab,
    pub mode: Mode,
    pub filter: Filter,
    /// Discover's listings after the filter, as indexes into the snapshot.
    pub visible: Vec<usize>,
    /// Sessions in inbox order, as indexes into the snapshot.
    pub session_order: Vec<usize>,
    /// The selected row, per tab.
    pub selected: [usize; 6],
    /// What the selected row is, per tab: a re-sort or a reload keeps the
    /// selection on the same item, not on the same row number.
    pub selected_items: [Option<RowKey>; 6],
    pub network: NetworkView,
    pub notice: Option<Notice>,
    pub now: Timestamp,
    pub tz: TimeZone,
    pub track_records: HashMap<PublicKey, Result<TrackRecord, String>>,
    /// Trust as the viewer sees it, and the pinned peers it starts from.
    pub trust: Trust,
    /// Fresh verification of endorsements, by id: (line, passed).
    pub inspections: HashMap<String, Vec<(String, bool)>>,
    /// How far the Communities tab's page is scrolled (page keys).
    pub page_scroll: u16,
    /// A hub's ticket the ask-a-hub form starts with (the demo's library).
    pub hub_hint: Option<String>,
    /// The demo's shared clock can be moved forward.
    pub demo: bool,
    pub quit: bool,
    /// Something changed since the last frame.
    pub dirty: bool,
}

impl AppState {
    pub fn new(snapshot: Snapshot, network: NetworkView, now: Timestamp, tz: TimeZone, demo: bool) -> Self {
        let mut state = Self {
            snapshot,
            tab: Tab::Discover,
            mode: Mode::Normal,
            filter: Filter::default(),
            visible: Vec::new(),
            session_order: Vec::new(),
            selected: [0; 6],
            selected_items: Default::default(),
            network,
            notice: None,
            now,
            tz,
            track_records: HashMap::new(),
            trust: Trust::default(),
            inspections: HashMap::new(),
            page_scroll: 0,
            hub_hint: None,
            demo,
            quit: false,
            dirty: true,
        };
        state.refilter();
        state.explain_selected();
        state
    }

    pub fn me(&self) -> PublicKey {
        self.snapshot.me
    }

    /// Recomputes Discover's rows and the sessions' order.
    pub fn refilter(&mut self) {
        self.visible = self.filter.apply(&self.snapshot.listings, &self.track_records);
        let (me, now) = (self.snapshot.me, self.now);
        let mut order: Vec<usize> = (0..self.snapshot.sessions.len()).collect();
        order.sort_by_key(|&i| SessionGroup::of(&self.snapshot.sessions[i], &me, now));
        self.session_order = order;
        for tab in Tab::ALL {
            let remembered = self.selected_items[tab.index()].clone();
            if let Some(row) = remembered.and_then(|key| self.row_of(tab, &key)) {
                self.selected[tab.index()] = row;
            }
            let len = self.rows(tab);
            let selected = &mut self.selected[tab.index()];
            *selected = (*selected).min(len.saturating_sub(1));
        }
        self.remember_selection();
    }

    /// Notes which item each tab's selected row shows (see
    /// [`Self::selected_items`]); called before anything changes.
    pub fn remember_selection(&mut self) {
        for tab in Tab::ALL {
            self.selected_items[tab.index()] = self.key_at(tab, self.selected[tab.index()]);
        }
    }

    fn key_at(&self, tab: Tab, row: usize) -> Option<RowKey> {
        let s = &self.snapshot;
        Some(match tab {
            Tab::Discover => {
                let item = s.listings.get(*self.visible.get(row)?)?;
                RowKey::Listing(item.author, item.listing.id)
            }
            Tab::Sessions => RowKey::Session(s.sessions.get(*self.session_order.get(row)?)?.negotiation.id),
            Tab::Listings => RowKey::Own(s.own.iter().chain(&s.paused).nth(row)?.id),
            Tab::Portfolio => RowKey::Endorsement(s.endorsements.get(row)?.id.clone()),
            Tab::Network => RowKey::Peer(s.peers.get(row)?.key),
            Tab::Communities => RowKey::Community(s.communities.get(row)?.id),
        })
    }

    fn row_of(&self, tab: Tab, key: &RowKey) -> Option<usize> {
        let s = &self.snapshot;
        match (tab, key) {
            (Tab::Discover, RowKey::Listing(author, id)) => self
                .visible
                .iter()
                .position(|&i| s.listings.get(i).is_some_and(|l| l.author == *author && l.listing.id == *id)),
            (Tab::Sessions, RowKey::Session(id)) => {
                self.session_order.iter().position(|&i| s.sessions.get(i).is_some_and(|x| x.negotiation.id == *id))
            }
            (Tab::Listings, RowKey::Own(id)) => s.own.iter().chain(&s.paused).position(|l| l.id == *id),
            (Tab::Portfolio, RowKey::Endorsement(id)) => s.endorsements.iter().position(|e| e.id == *id),
            (Tab::Network, RowKey::Peer(key)) => s.peers.iter().position(|p| p.key == *key),
            (Tab::Communities, RowKey::Community(id)) => s.communities.iter().position(|c| c.id == *id),
            _ => None,
        }
    }

    /// How many rows a tab's list has.
    pub fn rows(&self, tab: Tab) -> usize {
        match tab {
            Tab::Discover => self.visible.len(),
            Tab::Sessions => self.session_order.len(),
            Tab::Listings => self.snapshot.own.len() + self.snapshot.paused.len(),
            Tab::Portfolio => self.snapshot.endorsements.len(),
            Tab::Network => self.snapshot.peers.len(),
            Tab::Communities => self.snapshot.communities.len(),
        }
    }

    pub fn selected_listing(&self) -> Option<&super::ListingItem> {
        let i = *self.visible.get(self.selected[Tab::Discover.index()])?;
        self.snapshot.listings.get(i)
    }

    /// The selected own listing, and whether it is paused.
    pub fn selected_own(&self) -> Option<(&crate::market::Listing, bool)> {
        let i = self.selected[Tab::Listings.index()];
        let own = &self.snapshot.own;
        match own.get(i) {
            Some(listing) => Some((listing, false)),
            None => self.snapshot.paused.get(i - own.len()).map(|l| (l, true)),
        }
    }

    pub fn selected_session(&self) -> Option<&SessionItem> {
        let i = *self.session_order.get(self.selected[Tab::Sessions.index()])?;
        self.snapshot.sessions.get(i)
    }

    /// How many sessions wait for this user: shown on the tab.
    pub fn needing_you(&self) -> usize {
        let (me, now) = (self.snapshot.me, self.now);
        self.snapshot
            .sessions
            .iter()
            .filter(|s| matches!(SessionGroup::of(s, &me, now), SessionGroup::NeedsYou | SessionGroup::ToEndorse))
            .count()
    }

    pub fn say(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: one_line(text.into()), error: false });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.notice = Some(Notice { text: one_line(text.into()), error: true });
    }
}

/// A notice is one line (it wraps on screen): an error of several lines
/// (toml's, say) has its lines joined.
fn one_line(text: String) -> String {
    if !text.contains('\n') {
        return text;
    }
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}
