//! The two EdDSA cryptosuites: how each canonicalizes what it signs.
//! `eddsa-jcs-2022` uses RFC 8785 JSON canonicalization; `eddsa-rdfc-2022`
//! uses JSON-LD and RDF Dataset Canonicalization (bundled contexts only).

use std::cell::Cell;

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::ProofError;
use crate::endorse::rdfc::{self, ContextSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cryptosuite {
    Jcs,
    Rdfc,
}

impl Cryptosuite {
    pub fn name(self) -> &'static str {
        match self {
            Cryptosuite::Jcs => "eddsa-jcs-2022",
            Cryptosuite::Rdfc => "eddsa-rdfc-2022",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        [Cryptosuite::Jcs, Cryptosuite::Rdfc].into_iter().find(|s| s.name() == name)
    }

    /// The canonical text this suite signs for `value`.
    pub fn canonicalize(self, value: &Value, contexts: &ContextSet) -> Result<Vec<u8>, ProofError> {
        match self {
            Cryptosuite::Jcs => jcs(value),
            Cryptosuite::Rdfc => {
                count_canonicalization();
                Ok(rdfc::canonicalize(value, contexts)?.into_bytes())
            }
        }
    }

    pub fn hash(self, value: &Value, contexts: &ContextSet) -> Result<[u8; 32], ProofError> {
        Ok(Sha256::digest(self.canonicalize(value, contexts)?).into())
    }

    /// The proof configuration that is hashed: the proof without its value;
    /// for RDFC with the document's `@context`, which JCS proofs carry
    /// themselves.
    pub fn config(self, proof: &Map<String, Value>, document_context: Option<&Value>) -> Value {
        let mut config = proof.clone();
        config.remove("proofValue");
        if let (Cryptosuite::Rdfc, Some(context)) = (self, document_context) {
            config.insert("@context".into(), context.clone());
        }
        Value::Object(config)
    }

    /// `sha256(canonical config) || document hash`: the bytes signed.
    pub fn hash_data(self, config: &Value, doc_hash: &[u8; 32], contexts: &ContextSet) -> Result<[u8; 64], ProofError> {
        let mut out = [0u8; 64];
        out[..32].copy_from_slice(&self.hash(config, contexts)?);
        out[32..].copy_from_slice(doc_hash);
        Ok(out)
    }
}

/// The JCS form of anything serializable (a view of a document, say).
pub(super) fn jcs<T: Serialize>(value: &T) -> Result<Vec<u8>, ProofError> {
    count_canonicalization();
    serde_json_canonicalizer::to_vec(value).map_err(|e| ProofError::Canonicalize(e.to_string()))
}

thread_local! {
    static CANONICALIZATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count_canonicalization() {
    CANONICALIZATIONS.with(|count| count.set(count.get() + 1));
}

/// How many documents and proof configurations this thread has
/// canonicalized so far: tests read it to tell that a refusal came before
/// any hashing.
pub fn canonicalizations() -> u64 {
    CANONICALIZATIONS.with(Cell::get)
}

/// Hashes of one unsecured document, computed once per suite on demand and
/// shared by every proof of a set; and of each variant of it with previous
/// proofs attached, once per suite and list of proofs.
#[derive(Default)]
pub struct DocumentHashes {
    jcs: Option<[u8; 32]>,
    rdfc: Option<[u8; 32]>,
    chained: Vec<(Cryptosuite, Vec<usize>, [u8; 32])>,
}

impl DocumentHashes {
    pub fn get(
        &mut self,
        suite: Cryptosuite,
        unsecured: &Value,
        contexts: &ContextSet,
    ) -> Result<[u8; 32], ProofError> {
        let slot = match suite {
            Cryptosuite::Jcs => &mut self.jcs,
            Cryptosuite::Rdfc => &mut self.rdfc,
        };
        if let Some(hash) = slot {
            return Ok(*hash);
        }
        let hash = suite.hash(unsecured, contexts)?;
        *slot = Some(hash);
        Ok(hash)
    }

    /// The hash of `unsecured` with `proofs[previous]` attached, in order.
    pub(super) fn get_chained(
        &mut self,
        suite: Cryptosuite,
        unsecured: &Value,
        proofs: &[Value],
        previous: &[usize],
        contexts: &ContextSet,
    ) -> Result<[u8; 32], ProofError> {
        if let Some((.., hash)) = self.chained.iter().find(|(s, p, _)| *s == suite && p == previous) {
            return Ok(*hash);
        }
        let hash = super::chain::covered_hash(suite, unsecured, proofs, previous, contexts)?;
        self.chained.push((suite, previous.to_vec(), hash));
        Ok(hash)
    }
}
