//! A full account of an endorsement file: every proof's result and every
//! problem found, for `agora verify` and for the portfolio screen.

use jiff::Timestamp;
use serde_json::Value;

use super::data_integrity::{Cryptosuite, DocumentHashes, parse_date, proof_info, verify_proof_in_set};
use super::rdfc::ContextSet;
use super::strict_json;
use super::{EndorseError, Endorsement, MAX_ENDORSEMENT_BYTES, ShapeError, purpose_for};
use crate::identity::{PublicKey, did_key_from_public, public_from_verification_method};
use crate::market::Role;
use crate::wire::MAX_FUTURE_SKEW;

/// Which cryptosuites' signatures to check. Whatever is not checked is
/// still read: its signer must be a party, with the right purpose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Suites {
    All,
    Only(Cryptosuite),
}

impl Suites {
    /// Whether proofs of `suite` are checked (unknown suites always are, to
    /// be reported as unsupported).
    pub fn checks(self, suite: Option<Cryptosuite>) -> bool {
        match (self, suite) {
            (Suites::All, _) | (_, None) => true,
            (Suites::Only(wanted), Some(suite)) => wanted == suite,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProofReport {
    pub purpose: String,
    pub verification_method: String,
    pub created: String,
    pub cryptosuite: String,
    /// The role of the signer in the endorsement, when the signer is a party.
    pub role: Option<Role>,
    /// `Ok` when the signature verifies over the document; `None` when this
    /// check left the proof's cryptosuite out.
    pub signature: Option<Result<(), super::ProofError>>,
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

    /// Whether both parties' `eddsa-rdfc-2022` proofs are there and were
    /// checked: what Open Badges wallets verify. Records co-signed before
    /// agora added them carry only the `eddsa-jcs-2022` pair.
    pub fn wallet_ready(&self) -> bool {
        let rdfc = Cryptosuite::Rdfc.name();
        [Role::Teacher, Role::Learner].iter().all(|role| {
            self.proofs
                .iter()
                .any(|p| p.role == Some(*role) && p.cryptosuite == rdfc && matches!(p.signature, Some(Ok(()))))
        })
    }
}

/// Checks everything and reports it all: signatures first, then whether the
/// signers are the parties the (now authenticated) document names.
pub fn inspect(bytes: &[u8], now: Timestamp) -> Report {
    inspect_with(bytes, now, Suites::All)
}

/// [`inspect`], checking only the signatures of `suites`.
pub fn inspect_with(bytes: &[u8], now: Timestamp, suites: Suites) -> Report {
    match strict_json::parse(bytes, MAX_ENDORSEMENT_BYTES) {
        Ok(document) => inspect_value(document, now, suites, ContextSet::builtin()),
        Err(e) => fail(empty(), e.into()),
    }
}

/// [`inspect_with`] for a document already parsed (e.g. one credential of
/// a presentation).
pub fn inspect_value(document: Value, now: Timestamp, suites: Suites, contexts: &ContextSet) -> Report {
    let mut report = empty();
    let mut unsecured = match document {
        Value::Object(map) => Value::Object(map),
        _ => return fail(report, EndorseError::NotAnObject),
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
        let suite = info.as_ref().ok().and_then(|i| Cryptosuite::parse(&i.cryptosuite));
        let result =
            suites.checks(suite).then(|| verify_proof_in_set(&unsecured, &proofs, index, &mut hashes, contexts));
        if let Ok(info) = &info
            && !info.previous_proof.is_empty()
        {
            report.problems.push(EndorseError::Chained(index));
        }
        if let Some(Err(source)) = &result {
            report.problems.push(EndorseError::Proof { index, source: source.clone() });
        }
        signers.push(result.as_ref().and_then(|r| r.as_ref().ok()).copied());
        let (purpose, verification_method, created, cryptosuite) =
            info.map(|i| (i.purpose, i.verification_method, i.created, i.cryptosuite)).unwrap_or_default();
        report.proofs.push(ProofReport {
            purpose,
            verification_method,
            created,
            cryptosuite,
            role: None,
            signature: result.map(|r| r.map(|_| ())),
        });
    }
    if proofs.len() != 2 && proofs.len() != 4 {
        report.problems.push(EndorseError::ProofCount(proofs.len()));
    }
    if let Some(until) = unsecured.get("validUntil").and_then(Value::as_str).and_then(parse_date)
        && until < now
    {
        report.problems.push(EndorseError::Expired(until.to_string()));
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
    let has_rdfc = report.proofs.iter().any(|p| p.cryptosuite == Cryptosuite::Rdfc.name());
    for suite in [Cryptosuite::Jcs, Cryptosuite::Rdfc] {
        if suite == Cryptosuite::Rdfc && !has_rdfc && suites != Suites::Only(Cryptosuite::Rdfc) {
            continue; // recorded before agora added rdfc proofs
        }
        for role in [Role::Teacher, Role::Learner] {
            let of_role = |p: &&ProofReport| {
                p.role == Some(role) && p.cryptosuite == suite.name() && p.purpose == purpose_for(role)
            };
            let count = report.proofs.iter().filter(of_role).count();
            let valid = report.proofs.iter().filter(of_role).filter(|p| !matches!(p.signature, Some(Err(_)))).count();
            if count > 1 {
                report.problems.push(EndorseError::DuplicateProof { role, suite: suite.name() });
            } else if valid != 1 {
                report.problems.push(EndorseError::MissingProof { role, suite: suite.name() });
            }
        }
    }
    if claims.issued.duration_since(now) > MAX_FUTURE_SKEW {
        report.problems.push(EndorseError::NotYetValid(claims.issued.to_string()));
    }
    report
}

fn empty() -> Report {
    Report { claims: Err(ShapeError::Missing("document")), proofs: Vec::new(), problems: Vec::new() }
}

/// The role `key` has in the endorsement, if it is a party.
pub(super) fn role_of(claims: &Endorsement, key: &PublicKey) -> Option<Role> {
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
