//! Reading a presentation back: the envelope, the holder's proof (and the
//! challenge and domain the verifier asked for), then every credential in
//! full and the holder's part in it. Everything wrong is reported, in order.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::{Binding, HOLDER_PURPOSE, MAX_CREDENTIALS, MAX_PRESENTATION_BYTES, PresentationError, contexts_for};
use crate::endorse::credential::VC_CONTEXT;
use crate::endorse::data_integrity::{
    Cryptosuite, DocumentHashes, ProofError, parse_date, proof_info, verify_proof_in_set,
};
use crate::endorse::{Endorsement, Report, Suites, inspect_value, strict_json};
use crate::identity::{PublicKey, did_key_from_public, public_from_did_key};
use crate::market::Role;
use crate::wire::MAX_FUTURE_SKEW;

const FIELDS: &[&str] = &["@context", "id", "type", "holder", "verifiableCredential"];

/// The holder's proof, as read and checked.
#[derive(Debug, Clone)]
pub struct HolderProof {
    pub cryptosuite: String,
    pub created: String,
    pub verification_method: String,
    pub purpose: String,
    pub challenge: Option<String>,
    pub domain: Option<String>,
    /// `None` when this check left the proof's cryptosuite out.
    pub signature: Option<Result<(), ProofError>>,
}

/// One presented credential: its full report, and who the holder is in it.
#[derive(Debug, Clone)]
pub struct CredentialEntry {
    pub report: Report,
    pub holder_role: Option<Role>,
}

#[derive(Debug, Clone, Default)]
pub struct PresentationReport {
    pub id: Option<String>,
    pub holder: Option<PublicKey>,
    pub proof: Option<HolderProof>,
    pub credentials: Vec<CredentialEntry>,
    /// Everything that keeps the presentation from verifying, in order.
    pub problems: Vec<PresentationError>,
    /// What the verifier asked the holder's proof to be bound to.
    pub request: Binding,
}

impl PresentationReport {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty() && !self.credentials.is_empty()
    }
}

/// Checks a presentation file against what the verifier asked for.
pub fn inspect_presentation(bytes: &[u8], now: Timestamp, request: &Binding, suites: Suites) -> PresentationReport {
    let mut report = PresentationReport { request: request.clone(), ..Default::default() };
    let mut document = match strict_json::parse(bytes, MAX_PRESENTATION_BYTES) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return fail(report, PresentationError::NotAnObject),
        Err(e) => return fail(report, PresentationError::Json(e.to_string())),
    };
    let proofs = match document.remove("proof") {
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    // 1. The envelope: exactly what agora writes, so nothing in it can be
    //    read one way as JSON and another as JSON-LD.
    let Some(credentials) = envelope(&document, &mut report) else {
        return report;
    };
    // Each credential's shape first, only to bound canonicalization work.
    let shaped = credentials.iter().filter(|c| unsecured_shape(c).is_ok()).count();
    let contexts = contexts_for(shaped);

    // 2. The holder's proof over the whole presentation.
    let unsecured = Value::Object(document.clone());
    if proofs.len() != 1 {
        report.problems.push(PresentationError::ProofCount(proofs.len()));
    }
    if let Some(proof) = proofs.first() {
        holder_proof(&unsecured, &proofs, proof, now, suites, &contexts, &mut report);
    }

    // 3. Every credential in full, and the holder's part in each.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, credential) in credentials.iter().enumerate() {
        let credential_report =
            inspect_value(credential.clone(), now, suites, crate::endorse::rdfc::ContextSet::builtin());
        for error in &credential_report.problems {
            report.problems.push(PresentationError::Credential { index, error: error.clone() });
        }
        if let Err(shape) = &credential_report.claims {
            report.problems.push(PresentationError::Credential { index, error: shape.clone().into() });
        }
        let holder_role = credential_report.claims.as_ref().ok().and_then(|claims| {
            let role = report.holder.and_then(|holder| crate::endorse::report::role_of(claims, &holder));
            if role.is_none() && report.holder.is_some() {
                report.problems.push(PresentationError::NotHolders {
                    index,
                    teacher: did_key_from_public(&claims.teacher.key),
                    learner: did_key_from_public(&claims.learner.key),
                });
            }
            if let Some(first) = seen.insert(claims.id.clone(), index) {
                report.problems.push(PresentationError::Duplicate { index, first, id: claims.id.clone() });
            }
            role
        });
        report.credentials.push(CredentialEntry { report: credential_report, holder_role });
    }
    report
}

/// Checks the envelope fields; returns the credentials when they are a list.
fn envelope(document: &Map<String, Value>, report: &mut PresentationReport) -> Option<Vec<Value>> {
    if let Some(extra) = document.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        report.problems.push(PresentationError::UnexpectedField(extra.clone()));
    }
    let context = document.get("@context");
    if context != Some(&Value::Array(vec![VC_CONTEXT.into()])) {
        let found = context.map_or("nothing".to_owned(), |c| c.to_string());
        report.problems.push(PresentationError::Context(found.chars().take(200).collect()));
    }
    let types = document.get("type");
    if types != Some(&Value::Array(vec![super::PRESENTATION_TYPE.into()]))
        && types != Some(&Value::String(super::PRESENTATION_TYPE.into()))
    {
        report.problems.push(PresentationError::NotAPresentation);
    }
    match document.get("id") {
        None => {}
        Some(Value::String(id)) => report.id = Some(id.clone()),
        Some(_) => report.problems.push(PresentationError::UnexpectedField("id".into())),
    }
    report.holder = document.get("holder").and_then(Value::as_str).and_then(|d| public_from_did_key(d).ok());
    if report.holder.is_none() {
        report.problems.push(PresentationError::Holder);
    }
    let credentials = match document.get("verifiableCredential") {
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => {
            report.problems.push(PresentationError::Credentials);
            return None;
        }
    };
    if credentials.is_empty() {
        report.problems.push(PresentationError::Empty);
    }
    if credentials.len() > MAX_CREDENTIALS {
        report.problems.push(PresentationError::TooManyCredentials(credentials.len()));
        return None;
    }
    Some(credentials)
}

fn holder_proof(
    unsecured: &Value,
    proofs: &[Value],
    proof: &Value,
    now: Timestamp,
    suites: Suites,
    contexts: &crate::endorse::rdfc::ContextSet,
    report: &mut PresentationReport,
) {
    let info = match proof_info(proof) {
        Ok(info) => info,
        Err(e) => return report.problems.push(PresentationError::Proof(e)),
    };
    let suite = Cryptosuite::parse(&info.cryptosuite);
    let checked = suites.checks(suite);
    let result = checked.then(|| verify_proof_in_set(unsecured, proofs, 0, &mut DocumentHashes::default(), contexts));
    match &result {
        Some(Ok(signer)) if Some(*signer) != report.holder => {
            report.problems.push(PresentationError::NotHolder(did_key_from_public(signer)))
        }
        Some(Err(e)) => report.problems.push(PresentationError::Proof(e.clone())),
        _ => {}
    }
    if info.purpose != HOLDER_PURPOSE {
        report.problems.push(PresentationError::WrongPurpose(info.purpose.clone()));
    }
    if let Some(created) = parse_date(&info.created)
        && created.duration_since(now) > MAX_FUTURE_SKEW
    {
        report.problems.push(PresentationError::NotYetValid(info.created.clone()));
    }
    if let Some(expires) = info.expires.as_deref().and_then(parse_date)
        && expires < now
    {
        report.problems.push(PresentationError::Expired(expires.to_string()));
    }
    let quoted = |v: &Option<String>| v.as_ref().map_or("none".to_owned(), |v| format!("`{v}`"));
    if let Some(expected) = &report.request.challenge
        && info.challenge.as_ref() != Some(expected)
    {
        let found = quoted(&info.challenge);
        report.problems.push(PresentationError::Challenge { expected: expected.clone(), found });
    }
    if let Some(expected) = &report.request.domain
        && info.domain.as_ref() != Some(expected)
    {
        let found = quoted(&info.domain);
        report.problems.push(PresentationError::Domain { expected: expected.clone(), found });
    }
    report.proof = Some(HolderProof {
        cryptosuite: info.cryptosuite,
        created: info.created,
        verification_method: info.verification_method,
        purpose: info.purpose,
        challenge: info.challenge,
        domain: info.domain,
        signature: result.map(|r| r.map(|_| ())),
    });
}

fn unsecured_shape(credential: &Value) -> Result<Endorsement, crate::endorse::ShapeError> {
    let mut unsecured = credential.clone();
    if let Some(map) = unsecured.as_object_mut() {
        map.remove("proof");
    }
    Endorsement::from_document(&unsecured)
}

fn fail(mut report: PresentationReport, problem: PresentationError) -> PresentationReport {
    report.problems.push(problem);
    report
}
