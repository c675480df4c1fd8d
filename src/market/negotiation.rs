//! Agreeing on one session, as a pure state machine:
//! `(state, event, now) -> Result<(state, effects)>`.
//!
//! Every step is a signed [`NegotiationEvent`] whose author is the actor.
//! Steps carry a sequence number so both parties apply the same log in the
//! same order; `now` is the event's own signed timestamp, so replaying a log
//! anywhere reaches the same state.

mod error;
mod event;
pub mod log;
mod state;
mod step;
mod terms;

pub use error::NegotiationError;
pub use event::{Action, NegotiationEvent};
pub use log::{Offered, offer, replay};
pub use state::{Negotiation, Phase, Role};
pub use step::{EARLY_START, Effect, NO_SHOW_GRACE, minimum_length, moments, step};
pub use terms::Terms;
