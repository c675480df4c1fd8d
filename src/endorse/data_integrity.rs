//! W3C Data Integrity proofs with the EdDSA cryptosuites:
//! `sha256(canonical proof config) || sha256(canonical document)`, signed
//! with Ed25519, encoded as multibase base58btc. Also resolves proof sets
//! and chains (`previousProof`) to the document each proof actually covers.

mod suite;

pub use suite::{Cryptosuite, DocumentHashes};

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::endorse::rdfc::{ContextSet, RdfcError};
use crate::identity::{Identity, PublicKey, public_from_verification_method, verification_method};

pub const PROOF_TYPE: &str = "DataIntegrityProof";
pub const CRYPTOSUITE_JCS: &str = "eddsa-jcs-2022";

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum ProofError {
    #[error("proof is not a JSON object")]
    NotAnObject,
    #[error("proof field `{0}` is missing or not a string")]
    MissingField(&'static str),
    #[error("proof type `{0}` is not DataIntegrityProof")]
    WrongType(String),
    #[error("cryptosuite `{0}` is not supported (agora verifies eddsa-jcs-2022 and eddsa-rdfc-2022)")]
    UnsupportedCryptosuite(String),
    #[error("proof value is not a base58btc Ed25519 signature")]
    BadProofValue,
    #[error("verification method: {0}")]
    BadVerificationMethod(String),
    #[error("proof @context does not match the document's @context")]
    ContextMismatch,
    #[error("`created` is not an RFC 3339 date-time in range")]
    BadCreated,
    #[error("`expires` is not an RFC 3339 date-time in range")]
    BadExpires,
    #[error("previousProof `{0}` names no proof in this document")]
    MissingPreviousProof(String),
    #[error("signature does not verify")]
    BadSignature,
    #[error("could not canonicalize: {0}")]
    Canonicalize(String),
    #[error(transparent)]
    Rdfc(#[from] RdfcError),
}

/// What to put in a new proof.
pub struct ProofOptions<'a> {
    pub cryptosuite: Cryptosuite,
    pub created: Timestamp,
    pub purpose: &'a str,
    pub id: Option<&'a str>,
    pub previous_proof: Option<Value>,
    /// A verifier's nonce, for a presentation made on request.
    pub challenge: Option<&'a str>,
    /// The verifier the proof is meant for.
    pub domain: Option<&'a str>,
}

impl<'a> ProofOptions<'a> {
    /// An `eddsa-jcs-2022` proof with no id and no chain.
    pub fn jcs(created: Timestamp, purpose: &'a str) -> Self {
        Self::new(Cryptosuite::Jcs, created, purpose)
    }

    /// A proof in `cryptosuite` with no id, chain, challenge or domain.
    pub fn new(cryptosuite: Cryptosuite, created: Timestamp, purpose: &'a str) -> Self {
        Self { cryptosuite, created, purpose, id: None, previous_proof: None, challenge: None, domain: None }
    }
}

/// SHA-256 of the JCS form of a document (without its `proof`).
pub fn document_hash(unsecured: &Value) -> Result<[u8; 32], ProofError> {
    Cryptosuite::Jcs.hash(unsecured, ContextSet::builtin())
}

/// Creates a proof over `unsecured` (which must not hold a `proof`; for a
/// chained proof, pass the document with the previous proofs attached).
pub fn create_proof(unsecured: &Value, signer: &Identity, options: ProofOptions<'_>) -> Result<Value, ProofError> {
    create_proof_with(unsecured, signer, options, ContextSet::builtin())
}

/// [`create_proof`] with a chosen set of JSON-LD contexts (for RDFC).
pub fn create_proof_with(
    unsecured: &Value,
    signer: &Identity,
    options: ProofOptions<'_>,
    contexts: &ContextSet,
) -> Result<Value, ProofError> {
    let suite = options.cryptosuite;
    let mut proof = Map::new();
    proof.insert("type".into(), PROOF_TYPE.into());
    if let Some(id) = options.id {
        proof.insert("id".into(), id.into());
    }
    proof.insert("cryptosuite".into(), suite.name().into());
    proof.insert("created".into(), format_date(options.created).into());
    proof.insert("verificationMethod".into(), verification_method(&signer.public()).into());
    proof.insert("proofPurpose".into(), options.purpose.into());
    if let Some(previous) = options.previous_proof {
        proof.insert("previousProof".into(), previous);
    }
    if let Some(challenge) = options.challenge {
        proof.insert("challenge".into(), challenge.into());
    }
    if let Some(domain) = options.domain {
        proof.insert("domain".into(), domain.into());
    }
    if let (Cryptosuite::Jcs, Some(context)) = (suite, unsecured.get("@context")) {
        proof.insert("@context".into(), context.clone());
    }
    let config = suite.config(&proof, unsecured.get("@context"));
    let hash = suite.hash_data(&config, &suite.hash(unsecured, contexts)?, contexts)?;
    let signature = signer.sign(&hash);
    proof.insert("proofValue".into(), format!("z{}", bs58::encode(signature).into_string()).into());
    Ok(Value::Object(proof))
}

/// The fields of a proof that verification reports on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofInfo {
    pub id: Option<String>,
    pub purpose: String,
    pub verification_method: String,
    pub created: String,
    pub cryptosuite: String,
    pub previous_proof: Vec<String>,
    pub challenge: Option<String>,
    pub domain: Option<String>,
    /// When the proof stops being valid, if it says.
    pub expires: Option<String>,
}

/// Reads the descriptive fields of a proof without verifying it.
pub fn proof_info(proof: &Value) -> Result<ProofInfo, ProofError> {
    let field = |name: &'static str| {
        proof.get(name).and_then(Value::as_str).map(str::to_owned).ok_or(ProofError::MissingField(name))
    };
    let optional = |name: &'static str| match proof.get(name) {
        None => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ProofError::MissingField(name)),
    };
    let previous_proof = match proof.get("previousProof") {
        None => Vec::new(),
        Some(Value::String(id)) => vec![id.clone()],
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|id| id.as_str().map(str::to_owned).ok_or(ProofError::MissingField("previousProof")))
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(ProofError::MissingField("previousProof")),
    };
    Ok(ProofInfo {
        id: proof.get("id").and_then(Value::as_str).map(str::to_owned),
        purpose: field("proofPurpose")?,
        verification_method: field("verificationMethod")?,
        created: field("created")?,
        cryptosuite: field("cryptosuite")?,
        previous_proof,
        challenge: optional("challenge")?,
        domain: optional("domain")?,
        expires: optional("expires")?,
    })
}

/// Verifies proof `index` of a secured document with the builtin contexts.
pub fn verify_proof(secured: &Value, index: usize) -> Result<PublicKey, ProofError> {
    verify_proof_with(secured, index, ContextSet::builtin())
}

/// [`verify_proof`] with a chosen set of JSON-LD contexts (for RDFC).
pub fn verify_proof_with(secured: &Value, index: usize, contexts: &ContextSet) -> Result<PublicKey, ProofError> {
    let mut unsecured = secured.clone();
    let proofs = match unsecured.as_object_mut().and_then(|m| m.remove("proof")) {
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    verify_proof_in_set(&unsecured, &proofs, index, &mut DocumentHashes::default(), contexts)
}

/// Verifies `proofs[index]` over `unsecured` (the document without its
/// `proof`), sharing document hashes across the set. A proof naming
/// `previousProof` covers the document with those proofs attached.
pub fn verify_proof_in_set(
    unsecured: &Value,
    proofs: &[Value],
    index: usize,
    hashes: &mut DocumentHashes,
    contexts: &ContextSet,
) -> Result<PublicKey, ProofError> {
    let proof = proofs.get(index).ok_or(ProofError::NotAnObject)?;
    let object = proof.as_object().ok_or(ProofError::NotAnObject)?;
    let info = proof_info(proof)?;
    let kind = object.get("type").and_then(Value::as_str).ok_or(ProofError::MissingField("type"))?;
    if kind != PROOF_TYPE {
        return Err(ProofError::WrongType(kind.to_owned()));
    }
    let suite = Cryptosuite::parse(&info.cryptosuite).ok_or(ProofError::UnsupportedCryptosuite(info.cryptosuite))?;
    parse_date(&info.created).ok_or(ProofError::BadCreated)?;
    if let Some(expires) = &info.expires {
        parse_date(expires).ok_or(ProofError::BadExpires)?;
    }
    let key = public_from_verification_method(&info.verification_method)
        .map_err(|e| ProofError::BadVerificationMethod(e.to_string()))?;
    let signature = decode_proof_value(object.get("proofValue"))?;
    if let Some(context) = object.get("@context")
        && unsecured.get("@context") != Some(context)
    {
        return Err(ProofError::ContextMismatch);
    }
    let doc_hash = if info.previous_proof.is_empty() {
        hashes.get(suite, unsecured, contexts)?
    } else {
        let mut chained = Vec::new();
        for wanted in &info.previous_proof {
            let found = proofs.iter().find(|p| p.get("id").and_then(Value::as_str) == Some(wanted.as_str()));
            chained.push(found.cloned().ok_or_else(|| ProofError::MissingPreviousProof(wanted.clone()))?);
        }
        let mut covered = unsecured.clone();
        let attached = if chained.len() == 1 { chained.remove(0) } else { Value::Array(chained) };
        covered.as_object_mut().ok_or(ProofError::NotAnObject)?.insert("proof".into(), attached);
        suite.hash(&covered, contexts)?
    };
    let config = suite.config(object, unsecured.get("@context"));
    let hash = suite.hash_data(&config, &doc_hash, contexts)?;
    if key.verify(&hash, &signature) { Ok(key) } else { Err(ProofError::BadSignature) }
}

/// The JCS `hashData` for a proof config and a document hash.
pub fn hash_data(proof_config: &Value, doc_hash: &[u8; 32]) -> Result<[u8; 64], ProofError> {
    Cryptosuite::Jcs.hash_data(proof_config, doc_hash, ContextSet::builtin())
}

fn decode_proof_value(value: Option<&Value>) -> Result<[u8; 64], ProofError> {
    let text = value.and_then(Value::as_str).ok_or(ProofError::MissingField("proofValue"))?;
    let encoded = text.strip_prefix('z').ok_or(ProofError::BadProofValue)?;
    if encoded.len() > 90 {
        return Err(ProofError::BadProofValue);
    }
    let bytes = bs58::decode(encoded).into_vec().map_err(|_| ProofError::BadProofValue)?;
    bytes.try_into().map_err(|_| ProofError::BadProofValue)
}

/// `2026-11-25T10:00:00Z`: whole seconds, UTC, as credentials write dates.
pub fn format_date(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Parses an RFC 3339 date-time with an explicit offset.
pub fn parse_date(text: &str) -> Option<Timestamp> {
    if text.len() > 40 {
        return None;
    }
    text.parse::<Timestamp>().ok()
}
