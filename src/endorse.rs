//! Endorsements: one record of a completed session that both people sign.
//!
//! An endorsement is a W3C Verifiable Credential 2.0 in the Open Badges 3.0
//! `OpenBadgeCredential` shape ([`credential`]) carrying a proof set of two
//! `eddsa-jcs-2022` Data Integrity proofs ([`data_integrity`]) over the same
//! document: the teacher's (`assertionMethod`, as the credential's issuer)
//! and the learner's (`authentication`, a co-signature that wallet verifiers
//! do not mistake for a second issuer). agora requires both.

pub mod cosign;
pub mod credential;
pub mod data_integrity;
mod error;
pub mod rdfc;
mod report;
pub mod reputation;
mod sign;
pub mod strict_json;

pub use credential::{Endorsement, Party, ShapeError};
pub use data_integrity::ProofError;
pub use error::EndorseError;
pub use report::{ProofReport, Report, inspect};
pub use sign::{LEARNER_PURPOSE, TEACHER_PURPOSE, VerifiedEndorsement, assemble, purpose_for, sign_proof, verify};

/// Largest endorsement file agora reads.
pub const MAX_ENDORSEMENT_BYTES: usize = 64 * 1024;
