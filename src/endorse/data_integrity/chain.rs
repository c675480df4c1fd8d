//! Proof chains (`previousProof`): which proofs of the set a proof covers,
//! resolved by id before anything is hashed (a bounded number, each named
//! once, none the proof itself, each id naming exactly one proof), and the
//! hash of the document they cover, written out from borrowed parts rather
//! than a copy of the document.

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{Cryptosuite, MAX_PREVIOUS_PROOFS, ProofError, suite};
use crate::endorse::rdfc::ContextSet;

/// The indices in `proofs` of the proofs that `proofs[index]` names, in
/// the order it names them.
pub(super) fn resolve(proofs: &[Value], index: usize, ids: &[String]) -> Result<Vec<usize>, ProofError> {
    if ids.len() > MAX_PREVIOUS_PROOFS {
        return Err(ProofError::TooManyPreviousProofs { found: ids.len(), max: MAX_PREVIOUS_PROOFS });
    }
    fn id_of(proof: &Value) -> Option<&str> {
        proof.get("id").and_then(Value::as_str)
    }
    let own = proofs.get(index).and_then(id_of);
    let mut found = Vec::with_capacity(ids.len());
    for (n, id) in ids.iter().enumerate() {
        if ids[..n].contains(id) {
            return Err(ProofError::DuplicatePreviousProof(short(id)));
        }
        if own == Some(id.as_str()) {
            return Err(ProofError::SelfPreviousProof(short(id)));
        }
        let mut named = (0..proofs.len()).filter(|&at| id_of(&proofs[at]) == Some(id.as_str()));
        let at = named.next().ok_or_else(|| ProofError::MissingPreviousProof(short(id)))?;
        if named.next().is_some() {
            return Err(ProofError::DuplicateProofId(short(id)));
        }
        found.push(at);
    }
    Ok(found)
}

/// An id as quoted in an error: at most 100 characters of it.
fn short(id: &str) -> String {
    id.chars().take(100).collect()
}

/// The document a chained proof covers: the unsecured document with the
/// previous proofs as its `proof` (one object, or a list of several).
struct Covered<'a> {
    unsecured: &'a Map<String, Value>,
    previous: Vec<&'a Value>,
}

impl Serialize for Covered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.unsecured.len() + 1))?;
        for (key, value) in self.unsecured.iter().filter(|(key, _)| *key != "proof") {
            map.serialize_entry(key, value)?;
        }
        match self.previous.as_slice() {
            [one] => map.serialize_entry("proof", one)?,
            several => map.serialize_entry("proof", several)?,
        }
        map.end()
    }
}

/// The hash of `unsecured` with `proofs[previous]` attached.
pub(super) fn covered_hash(
    suite: Cryptosuite,
    unsecured: &Value,
    proofs: &[Value],
    previous: &[usize],
    contexts: &ContextSet,
) -> Result<[u8; 32], ProofError> {
    let unsecured = unsecured.as_object().ok_or(ProofError::NotAnObject)?;
    let previous =
        previous.iter().map(|&at| proofs.get(at).ok_or(ProofError::NotAnObject)).collect::<Result<_, _>>()?;
    let covered = Covered { unsecured, previous };
    match suite {
        Cryptosuite::Jcs => Ok(Sha256::digest(suite::jcs(&covered)?).into()),
        // JSON-LD processing reads a document value: built once per variant.
        Cryptosuite::Rdfc => {
            let value = serde_json::to_value(&covered).map_err(|e| ProofError::Canonicalize(e.to_string()))?;
            suite.hash(&value, contexts)
        }
    }
}
