//! The signed steps of a negotiation.

use serde::{Deserialize, Serialize};

use super::Terms;
use crate::identity::PublicKey;
use crate::market::{ListingRef, NegotiationId};
use crate::wire::{Body, FieldError, check_tag, check_text};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    /// Opens a negotiation about someone else's listing.
    Propose {
        listing: ListingRef,
        skill: String,
        teacher: PublicKey,
        learner: PublicKey,
        terms: Terms,
    },
    /// Answers a proposal with different terms.
    Counter {
        terms: Terms,
    },
    Accept,
    Decline {
        reason: String,
    },
    /// Calls the session off before it starts (either party).
    Cancel {
        reason: String,
    },
    /// Proposes new terms for an agreed session.
    Reschedule {
        terms: Terms,
    },
    Start,
    Complete,
    /// The other party did not come.
    ReportNoShow,
}

/// One step, as signed by its actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NegotiationEvent {
    pub negotiation: NegotiationId,
    /// Position in the log: 0 for the proposal, then 1, 2, …
    pub seq: u32,
    pub action: Action,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Propose { .. } => "propose",
            Action::Counter { .. } => "counter",
            Action::Accept => "accept",
            Action::Decline { .. } => "decline",
            Action::Cancel { .. } => "cancel",
            Action::Reschedule { .. } => "reschedule",
            Action::Start => "start",
            Action::Complete => "complete",
            Action::ReportNoShow => "report a no-show",
        }
    }

    /// The step as done, for telling the user it happened.
    pub fn done(&self) -> &'static str {
        match self {
            Action::Propose { .. } => "Proposed",
            Action::Counter { .. } => "Countered",
            Action::Accept => "Accepted",
            Action::Decline { .. } => "Declined",
            Action::Cancel { .. } => "Cancelled",
            Action::Reschedule { .. } => "Asked to reschedule",
            Action::Start => "Started",
            Action::Complete => "Completed",
            Action::ReportNoShow => "Reported a no-show",
        }
    }
}

/// Longest log a negotiation may grow to; bounds storage per peer.
pub const MAX_EVENTS: u32 = 200;

impl Body for NegotiationEvent {
    const DOMAIN: &'static str = "agora/negotiate/1";
    const MAX_BODY_BYTES: usize = 1024;

    fn validate(&self) -> Result<(), FieldError> {
        if self.seq >= MAX_EVENTS {
            return Err(FieldError::new("seq", format!("a negotiation has at most {MAX_EVENTS} steps")));
        }
        match &self.action {
            Action::Propose { skill, teacher, learner, terms, .. } => {
                check_tag("skill", skill, crate::market::MAX_SKILL_CHARS)?;
                if teacher == learner {
                    return Err(FieldError::new("learner", "teacher and learner must be different people"));
                }
                terms.validate()
            }
            Action::Counter { terms } | Action::Reschedule { terms } => terms.validate(),
            Action::Decline { reason } | Action::Cancel { reason } => check_text("reason", reason, 200, false),
            Action::Accept | Action::Start | Action::Complete | Action::ReportNoShow => Ok(()),
        }
    }
}
