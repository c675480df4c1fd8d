//! RDF Dataset Canonicalization for `eddsa-rdfc-2022` proofs: JSON-LD to
//! RDF with bundled contexts only (never a network fetch), then RDFC-1.0 to
//! canonical N-Quads. Always in "safe mode": a term, type or IRI that no
//! context defines is an error, not silently dropped from what is signed.

mod canon;
mod contexts;
mod nquads;
mod recent;
mod to_rdf;

pub use contexts::{ContextSet, OB_CONTEXT_URL, VC_CONTEXT_URL};

/// Why a document could not be canonicalized.
#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum RdfcError {
    #[error("context `{0}` is not bundled with agora (nothing is fetched)")]
    UnknownContext(String),
    #[error("JSON-LD: {0}")]
    JsonLd(String),
    #[error("JSON-LD safe mode: {0}")]
    Undefined(String),
    /// A blank node related to others under one hash, one of them by
    /// several quads: rdf-canonize leaves out some orders of such a list.
    #[error(
        "blank nodes in this document are related in a way RDF canonicalizers are not known to agree on; use eddsa-jcs-2022"
    )]
    Ambiguous,
    #[error("too many blank nodes in this document look alike to canonicalize")]
    TooSymmetric,
    #[error("document too complex to canonicalize ({found} blank nodes; the limit is {max})")]
    TooComplex { found: usize, max: usize },
}

/// Forgets remembered canonicalizations, so the next ones are computed
/// (what a verifier meeting a document for the first time pays).
pub fn forget_recent() {
    recent::forget();
}

/// The RDFC-1.0 canonical N-Quads of a JSON-LD document. Co-signing
/// canonicalizes the same credential and proof configurations on every
/// step, so recent results are remembered.
pub fn canonicalize(document: &serde_json::Value, contexts: &ContextSet) -> Result<String, RdfcError> {
    let key = recent::key(document, contexts);
    if let Some(hit) = key.as_ref().and_then(recent::get) {
        return Ok(hit);
    }
    let dataset = to_rdf::to_dataset(document, contexts)?;
    nquads::check_safe(&dataset, contexts.max_blank_nodes())?;
    let canonical = nquads::canonical(dataset)?;
    if let Some(key) = key {
        recent::put(key, &canonical);
    }
    Ok(canonical)
}
