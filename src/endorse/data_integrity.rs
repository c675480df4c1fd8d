//! W3C Data Integrity proofs with the EdDSA cryptosuites:
//! `sha256(canonical proof config) || sha256(canonical document)`, signed
//! with Ed25519, encoded as multibase base58btc. Also resolves proof sets
//! and chains (`previousProof`) to the document each proof actually covers.
//! Every rule that needs no hashing is checked first ([`check_proof`]), so
//! a proof that breaks one costs no canonicalization.

mod chain;
mod suite;

pub use suite::{Cryptosuite, DocumentHashes, canonicalizations};

use jiff::Timestamp;
use serde_json::{Map, Value};

use crate::endorse::rdfc::{ContextSet, RdfcError};
use crate::identity::{Identity, PublicKey, public_from_verification_method, verification_method};

pub const PROOF_TYPE: &str = "DataIntegrityProof";
pub const CRYPTOSUITE_JCS: &str = "eddsa-jcs-2022";
/// Most proofs one document may carry (agora's records carry four).
pub const MAX_PROOFS: usize = 8;
/// Most ids one proof's `previousProof` may name: every other proof once.
pub const MAX_PREVIOUS_PROOFS: usize = MAX_PROOFS - 1;

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
    #[error("previousProof names {found} proofs; at most {max} are read")]
    TooManyPreviousProofs { found: usize, max: usize },
    #[error("previousProof names `{0}` more than once")]
    DuplicatePreviousProof(String),
    #[error("previousProof names the proof itself (`{0}`)")]
    SelfPreviousProof(String),
    #[error("more than one proof in this document has the id `{0}`")]
    DuplicateProofId(String),
    #[error("the document carries {found} proofs; at most {max} are read")]
    TooManyProofs { found: usize, max: usize },
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
        Some(Value::Array(ids)) if ids.len() > MAX_PREVIOUS_PROOFS => {
            return Err(ProofError::TooManyPreviousProofs { found: ids.len(), max: MAX_PREVIOUS_PROOFS });
        }
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
    let object = secured.as_object().ok_or(ProofError::NotAnObject)?;
    let proofs = match object.get("proof") {
        Some(Value::Array(items)) => items.as_slice(),
        Some(one) => std::slice::from_ref(one),
        None => &[],
    };
    // The secured document has the same `@context`; nothing is copied
    // before the proof passes every check that needs no hashing.
    let checked = check_proof(secured, proofs, index)?;
    let unsecured: Map<String, Value> =
        object.iter().filter(|(key, _)| *key != "proof").map(|(k, v)| (k.clone(), v.clone())).collect();
    verify_checked(&Value::Object(unsecured), proofs, &checked, &mut DocumentHashes::default(), contexts)
}

/// A proof that passed every rule checked without hashing: what remains
/// is to hash what it covers and check its signature.
#[derive(Debug, Clone)]
pub struct CheckedProof {
    pub index: usize,
    pub suite: Cryptosuite,
    pub key: PublicKey,
    pub info: ProofInfo,
    signature: [u8; 64],
    /// The proofs it chains to (indices in the set), in the order named.
    previous: Vec<usize>,
}

/// Checks `proofs[index]` against everything that needs no hashing: the
/// size of the set, the proof's type, fields, cryptosuite, dates, key,
/// signature encoding and `@context`, and that its `previousProof` ids are
/// few, distinct, not its own, and each name exactly one proof of the set.
pub fn check_proof(unsecured: &Value, proofs: &[Value], index: usize) -> Result<CheckedProof, ProofError> {
    if proofs.len() > MAX_PROOFS {
        return Err(ProofError::TooManyProofs { found: proofs.len(), max: MAX_PROOFS });
    }
    let proof = proofs.get(index).ok_or(ProofError::NotAnObject)?;
    let object = proof.as_object().ok_or(ProofError::NotAnObject)?;
    let info = proof_info(proof)?;
    let kind = object.get("type").and_then(Value::as_str).ok_or(ProofError::MissingField("type"))?;
    if kind != PROOF_TYPE {
        return Err(ProofError::WrongType(kind.chars().take(100).collect()));
    }
    let suite = Cryptosuite::parse(&info.cryptosuite)
        .ok_or_else(|| ProofError::UnsupportedCryptosuite(info.cryptosuite.chars().take(100).collect()))?;
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
    let previous = chain::resolve(proofs, index, &info.previous_proof)?;
    Ok(CheckedProof { index, suite, key, info, signature, previous })
}

/// Hashes what a checked proof covers (each document variant once per
/// `hashes`) and checks its signature.
pub fn verify_checked(
    unsecured: &Value,
    proofs: &[Value],
    checked: &CheckedProof,
    hashes: &mut DocumentHashes,
    contexts: &ContextSet,
) -> Result<PublicKey, ProofError> {
    let suite = checked.suite;
    let object = proofs.get(checked.index).and_then(Value::as_object).ok_or(ProofError::NotAnObject)?;
    let doc_hash = if checked.previous.is_empty() {
        hashes.get(suite, unsecured, contexts)?
    } else {
        hashes.get_chained(suite, unsecured, proofs, &checked.previous, contexts)?
    };
    let config = suite.config(object, unsecured.get("@context"));
    let hash = suite.hash_data(&config, &doc_hash, contexts)?;
    if checked.key.verify(&hash, &checked.signature) { Ok(checked.key) } else { Err(ProofError::BadSignature) }
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
    let checked = check_proof(unsecured, proofs, index)?;
    verify_checked(unsecured, proofs, &checked, hashes, contexts)
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
