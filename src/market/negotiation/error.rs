//! Why a negotiation step was refused.

use crate::wire::FieldError;

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum NegotiationError {
    #[error("only the teacher or the learner of this session can do that")]
    NotAParty,
    #[error("you cannot {action} your own proposal; it is the other party's turn")]
    NotYourTurn { action: &'static str },
    #[error("cannot {action} a session that is {phase}")]
    IllegalStep { action: &'static str, phase: &'static str },
    #[error("step {got} arrived but step {expected} was next")]
    OutOfOrder { expected: u32, got: u32 },
    #[error("this event belongs to another negotiation")]
    WrongNegotiation,
    #[error("a negotiation must begin with a proposal")]
    NotStarted,
    #[error("the proposal must come from the person answering the listing, not its author")]
    ProposerIsListingAuthor,
    #[error("the listing's author must be the teacher or the learner")]
    ListingAuthorNotAParty,
    #[error("the proposed start is in the past")]
    StartInPast,
    #[error("too early to {action}: possible from {} UTC", from.strftime("%a %-d %b %H:%M"))]
    TooEarly { action: &'static str, from: jiff::Timestamp },
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("step {got} arrived but this side has only {have} steps; the missing ones are fetched first")]
    Gap { have: u32, got: u32 },
    #[error("this negotiation is between two other people")]
    NotYours,
    #[error("a different step {seq} by the same author is already in the log")]
    Equivocation { seq: u32 },
    #[error("step {seq} is settled history and cannot be replaced")]
    Settled { seq: u32 },
    #[error("step {seq} was taken at the same moment as the other party's, whose step stands")]
    Superseded { seq: u32 },
}

impl NegotiationError {
    /// Whether trying again later may succeed (the log is incomplete here),
    /// as opposed to a step that is wrong for good.
    pub fn is_transient(&self) -> bool {
        matches!(self, NegotiationError::Gap { .. })
    }
}
