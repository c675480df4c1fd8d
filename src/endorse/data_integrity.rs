//! W3C Data Integrity proofs with the `eddsa-jcs-2022` cryptosuite:
//! `sha256(jcs(proof config)) || sha256(jcs(document))`, signed with Ed25519,
//! encoded as multibase base58btc. Also resolves proof sets and chains
//! (`previousProof`) to the document each proof actually covers.

use jiff::Timestamp;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

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
    #[error("cryptosuite `{0}` is not supported here (agora verifies eddsa-jcs-2022)")]
    UnsupportedCryptosuite(String),
    #[error("proof value is not a base58btc Ed25519 signature")]
    BadProofValue,
    #[error("verification method: {0}")]
    BadVerificationMethod(String),
    #[error("proof @context does not match the document's @context")]
    ContextMismatch,
    #[error("`created` is not an RFC 3339 date-time in range")]
    BadCreated,
    #[error("previousProof `{0}` names no proof in this document")]
    MissingPreviousProof(String),
    #[error("signature does not verify")]
    BadSignature,
    #[error("could not canonicalize: {0}")]
    Canonicalize(String),
}

/// What to put in a new proof.
pub struct ProofOptions<'a> {
    pub created: Timestamp,
    pub purpose: &'a str,
    pub id: Option<&'a str>,
    pub previous_proof: Option<Value>,
}

/// SHA-256 of the JCS form of a document (without its `proof`).
pub fn document_hash(unsecured: &Value) -> Result<[u8; 32], ProofError> {
    let canonical = serde_json_canonicalizer::to_vec(unsecured).map_err(|e| ProofError::Canonicalize(e.to_string()))?;
    Ok(Sha256::digest(&canonical).into())
}

/// Creates a proof over `unsecured` (which must not hold a `proof`; for a
/// chained proof, pass the document with the previous proofs attached).
pub fn create_proof(unsecured: &Value, signer: &Identity, options: ProofOptions<'_>) -> Result<Value, ProofError> {
    let mut proof = Map::new();
    proof.insert("type".into(), PROOF_TYPE.into());
    if let Some(id) = options.id {
        proof.insert("id".into(), id.into());
    }
    proof.insert("cryptosuite".into(), CRYPTOSUITE_JCS.into());
    proof.insert("created".into(), format_date(options.created).into());
    proof.insert("verificationMethod".into(), verification_method(&signer.public()).into());
    proof.insert("proofPurpose".into(), options.purpose.into());
    if let Some(previous) = options.previous_proof {
        proof.insert("previousProof".into(), previous);
    }
    if let Some(context) = unsecured.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    let hash = hash_data(&Value::Object(proof.clone()), &document_hash(unsecured)?)?;
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
}

/// Reads the descriptive fields of a proof without verifying it.
pub fn proof_info(proof: &Value) -> Result<ProofInfo, ProofError> {
    let field = |name: &'static str| {
        proof.get(name).and_then(Value::as_str).map(str::to_owned).ok_or(ProofError::MissingField(name))
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
    })
}

/// Verifies proof `index` of a secured document (convenience over
/// [`verify_proof_in_set`]).
pub fn verify_proof(secured: &Value, index: usize) -> Result<PublicKey, ProofError> {
    let mut unsecured = secured.clone();
    let proofs = match unsecured.as_object_mut().and_then(|m| m.remove("proof")) {
        Some(Value::Array(items)) => items,
        Some(one) => vec![one],
        None => Vec::new(),
    };
    verify_proof_in_set(&unsecured, &proofs, index, &document_hash(&unsecured)?)
}

/// Verifies `proofs[index]` over `unsecured` (the document without its
/// `proof`), whose hash the caller computed once for the whole set. A proof
/// naming `previousProof` covers the document with those proofs attached.
pub fn verify_proof_in_set(
    unsecured: &Value,
    proofs: &[Value],
    index: usize,
    unsecured_hash: &[u8; 32],
) -> Result<PublicKey, ProofError> {
    let proof = proofs.get(index).ok_or(ProofError::NotAnObject)?;
    let object = proof.as_object().ok_or(ProofError::NotAnObject)?;
    let info = proof_info(proof)?;
    let kind = object.get("type").and_then(Value::as_str).ok_or(ProofError::MissingField("type"))?;
    if kind != PROOF_TYPE {
        return Err(ProofError::WrongType(kind.to_owned()));
    }
    if info.cryptosuite != CRYPTOSUITE_JCS {
        return Err(ProofError::UnsupportedCryptosuite(info.cryptosuite));
    }
    parse_date(&info.created).ok_or(ProofError::BadCreated)?;
    let key = public_from_verification_method(&info.verification_method)
        .map_err(|e| ProofError::BadVerificationMethod(e.to_string()))?;
    let signature = decode_proof_value(object.get("proofValue"))?;
    if let Some(context) = object.get("@context")
        && unsecured.get("@context") != Some(context)
    {
        return Err(ProofError::ContextMismatch);
    }
    let chained_hash;
    let doc_hash = if info.previous_proof.is_empty() {
        unsecured_hash
    } else {
        let mut chained = Vec::new();
        for wanted in &info.previous_proof {
            let found = proofs.iter().find(|p| p.get("id").and_then(Value::as_str) == Some(wanted.as_str()));
            chained.push(found.cloned().ok_or_else(|| ProofError::MissingPreviousProof(wanted.clone()))?);
        }
        let mut covered = unsecured.clone();
        let attached = if chained.len() == 1 { chained.remove(0) } else { Value::Array(chained) };
        covered.as_object_mut().ok_or(ProofError::NotAnObject)?.insert("proof".into(), attached);
        chained_hash = document_hash(&covered)?;
        &chained_hash
    };
    let mut config = object.clone();
    config.remove("proofValue");
    let hash = hash_data(&Value::Object(config), doc_hash)?;
    if key.verify(&hash, &signature) { Ok(key) } else { Err(ProofError::BadSignature) }
}

pub fn hash_data(proof_config: &Value, doc_hash: &[u8; 32]) -> Result<[u8; 64], ProofError> {
    let canonical =
        serde_json_canonicalizer::to_vec(proof_config).map_err(|e| ProofError::Canonicalize(e.to_string()))?;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(&canonical));
    out[32..].copy_from_slice(doc_hash);
    Ok(out)
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
