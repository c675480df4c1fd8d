//! Why an endorsement was refused.

use super::strict_json::JsonError;
use super::{ProofError, ShapeError};
use crate::market::Role;

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum EndorseError {
    #[error(transparent)]
    Json(#[from] JsonError),
    #[error("the document is not a JSON object")]
    NotAnObject,
    #[error(
        "expected two proofs from each party (eddsa-jcs-2022 and eddsa-rdfc-2022), or one (eddsa-jcs-2022) in records made before agora 0.2; found {0} in all"
    )]
    ProofCount(usize),
    #[error("proof {index}: {source}")]
    Proof { index: usize, source: ProofError },
    #[error("proof {index} is signed by {did}, who is neither the teacher nor the learner")]
    UnexpectedSigner { index: usize, did: String },
    #[error("proof {index} has purpose `{found}`; the {role:?}'s proof must use `{expected}`")]
    WrongPurpose { index: usize, role: Role, found: String, expected: &'static str },
    #[error("no valid proof from the {0:?}")]
    MissingSigner(Role),
    #[error("no valid {suite} proof from the {role:?}")]
    MissingProof { role: Role, suite: &'static str },
    #[error("more than one {suite} proof from the {role:?}")]
    DuplicateProof { role: Role, suite: &'static str },
    #[error("proof {0} chains to another proof; agora endorsements use a plain proof set")]
    Chained(usize),
    #[error("{found} proofs is more than an agora endorsement carries (at most {max} are read)")]
    TooManyProofs { found: usize, max: usize },
    #[error("proof {index} has a field `{field}`, which agora does not write in a proof")]
    ProofField { index: usize, field: String },
    #[error("not valid before {0}")]
    NotYetValid(String),
    #[error("expired on {0}")]
    Expired(String),
    #[error("credential shape: {0}")]
    Shape(#[from] ShapeError),
}
