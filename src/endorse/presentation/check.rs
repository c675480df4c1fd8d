//! Reading a presentation back: the envelope, the holder's proof (and the
//! challenge and domain the verifier asked for), then every credential in
//! full and the holder's part in it: an endorsement they took part in, or
//! a hub's validation of their learning. Everything wrong is reported, in
//! order; nothing is hashed that a cheaper rule already refused.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::{Map, Value};

use super::{
    Binding, MAX_CREDENTIALS, MAX_PRESENTATION_BYTES, MAX_PRESENTATION_VALUES, PresentationError, contexts_for, holder,
};
use crate::endorse::credential::VC_CONTEXT;
use crate::endorse::data_integrity::ProofError;
use crate::endorse::rdfc::ContextSet;
use crate::endorse::report::passes_screening;
use crate::endorse::strict_json::{self, JsonError};
use crate::endorse::validation::{self, Validation, ValidationError, is_validation};
use crate::endorse::{EndorseError, MAX_ENDORSEMENT_BYTES, Report, ShapeError, Suites, inspect_value};
use crate::identity::{PublicKey, did_key_from_public, public_from_did_key};
use crate::market::Role;

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
    /// `None` when this check left the proof's cryptosuite out, or the
    /// presentation was refused by a rule checked before hashing.
    pub signature: Option<Result<(), ProofError>>,
}

/// One presented endorsement: its place in the presentation, its full
/// report, and who the holder is in it.
#[derive(Debug, Clone)]
pub struct CredentialEntry {
    pub index: usize,
    pub report: Report,
    pub holder_role: Option<Role>,
}

/// One presented hub's validation: its place in the presentation, and what
/// it says or why it does not verify.
#[derive(Debug, Clone)]
pub struct ValidationEntry {
    pub index: usize,
    pub validation: Result<Validation, ValidationError>,
}

#[derive(Debug, Clone, Default)]
pub struct PresentationReport {
    pub id: Option<String>,
    pub holder: Option<PublicKey>,
    pub proof: Option<HolderProof>,
    /// The endorsements presented.
    pub credentials: Vec<CredentialEntry>,
    /// The hubs' validations presented.
    pub validations: Vec<ValidationEntry>,
    /// Everything that keeps the presentation from verifying, in order.
    pub problems: Vec<PresentationError>,
    /// What the verifier asked the holder's proof to be bound to.
    pub request: Binding,
}

impl PresentationReport {
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty() && !(self.credentials.is_empty() && self.validations.is_empty())
    }

    /// The claims of the credentials in which the holder is the learner
    /// (what a hub counts).
    pub fn learned(&self) -> Vec<crate::endorse::Endorsement> {
        self.credentials
            .iter()
            .filter(|c| c.holder_role == Some(crate::market::Role::Learner))
            .filter_map(|c| c.report.claims.as_ref().ok().cloned())
            .collect()
    }
}

/// Checks a presentation file against what the verifier asked for. Every
/// rule that needs no hashing is checked first, for the envelope, every
/// credential and the holder's proof; the whole is hashed only when none
/// fails, and each credential's proofs only when they pass its own.
pub fn inspect_presentation(bytes: &[u8], now: Timestamp, request: &Binding, suites: Suites) -> PresentationReport {
    let mut report = PresentationReport { request: request.clone(), ..Default::default() };
    let mut document = match strict_json::parse_within(bytes, MAX_PRESENTATION_BYTES, MAX_PRESENTATION_VALUES) {
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
    if !envelope(&document, &mut report) {
        return report;
    }
    let mut unsecured = Value::Object(document);
    let credentials = credentials_of(&unsecured);
    let sound = report.problems.is_empty();

    // 2. Each credential is one agora would read on its own, and passes
    //    every rule checked before hashing.
    let oversized: Vec<Option<usize>> = credentials.iter().map(oversized).collect();
    let screened = sound
        && oversized.iter().all(Option::is_none)
        && credentials.iter().all(|credential| match is_validation(credential) {
            true => validation::screen(credential, now).is_ok(),
            false => passes_screening(credential, now),
        });
    let contexts = contexts_for(credentials.len());

    // 3. The holder's proof over the whole presentation.
    holder::check(&unsecured, &proofs, now, suites, &contexts, screened, &mut report);

    // 4. Every credential in full, and the holder's part in each.
    let credentials = match unsecured.as_object_mut().and_then(|map| map.remove("verifiableCredential")) {
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, (credential, oversized)) in credentials.into_iter().zip(oversized).enumerate() {
        if is_validation(&credential) {
            let checked = match oversized {
                Some(len) => {
                    Err(ValidationError::Json(JsonError::TooLarge { len, max: MAX_ENDORSEMENT_BYTES }.to_string()))
                }
                None => validation::verify_value(&credential, now, suites),
            };
            match &checked {
                Err(error) => report.problems.push(PresentationError::Validation { index, error: error.clone() }),
                Ok(v) => {
                    if report.holder.is_some_and(|holder| holder != v.learner.key) {
                        let learner = did_key_from_public(&v.learner.key);
                        report.problems.push(PresentationError::NotSubject { index, learner });
                    }
                    if let Some(first) = seen.insert(v.id.clone(), index) {
                        report.problems.push(PresentationError::Duplicate { index, first, id: v.id.clone() });
                    }
                }
            }
            report.validations.push(ValidationEntry { index, validation: checked });
            continue;
        }
        let credential_report = match oversized {
            Some(len) => too_large(len),
            None => inspect_value(credential, now, suites, ContextSet::builtin()),
        };
        for error in &credential_report.problems {
            report.problems.push(PresentationError::Credential { index, error: error.clone() });
        }
        if let (Err(shape), None) = (&credential_report.claims, oversized) {
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
        report.credentials.push(CredentialEntry { index, report: credential_report, holder_role });
    }
    report
}

/// Checks the envelope fields; false when there is no list of credentials
/// to go on with (or more than agora reads).
fn envelope(document: &Map<String, Value>, report: &mut PresentationReport) -> bool {
    if let Some(extra) = document.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        report.problems.push(PresentationError::UnexpectedField(extra.chars().take(100).collect()));
    }
    let context = document.get("@context");
    if context != Some(&Value::Array(vec![VC_CONTEXT.into()])) {
        let found = context.map_or("nothing".to_owned(), |c| c.to_string().chars().take(200).collect());
        report.problems.push(PresentationError::Context(found));
    }
    let types = document.get("type");
    if types != Some(&Value::Array(vec![super::PRESENTATION_TYPE.into()]))
        && types != Some(&Value::String(super::PRESENTATION_TYPE.into()))
    {
        report.problems.push(PresentationError::NotAPresentation);
    }
    match document.get("id") {
        None => {}
        Some(Value::String(id)) if is_urn_uuid(id) => report.id = Some(id.clone()),
        Some(Value::String(id)) => report.problems.push(PresentationError::Id(id.chars().take(100).collect())),
        Some(_) => report.problems.push(PresentationError::UnexpectedField("id".into())),
    }
    report.holder = document.get("holder").and_then(Value::as_str).and_then(|d| public_from_did_key(d).ok());
    if report.holder.is_none() {
        report.problems.push(PresentationError::Holder);
    }
    let count = match document.get("verifiableCredential") {
        Some(Value::Array(items)) if items.len() > MAX_CREDENTIALS => {
            report.problems.push(PresentationError::TooManyCredentials(items.len()));
            return false;
        }
        Some(Value::Array(items)) if items.iter().all(Value::is_object) => items.len(),
        Some(Value::Object(_)) => 1,
        _ => {
            report.problems.push(PresentationError::Credentials);
            return false;
        }
    };
    if count == 0 {
        report.problems.push(PresentationError::Empty);
    }
    true
}

fn is_urn_uuid(id: &str) -> bool {
    id.strip_prefix("urn:uuid:").is_some_and(|uuid| uuid.len() == 36 && uuid::Uuid::try_parse(uuid).is_ok())
}

/// The credentials of an envelope that [`envelope`] accepted.
fn credentials_of(document: &Value) -> &[Value] {
    match document.get("verifiableCredential") {
        Some(Value::Array(items)) => items,
        Some(one) => std::slice::from_ref(one),
        None => &[],
    }
}

/// The size of `credential` written compactly, when that is more than an
/// endorsement file may be (counted only up to the limit).
fn oversized(credential: &Value) -> Option<usize> {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            if self.0 > MAX_ENDORSEMENT_BYTES { Err(std::io::ErrorKind::FileTooLarge.into()) } else { Ok(bytes.len()) }
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, credential).is_err().then_some(counter.0)
}

/// The report of a credential refused for its size alone.
fn too_large(len: usize) -> Report {
    let error = EndorseError::Json(JsonError::TooLarge { len, max: MAX_ENDORSEMENT_BYTES });
    Report { claims: Err(ShapeError::Missing("document")), proofs: Vec::new(), problems: vec![error] }
}

fn fail(mut report: PresentationReport, problem: PresentationError) -> PresentationReport {
    report.problems.push(problem);
    report
}
