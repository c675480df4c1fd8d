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
    #[error("too early to {action}: possible from {from}")]
    TooEarly { action: &'static str, from: jiff::Timestamp },
    #[error(transparent)]
    Invalid(#[from] FieldError),
}
