//! The two EdDSA cryptosuites: how each canonicalizes what it signs.
//! `eddsa-jcs-2022` uses RFC 8785 JSON canonicalization; `eddsa-rdfc-2022`
//! uses JSON-LD and RDF Dataset Canonicalization (bundled contexts only).

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
            Cryptosuite::Jcs => {
                serde_json_canonicalizer::to_vec(value).map_err(|e| ProofError::Canonicalize(e.to_string()))
            }
            Cryptosuite::Rdfc => Ok(rdfc::canonicalize(value, contexts)?.into_bytes()),
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

/// Hashes of one unsecured document, computed once per suite on demand and
/// shared by every proof of a set.
#[derive(Default)]
pub struct DocumentHashes {
    jcs: Option<[u8; 32]>,
    rdfc: Option<[u8; 32]>,
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
}
