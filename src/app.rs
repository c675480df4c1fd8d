//! The terminal client's logic, without a terminal: what is on screen
//! ([`AppState`]), what the user or the network did ([`Action`]), and the
//! pure [`update`] that turns one into the other plus, at most, one
//! [`Effect`] for the node to carry out. Tests drive it without a terminal.

mod action;
mod confirm;
mod effect;
mod filter;
mod fit;
mod form;
pub mod snapshot;
mod state;
mod trust;
mod update;
mod when;

pub use action::Action;
pub use confirm::{Confirm, record_fields};
pub use effect::{Effect, Founding, Onboarding};
pub use filter::{Filter, KindFilter, Place, PriceFilter, Records, next_level, next_min_rating};
pub use fit::Fit;
pub use form::{Field, FieldKind, Form, FormKind, local_text, parse_local};
pub use snapshot::{ListingItem, SessionItem, Snapshot, TrackRecord, chat_waiting};
pub use state::{AppState, Mode, NetworkView, Notice, SessionGroup, Tab, next_step, session_label};
pub use trust::{Explained, Trust};
pub use update::update;
pub use when::{at_local, explain, human_duration};
