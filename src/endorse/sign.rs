//! Signing: each party adds two proofs over the same unsigned document, one
//! per cryptosuite: `eddsa-jcs-2022`, which agora checks everywhere, and
//! `eddsa-rdfc-2022`, which Open Badges wallets and verifiers expect.
//! [`assemble`] joins the four into the bytes both stores keep.

use jiff::Timestamp;
use serde_json::Value;

use super::data_integrity::{Cryptosuite, ProofOptions, create_proof};
use super::report::{Suites, inspect_with};
use super::{EndorseError, Endorsement, Report, ShapeError};
use crate::identity::Identity;
use crate::market::Role;
use crate::wire::FieldError;

/// The teacher issues the credential.
pub const TEACHER_PURPOSE: &str = "assertionMethod";
/// The learner co-signs; verifiers that check issuance ignore this purpose.
pub const LEARNER_PURPOSE: &str = "authentication";

/// An endorsement whose two proofs verified, with the exact bytes verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedEndorsement {
    endorsement: Endorsement,
    bytes: Vec<u8>,
}

impl VerifiedEndorsement {
    pub fn endorsement(&self) -> &Endorsement {
        &self.endorsement
    }
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Creates `signer`'s two proofs over `endorsement` (`eddsa-jcs-2022`, then
/// `eddsa-rdfc-2022`), with the purpose of the signer's role in it.
pub fn sign_proofs(
    endorsement: &Endorsement,
    signer: &Identity,
    created: Timestamp,
) -> Result<Vec<Value>, EndorseError> {
    [Cryptosuite::Jcs, Cryptosuite::Rdfc]
        .into_iter()
        .map(|suite| sign_proof(endorsement, signer, created, suite))
        .collect()
}

/// Creates one of `signer`'s proofs over `endorsement`, with the purpose of
/// the signer's role in it.
pub fn sign_proof(
    endorsement: &Endorsement,
    signer: &Identity,
    created: Timestamp,
    suite: Cryptosuite,
) -> Result<Value, EndorseError> {
    endorsement.validate().map_err(ShapeError::from)?;
    let me = signer.public();
    let purpose = if me == endorsement.teacher.key {
        TEACHER_PURPOSE
    } else if me == endorsement.learner.key {
        LEARNER_PURPOSE
    } else {
        return Err(ShapeError::Invalid(FieldError::new("signer", "is neither the teacher nor the learner")).into());
    };
    let options = ProofOptions::new(suite, created, purpose);
    create_proof(&endorsement.to_document(), signer, options).map_err(|source| EndorseError::Proof { index: 0, source })
}

/// Joins both parties' proofs into the final document and verifies the
/// result, every proof included.
pub fn assemble(
    endorsement: &Endorsement,
    teacher_proofs: Vec<Value>,
    learner_proofs: Vec<Value>,
    now: Timestamp,
) -> Result<VerifiedEndorsement, EndorseError> {
    assemble_checking(endorsement, teacher_proofs, learner_proofs, now, Suites::All)
}

/// [`assemble`], checking the signatures of `suites` only (every proof's
/// shape, signer and purpose are checked whatever `suites` says). For a
/// signer who has just checked the other party's proofs and made its own.
pub fn assemble_checking(
    endorsement: &Endorsement,
    teacher_proofs: Vec<Value>,
    learner_proofs: Vec<Value>,
    now: Timestamp,
    suites: Suites,
) -> Result<VerifiedEndorsement, EndorseError> {
    let mut document = endorsement.to_document();
    if let Value::Object(map) = &mut document {
        map.insert("proof".into(), Value::Array(teacher_proofs.into_iter().chain(learner_proofs).collect()));
    }
    let mut bytes = serde_json::to_vec_pretty(&document).map_err(|_| EndorseError::NotAnObject)?;
    bytes.push(b'\n');
    verify_with(&bytes, now, suites)
}

/// Verifies an endorsement file: every proof, that the signers are exactly
/// the teacher and learner it names with the right purposes, its shape,
/// and that it is valid at `now`.
pub fn verify(bytes: &[u8], now: Timestamp) -> Result<VerifiedEndorsement, EndorseError> {
    verify_with(bytes, now, Suites::All)
}

/// [`verify`], checking the signatures of only some cryptosuites (agora's
/// own reading of others' portfolios checks the `eddsa-jcs-2022` pair,
/// which is twenty times cheaper than RDF canonicalization).
pub fn verify_with(bytes: &[u8], now: Timestamp, suites: Suites) -> Result<VerifiedEndorsement, EndorseError> {
    let Report { claims, problems, .. } = inspect_with(bytes, now, suites);
    if let Some(first) = problems.into_iter().next() {
        return Err(first);
    }
    let endorsement = claims.map_err(EndorseError::Shape)?;
    Ok(VerifiedEndorsement { endorsement, bytes: bytes.to_vec() })
}

/// The proof purpose a party signs with.
pub fn purpose_for(role: Role) -> &'static str {
    match role {
        Role::Teacher => TEACHER_PURPOSE,
        Role::Learner => LEARNER_PURPOSE,
    }
}
