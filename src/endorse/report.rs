//! A full account of an endorsement file: every proof's result and every
//! problem found, for `agora verify` and for the portfolio screen.

use jiff::Timestamp;
use serde_json::Value;

use super::data_integrity::{Cryptosuite, DocumentHashes, MAX_PROOFS, parse_date, verify_checked};
use super::rdfc::ContextSet;
use super::screen::{Outcome, Screened, screen};
use super::strict_json;
use super::{EndorseError, Endorsement, MAX_ENDORSEMENT_BYTES, MAX_ENDORSEMENT_VALUES, ShapeError};
use crate::identity::PublicKey;
use crate::market::Role;
use crate::wire::MAX_FUTURE_SKEW;

/// Which cryptosuites' signatures to check. Whatever is not checked is
/// still read and held to every rule that needs no hashing: its signer
/// must be a party, with the right purpose.
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
    /// `Ok` when the signature verifies over the document, `Err` when it
    /// does not or cannot be checked; `None` when this check left the
    /// proof's cryptosuite out, or the proof was refused by a rule checked
    /// before hashing (the report's problems say which).
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

/// Checks everything and reports it all: first every rule that needs no
/// hashing (the number of proofs, the shape, each proof's fields, signer
/// and purpose), then the signatures of the proofs that passed.
pub fn inspect(bytes: &[u8], now: Timestamp) -> Report {
    inspect_with(bytes, now, Suites::All)
}

/// [`inspect`], checking only the signatures of `suites`.
pub fn inspect_with(bytes: &[u8], now: Timestamp, suites: Suites) -> Report {
    match strict_json::parse_within(bytes, MAX_ENDORSEMENT_BYTES, MAX_ENDORSEMENT_VALUES) {
        Ok(document) => inspect_value(document, now, suites, ContextSet::builtin()),
        Err(e) => fail(empty(), e.into()),
    }
}

/// [`inspect_with`] for a document already parsed (e.g. one credential of
/// a presentation).
pub fn inspect_value(document: Value, now: Timestamp, suites: Suites, contexts: &ContextSet) -> Report {
    let Value::Object(mut unsecured) = document else {
        return fail(empty(), EndorseError::NotAnObject);
    };
    let proofs = match unsecured.remove("proof") {
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let unsecured = Value::Object(unsecured);
    let (mut report, screened) = screen_document(&unsecured, &proofs, now);

    // The signatures of the proofs that passed, over the exact document.
    let mut hashes = DocumentHashes::default();
    for (index, screened) in screened.iter().enumerate() {
        if let Outcome::Check(checked) = &screened.outcome
            && suites.checks(Some(checked.suite))
        {
            let result = verify_checked(&unsecured, &proofs, checked, &mut hashes, contexts);
            if let Err(source) = &result {
                report.problems.push(EndorseError::Proof { index, source: source.clone() });
            }
            report.proofs[index].signature = Some(result.map(|_| ()));
        }
    }
    // Unless there were too many proofs to screen: then that is the reason.
    if report.claims.is_ok() && screened.len() == proofs.len() {
        account(&mut report, &screened, suites);
    }
    report
}

/// Whether a credential (with its `proof`) passes every rule checked
/// before hashing: a presentation is hashed only when all of its do.
pub(crate) fn passes_screening(credential: &Value, now: Timestamp) -> bool {
    let proofs = match credential.get("proof") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(one) => std::slice::from_ref(one),
        None => &[],
    };
    let (report, screened) = screen_document(credential, proofs, now);
    report.claims.is_ok()
        && report.problems.is_empty()
        && screened.iter().all(|s| matches!(s.outcome, Outcome::Check(_)))
}

/// Everything checked before hashing: the report so far, and what becomes
/// of each proof. Nothing is screened in a document not in agora's shape,
/// or carrying more proofs than any agora record.
fn screen_document(document: &Value, proofs: &[Value], now: Timestamp) -> (Report, Vec<Screened>) {
    let mut report = empty();
    if !document.is_object() {
        return (fail(report, EndorseError::NotAnObject), Vec::new());
    }
    report.claims = Endorsement::from_secured(document);
    if proofs.len() > MAX_PROOFS {
        report.problems.push(EndorseError::TooManyProofs { found: proofs.len(), max: MAX_PROOFS });
        return (report, Vec::new());
    }
    report.proofs = proofs.iter().map(describe).collect();
    if proofs.len() != 2 && proofs.len() != 4 {
        report.problems.push(EndorseError::ProofCount(proofs.len()));
    }
    if let Some(until) = document.get("validUntil").and_then(Value::as_str).and_then(parse_date)
        && until < now
    {
        report.problems.push(EndorseError::Expired(until.to_string()));
    }
    let Ok(claims) = &report.claims else {
        return (report, Vec::new());
    };
    let issued = claims.issued;
    let screened = screen(document, claims, proofs);
    for (index, screened) in screened.iter().enumerate() {
        report.proofs[index].role = screened.role;
        if let Outcome::Refused(problem) = &screened.outcome {
            if let EndorseError::Proof { source, .. } = problem {
                report.proofs[index].signature = Some(Err(source.clone()));
            }
            report.problems.push(problem.clone());
        }
    }
    if issued.duration_since(now) > MAX_FUTURE_SKEW {
        report.problems.push(EndorseError::NotYetValid(issued.to_string()));
    }
    (report, screened)
}

/// What a proof says of itself, for the report (nothing verified).
fn describe(proof: &Value) -> ProofReport {
    let text = |name: &str| proof.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    ProofReport {
        purpose: text("proofPurpose"),
        verification_method: text("verificationMethod"),
        created: text("created"),
        cryptosuite: text("cryptosuite"),
        role: None,
        signature: None,
    }
}

/// Exactly one valid proof from each party in each suite (in `eddsa-jcs-2022`
/// only, for records made before agora added `eddsa-rdfc-2022` proofs).
fn account(report: &mut Report, screened: &[Screened], suites: Suites) {
    let has_rdfc = report.proofs.iter().any(|p| p.cryptosuite == Cryptosuite::Rdfc.name());
    for suite in [Cryptosuite::Jcs, Cryptosuite::Rdfc] {
        if suite == Cryptosuite::Rdfc && !has_rdfc && suites != Suites::Only(Cryptosuite::Rdfc) {
            continue; // recorded before agora added rdfc proofs
        }
        for role in [Role::Teacher, Role::Learner] {
            let (mut count, mut valid) = (0, 0);
            for (screened, proof) in screened.iter().zip(&report.proofs) {
                match &screened.outcome {
                    _ if screened.role != Some(role) => {}
                    Outcome::Check(checked) if checked.suite == suite => {
                        count += 1;
                        valid += usize::from(!matches!(proof.signature, Some(Err(_))));
                    }
                    Outcome::Repeated(repeated) if *repeated == suite => count += 1,
                    _ => {}
                }
            }
            if count > 1 {
                report.problems.push(EndorseError::DuplicateProof { role, suite: suite.name() });
            } else if valid != 1 {
                report.problems.push(EndorseError::MissingProof { role, suite: suite.name() });
            }
        }
    }
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
