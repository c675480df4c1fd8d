//! The state of one negotiation, identical on both sides.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Terms;
use crate::identity::PublicKey;
use crate::market::{ListingRef, NegotiationId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Teacher,
    Learner,
}

impl Role {
    pub fn other(self) -> Role {
        match self {
            Role::Teacher => Role::Learner,
            Role::Learner => Role::Teacher,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// `by` proposed `terms`; the other party answers.
    Proposed {
        by: Role,
        terms: Terms,
    },
    /// Both agreed on `Negotiation::agreed`.
    Agreed,
    /// Agreed, and `by` asks to change the terms to `terms`.
    Rescheduling {
        by: Role,
        terms: Terms,
    },
    InProgress {
        #[serde(with = "crate::market::time_ms")]
        started_at: Timestamp,
    },
    Completed {
        #[serde(with = "crate::market::time_ms")]
        started_at: Timestamp,
        #[serde(with = "crate::market::time_ms")]
        ended_at: Timestamp,
    },
    Declined {
        by: Role,
        reason: String,
    },
    Cancelled {
        by: Role,
        reason: String,
    },
    /// `reported_by` came; the other did not.
    NoShow {
        reported_by: Role,
    },
}

impl Phase {
    pub fn name(&self) -> &'static str {
        match self {
            Phase::Proposed { .. } => "proposed",
            Phase::Agreed => "agreed",
            Phase::Rescheduling { .. } => "being rescheduled",
            Phase::InProgress { .. } => "in progress",
            Phase::Completed { .. } => "completed",
            Phase::Declined { .. } => "declined",
            Phase::Cancelled { .. } => "cancelled",
            Phase::NoShow { .. } => "closed as a no-show",
        }
    }

    pub fn is_closed(&self) -> bool {
        matches!(
            self,
            Phase::Completed { .. } | Phase::Declined { .. } | Phase::Cancelled { .. } | Phase::NoShow { .. }
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Negotiation {
    pub id: NegotiationId,
    pub listing: ListingRef,
    pub skill: String,
    pub teacher: PublicKey,
    pub learner: PublicKey,
    pub phase: Phase,
    /// The terms both sides accepted, once they have.
    pub agreed: Option<Terms>,
    /// Number of events applied; the next event must carry this `seq`.
    pub seq: u32,
    #[serde(with = "crate::market::time_ms")]
    pub updated_at: Timestamp,
}

impl Negotiation {
    pub fn role_of(&self, who: &PublicKey) -> Option<Role> {
        if *who == self.teacher {
            Some(Role::Teacher)
        } else if *who == self.learner {
            Some(Role::Learner)
        } else {
            None
        }
    }

    pub fn party(&self, role: Role) -> PublicKey {
        match role {
            Role::Teacher => self.teacher,
            Role::Learner => self.learner,
        }
    }

    /// Whose move it is, if anyone's in particular.
    pub fn awaiting(&self) -> Option<Role> {
        match &self.phase {
            Phase::Proposed { by, .. } | Phase::Rescheduling { by, .. } => Some(by.other()),
            _ => None,
        }
    }

    /// The terms currently on the table or agreed.
    pub fn current_terms(&self) -> Option<&Terms> {
        match &self.phase {
            Phase::Proposed { terms, .. } | Phase::Rescheduling { terms, .. } => Some(terms),
            _ => self.agreed.as_ref(),
        }
    }
}
