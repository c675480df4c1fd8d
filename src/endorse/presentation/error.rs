//! Why a presentation was refused.

use crate::endorse::{EndorseError, ProofError};

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum PresentationError {
    #[error("JSON: {0}")]
    Json(String),
    #[error("the document is not a JSON object")]
    NotAnObject,
    #[error("`type` must be [\"VerifiablePresentation\"]")]
    NotAPresentation,
    #[error(
        "`@context` must be exactly [\"https://www.w3.org/ns/credentials/v2\"]; found {0} (agora reads bundled contexts only and fetches nothing)"
    )]
    Context(String),
    #[error("`{0}` is not a field agora reads in a presentation")]
    UnexpectedField(String),
    #[error("`holder` is missing or not a did:key")]
    Holder,
    #[error("the presentation's id `{0}` is not a urn:uuid")]
    Id(String),
    #[error("`verifiableCredential` must be a list of credentials")]
    Credentials,
    #[error("the presentation holds no credentials")]
    Empty,
    #[error("{0} credentials is more than agora reads in one presentation")]
    TooManyCredentials(usize),
    #[error("expected one proof by the holder, found {0}")]
    ProofCount(usize),
    #[error("holder's proof: {0}")]
    Proof(ProofError),
    #[error("the holder's proof chains to another proof; agora presentations carry one plain proof")]
    Chained,
    #[error("the holder's proof has a field `{0}`, which agora does not write there")]
    UnexpectedProofField(String),
    #[error("the holder's proof has a `{field}` longer than {max} characters")]
    BindingTooLong { field: &'static str, max: usize },
    #[error("the holder's proof has purpose `{0}`; it must be `authentication`")]
    WrongPurpose(String),
    #[error("the proof is signed by {0}, not by the holder")]
    NotHolder(String),
    #[error("the verifier asked for challenge `{expected}`; the presentation has {found}")]
    Challenge { expected: String, found: String },
    #[error("the verifier asked for domain `{expected}`; the presentation has {found}")]
    Domain { expected: String, found: String },
    #[error("the holder's proof was made {0}, in the future")]
    NotYetValid(String),
    #[error("the holder's proof expired on {0}")]
    Expired(String),
    #[error("credential {index}: {error}")]
    Credential { index: usize, error: EndorseError },
    #[error(
        "credential {index} is between {teacher} and {learner}; the holder is neither, so it is someone else's record"
    )]
    NotHolders { index: usize, teacher: String, learner: String },
    #[error("credential {index}, a hub's validation: {error}")]
    Validation { index: usize, error: crate::endorse::validation::ValidationError },
    #[error("credential {index} is a hub's validation of {learner}'s learning; the holder is not that learner")]
    NotSubject { index: usize, learner: String },
    #[error("credential {index} repeats credential {first} ({id})")]
    Duplicate { index: usize, first: usize, id: String },
}
