//! The rules each proof of an endorsement meets before anything is hashed:
//! only the fields agora writes, no chain to another proof, every check
//! [`check_proof`] makes without hashing, a party as signer with the
//! purpose of their role, and no second proof by that party in that suite.
//! Only proofs that pass are hashed, so at most one per party and suite
//! is, however the record was made.

use serde_json::Value;

use super::data_integrity::{CheckedProof, Cryptosuite, check_proof};
use super::report::role_of;
use super::{EndorseError, Endorsement, purpose_for};
use crate::identity::{did_key_from_public, public_from_verification_method};
use crate::market::Role;

/// The fields agora writes in a credential's proof (`@context` in the
/// `eddsa-jcs-2022` ones).
const PROOF_FIELDS: &[&str] =
    &["type", "cryptosuite", "created", "verificationMethod", "proofPurpose", "proofValue", "@context"];

/// What becomes of one proof.
pub(super) enum Outcome {
    /// It passed every rule: its signature is to be checked.
    Check(Box<CheckedProof>),
    /// The same party's proof in this suite came earlier in the set; the
    /// set's problem says so once.
    Repeated(Cryptosuite),
    /// Refused, for this one reason.
    Refused(EndorseError),
}

pub(super) struct Screened {
    /// The signer's role, when the proof names a party's key.
    pub role: Option<Role>,
    pub outcome: Outcome,
}

/// Each proof's outcome, in order. `document` is the credential with or
/// without its `proof`; `claims` are what it says.
pub(super) fn screen(document: &Value, claims: &Endorsement, proofs: &[Value]) -> Vec<Screened> {
    let mut seen: Vec<(Role, Cryptosuite)> = Vec::new();
    (0..proofs.len()).map(|index| screen_one(document, claims, proofs, index, &mut seen)).collect()
}

fn screen_one(
    document: &Value,
    claims: &Endorsement,
    proofs: &[Value],
    index: usize,
    seen: &mut Vec<(Role, Cryptosuite)>,
) -> Screened {
    let proof = &proofs[index];
    let key =
        proof.get("verificationMethod").and_then(Value::as_str).and_then(|m| public_from_verification_method(m).ok());
    let role = key.and_then(|key| role_of(claims, &key));
    let refused = |problem| Screened { role, outcome: Outcome::Refused(problem) };
    if let Some(fields) = proof.as_object() {
        if fields.contains_key("previousProof") {
            return refused(EndorseError::Chained(index));
        }
        if let Some(field) = fields.keys().find(|k| !PROOF_FIELDS.contains(&k.as_str())) {
            return refused(EndorseError::ProofField { index, field: field.chars().take(100).collect() });
        }
    }
    let checked = match check_proof(document, proofs, index) {
        Ok(checked) => checked,
        Err(source) => return refused(EndorseError::Proof { index, source }),
    };
    let Some(role) = role else {
        return refused(EndorseError::UnexpectedSigner { index, did: did_key_from_public(&checked.key) });
    };
    if checked.info.purpose != purpose_for(role) {
        let found = checked.info.purpose.chars().take(100).collect();
        return refused(EndorseError::WrongPurpose { index, role, found, expected: purpose_for(role) });
    }
    if seen.contains(&(role, checked.suite)) {
        return Screened { role: Some(role), outcome: Outcome::Repeated(checked.suite) };
    }
    seen.push((role, checked.suite));
    Screened { role: Some(role), outcome: Outcome::Check(Box::new(checked)) }
}
