//! Verifiable Presentations: a holder wraps endorsements they took part in
//! (as learner or teacher), and hubs' validations of their learning, and
//! signs the whole with an `authentication`
//! proof, optionally bound to a verifier's `challenge` and `domain` so an
//! old presentation cannot be replayed to a verifier who asked for a fresh
//! one. Reading one back checks the envelope, the holder's proof, and every
//! credential in full, and that the holder is a party to each (the learner
//! of each validation).

mod check;
mod error;
mod holder;
mod selection;

pub use check::{CredentialEntry, HolderProof, PresentationReport, ValidationEntry, inspect_presentation};
pub use error::PresentationError;
pub use selection::{Selection, verified, verified_validations};

use jiff::Timestamp;
use serde_json::{Value, json};

use super::data_integrity::{Cryptosuite, ProofOptions, create_proof_with};
use super::rdfc::ContextSet;
use super::validation::VerifiedValidation;
use super::{VerifiedEndorsement, strict_json};
use crate::identity::Identity;
use crate::identity::did_key_from_public;

pub const PRESENTATION_TYPE: &str = "VerifiablePresentation";
/// The holder proves control of their key; not a claim of issuance.
pub const HOLDER_PURPOSE: &str = "authentication";
/// Largest presentation file agora reads (a thousand endorsements fit).
pub const MAX_PRESENTATION_BYTES: usize = 16 << 20;
pub const MAX_CREDENTIALS: usize = 2000;
/// Most JSON values a presentation file may hold: as many credentials as
/// agora reads, each as large as an endorsement file may be in values.
pub const MAX_PRESENTATION_VALUES: usize = MAX_CREDENTIALS * super::MAX_ENDORSEMENT_VALUES + 64;
/// Longest `challenge` or `domain` agora writes or reads.
pub const MAX_BINDING_CHARS: usize = 256;

/// What the holder's proof binds the presentation to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Binding {
    pub challenge: Option<String>,
    pub domain: Option<String>,
}

/// Blank nodes RDF canonicalization may meet: a dozen per credential (its
/// graph, criteria, two evidence entries, four proofs and their graphs).
pub(crate) fn contexts_for(credentials: usize) -> ContextSet {
    ContextSet::builtin().with_blank_node_limit(16 * credentials + 16)
}

/// The holder's signed presentation of `credentials`, as file bytes.
pub fn present(
    holder: &Identity,
    credentials: &[VerifiedEndorsement],
    suite: Cryptosuite,
    binding: &Binding,
    now: Timestamp,
) -> Result<Vec<u8>, PresentationError> {
    present_with(holder, credentials, &[], suite, binding, now)
}

/// [`present`] with hubs' validations of the holder's learning after the
/// endorsements; the holder must be the learner each validation is about.
pub fn present_with(
    holder: &Identity,
    credentials: &[VerifiedEndorsement],
    validations: &[VerifiedValidation],
    suite: Cryptosuite,
    binding: &Binding,
    now: Timestamp,
) -> Result<Vec<u8>, PresentationError> {
    let count = credentials.len() + validations.len();
    if count > MAX_CREDENTIALS {
        return Err(PresentationError::TooManyCredentials(count));
    }
    for (field, value) in [("challenge", &binding.challenge), ("domain", &binding.domain)] {
        if value.as_ref().is_some_and(|v| v.chars().count() > MAX_BINDING_CHARS) {
            return Err(PresentationError::BindingTooLong { field, max: MAX_BINDING_CHARS });
        }
    }
    if let Some((index, other)) =
        validations.iter().enumerate().find(|(_, v)| v.validation().learner.key != holder.public())
    {
        let learner = did_key_from_public(&other.validation().learner.key);
        return Err(PresentationError::NotSubject { index: credentials.len() + index, learner });
    }
    let embedded = credentials
        .iter()
        .map(|c| strict_json::parse(c.bytes(), super::MAX_ENDORSEMENT_BYTES))
        .chain(validations.iter().map(|v| strict_json::parse(v.bytes(), super::validation::MAX_VALIDATION_BYTES)))
        .collect::<Result<Vec<Value>, _>>()
        .map_err(|e| PresentationError::Json(e.to_string()))?;
    let mut document = json!({
        "@context": [super::credential::VC_CONTEXT],
        "id": format!("urn:uuid:{}", random_uuid()),
        "type": [PRESENTATION_TYPE],
        "holder": holder.did(),
        "verifiableCredential": embedded,
    });
    let options = ProofOptions {
        challenge: binding.challenge.as_deref(),
        domain: binding.domain.as_deref(),
        ..ProofOptions::new(suite, now, HOLDER_PURPOSE)
    };
    let proof =
        create_proof_with(&document, holder, options, &contexts_for(count)).map_err(PresentationError::Proof)?;
    document["proof"] = proof;
    let mut bytes = serde_json::to_vec_pretty(&document).map_err(|e| PresentationError::Json(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn random_uuid() -> uuid::Uuid {
    let mut bytes = [0u8; 16];
    // Without an OS random source the id is still unique enough per holder
    // and time; it is not a secret.
    if getrandom::fill(&mut bytes).is_err() {
        bytes[..8].copy_from_slice(&Timestamp::now().as_nanosecond().to_le_bytes()[..8]);
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes)
}

/// What a presentation holds, in words: "3 endorsements (4.5 h) and 1
/// hub's validation".
pub fn contents(endorsements: &[VerifiedEndorsement], validations: usize) -> String {
    let minutes: i64 = endorsements.iter().map(|e| e.endorsement().minutes()).sum();
    let endorsed = match endorsements.len() {
        0 => None,
        1 => Some(format!("1 endorsement ({:.1} h)", minutes as f64 / 60.0)),
        n => Some(format!("{n} endorsements ({:.1} h)", minutes as f64 / 60.0)),
    };
    let validated = match validations {
        0 => None,
        1 => Some("1 hub's validation".to_owned()),
        n => Some(format!("{n} hubs' validations")),
    };
    match (endorsed, validated) {
        (Some(e), Some(v)) => format!("{e} and {v}"),
        (e, v) => e.or(v).unwrap_or_else(|| "nothing".to_owned()),
    }
}

/// Whether a parsed JSON document says it is a presentation.
pub fn is_presentation(document: &Value) -> bool {
    match document.get("type") {
        Some(Value::String(t)) => t == PRESENTATION_TYPE,
        Some(Value::Array(types)) => types.iter().any(|t| t == PRESENTATION_TYPE),
        _ => false,
    }
}
