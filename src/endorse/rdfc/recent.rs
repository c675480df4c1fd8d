//! A small memory of recent canonicalizations, keyed by a hash of the
//! document's JCS form and the context set it was read with. The result is
//! a pure function of both, so a hit is exactly what recomputing would give.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use sha2::{Digest, Sha256};

use super::ContextSet;

const CAPACITY: usize = 512;
/// Larger documents (presentations) are not remembered.
const MAX_DOCUMENT_BYTES: usize = 16 * 1024;

type Key = [u8; 32];

fn memory() -> &'static Mutex<HashMap<Key, Arc<str>>> {
    static MEMORY: OnceLock<Mutex<HashMap<Key, Arc<str>>>> = OnceLock::new();
    MEMORY.get_or_init(|| Mutex::new(HashMap::new()))
}

pub fn key(document: &serde_json::Value, contexts: &ContextSet) -> Option<Key> {
    let jcs = serde_json_canonicalizer::to_vec(document).ok()?;
    if jcs.len() > MAX_DOCUMENT_BYTES {
        return None;
    }
    let mut hasher = Sha256::new();
    hasher.update(contexts.fingerprint());
    hasher.update(contexts.max_blank_nodes().to_le_bytes());
    hasher.update(&jcs);
    Some(hasher.finalize().into())
}

pub fn get(key: &Key) -> Option<String> {
    memory().lock().ok()?.get(key).map(|hit| hit.to_string())
}

pub fn put(key: Key, canonical: &str) {
    if let Ok(mut memory) = memory().lock() {
        if memory.len() >= CAPACITY {
            memory.clear();
        }
        memory.insert(key, Arc::from(canonical));
    }
}

/// Forgets every remembered result (benchmarks measure cold verification).
pub fn forget() {
    if let Ok(mut memory) = memory().lock() {
        memory.clear();
    }
}
