//! A full account of an endorsement file: every proof's result and every
//! problem found, for `agora verify` and for the portfolio screen.

use jiff::Timestamp;
use serde_json::Value;

use super::data_integrity::{DocumentHashes, proof_info, verify_proof_in_set};
use super::rdfc::ContextSet;
use super::strict_json;
use super::{EndorseError, Endorsement, MAX_ENDORSEMENT_BYTES, ShapeError, purpose_for};
use crate::identity::{PublicKey, did_key_from_public, public_from_verification_method};
use crate::market::Role;
use crate::wire::MAX_FUTURE_SKEW;

#[derive(Debug, Clone)]
pub struct ProofReport {
    pub purpose: String,
    pub verification_method: String,
    pub created: String,
    /// The role of the signer in the endorsement, when the signer is a party.
    pub role: Option<Role>,
    /// `Ok` when the signature verifies over the document.
    pub signature: Result<(), super::ProofError>,
}

#[derive(Debug, Clone)]
pub struct Report {
    /// What the document says. Trust it only when `problems` is empty.
    pub claims: Result<Endorsement, ShapeError>,
    pub proofs: Vec<ProofReport>,
    /// Everything that keeps the endorsement from verifying, in order.
    pub problems: Vec<EndorseError>,
}

impl Report {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty() && self.claims.is_ok()
    }
}

/// Checks everything and reports it all: signatures first, then whether the
/// signers are the parties the (now authenticated) document names.
pub fn inspect(bytes: &[u8], now: Timestamp) -> Report {
    let mut report = Report { claims: Err(ShapeError::Missing("document")), proofs: Vec::new(), problems: Vec::new() };
    let mut unsecured = match strict_json::parse(bytes, MAX_ENDORSEMENT_BYTES) {
        Ok(Value::Object(map)) => Value::Object(map),
        Ok(_) => return fail(report, EndorseError::NotAnObject),
        Err(e) => return fail(report, e.into()),
    };
    let proofs = match unsecured.as_object_mut().and_then(|m| m.remove("proof")) {
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut hashes = DocumentHashes::default();

    // 1. Signatures, over the exact document, before reading its claims.
    let mut signers: Vec<Option<PublicKey>> = Vec::new();
    for index in 0..proofs.len() {
        let info = proof_info(&proofs[index]);
        let result = verify_proof_in_set(&unsecured, &proofs, index, &mut hashes, ContextSet::builtin());
        if let Ok(info) = &info
            && !info.previous_proof.is_empty()
        {
            report.problems.push(EndorseError::Chained(index));
        }
        if let Err(source) = &result {
            report.problems.push(EndorseError::Proof { index, source: source.clone() });
        }
        signers.push(result.as_ref().ok().copied());
        let (purpose, verification_method, created) =
            info.map(|i| (i.purpose, i.verification_method, i.created)).unwrap_or_default();
        report.proofs.push(ProofReport {
            purpose,
            verification_method,
            created,
            role: None,
            signature: result.map(|_| ()),
        });
    }
    if proofs.len() != 2 {
        report.problems.push(EndorseError::ProofCount(proofs.len()));
    }

    // 2. The claims, and whether the signers are exactly the named parties.
    report.claims = Endorsement::from_document(&unsecured);
    let Ok(claims) = &report.claims else {
        return report;
    };
    for (index, proof) in report.proofs.iter_mut().enumerate() {
        let key = signers[index].or_else(|| public_from_verification_method(&proof.verification_method).ok());
        proof.role = key.and_then(|k| role_of(claims, &k));
        match (key, proof.role) {
            (Some(key), None) => {
                report.problems.push(EndorseError::UnexpectedSigner { index, did: did_key_from_public(&key) })
            }
            (_, Some(role)) if proof.purpose != purpose_for(role) => report.problems.push(EndorseError::WrongPurpose {
                index,
                role,
                found: proof.purpose.clone(),
                expected: purpose_for(role),
            }),
            _ => {}
        }
    }
    for role in [Role::Teacher, Role::Learner] {
        let valid = report
            .proofs
            .iter()
            .filter(|p| p.role == Some(role) && p.signature.is_ok() && p.purpose == purpose_for(role))
            .count();
        if valid != 1 {
            report.problems.push(EndorseError::MissingSigner(role));
        }
    }
    if claims.issued.duration_since(now) > MAX_FUTURE_SKEW {
        report.problems.push(EndorseError::NotYetValid(claims.issued.to_string()));
    }
    report
}

fn role_of(claims: &Endorsement, key: &PublicKey) -> Option<Role> {
    if *key == claims.teacher.key {
        Some(Role::Teacher)
    } else if *key == claims.learner.key {
        Some(Role::Learner)
    } else {
        None
    }
}

fn fail(mut report: Report, problem: EndorseError) -> Report {
    report.problems.push(problem);
    report
}
