//! Endorsements: one record of a completed session that both people sign.
//!
//! An endorsement is a W3C Verifiable Credential 2.0 in the Open Badges 3.0
//! `OpenBadgeCredential` shape ([`credential`]) carrying a proof set of four
//! Data Integrity proofs ([`data_integrity`]) over the same document: the
//! teacher's (`assertionMethod`, as the credential's issuer) and the
//! learner's (`authentication`, a co-signature that wallet verifiers do not
//! mistake for a second issuer), each in `eddsa-jcs-2022` and in
//! `eddsa-rdfc-2022` (JSON-LD with bundled contexts, for Open Badges
//! wallets). agora requires both parties; [`cosign`] is the exchange that
//! builds it and [`consent`] what each party approves before signing;
//! [`presentation`] wraps chosen endorsements in a Verifiable Presentation
//! signed by their holder.

pub mod consent;
pub mod cosign;
pub mod credential;
pub mod data_integrity;
mod error;
pub mod presentation;
pub mod rdfc;
mod report;
pub mod reputation;
mod screen;
mod sign;
pub mod strict_json;
pub mod timebank;
pub mod validation;

pub use credential::{Endorsement, Party, ShapeError};
pub use data_integrity::ProofError;
pub use error::EndorseError;
pub use report::{ProofReport, Report, Suites, inspect, inspect_value, inspect_with};
pub use sign::{
    LEARNER_PURPOSE, TEACHER_PURPOSE, VerifiedEndorsement, assemble, assemble_checking, purpose_for, sign_proof,
    sign_proofs, verify, verify_with,
};

/// Largest endorsement file agora reads.
pub const MAX_ENDORSEMENT_BYTES: usize = 64 * 1024;
/// Most JSON values an endorsement file may hold: agora's records hold
/// about a hundred.
pub const MAX_ENDORSEMENT_VALUES: usize = 256;
