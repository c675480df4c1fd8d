//! The JSON-LD contexts agora knows, compiled in from `assets/contexts/`
//! (see `assets/contexts/PROVENANCE.md`). Anything else is refused.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub const VC_CONTEXT_URL: &str = "https://www.w3.org/ns/credentials/v2";
pub const DI_CONTEXT_URL: &str = "https://w3id.org/security/data-integrity/v2";
pub const OB_CONTEXT_URL: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

const BUILTIN: &[(&str, &str)] = &[
    (VC_CONTEXT_URL, include_str!("../../../assets/contexts/credentials-v2.jsonld")),
    (DI_CONTEXT_URL, include_str!("../../../assets/contexts/data-integrity-v2.jsonld")),
    (OB_CONTEXT_URL, include_str!("../../../assets/contexts/ob-v3p0-context-3.0.3.json")),
];

/// A closed set of contexts, parsed on first use (so code that only uses
/// JCS never pays for JSON-LD), and how many blank nodes a document may
/// have before canonicalizing it is refused.
#[derive(Clone, Debug)]
pub struct ContextSet {
    texts: Arc<HashMap<String, String>>,
    parsed: Arc<OnceLock<HashMap<String, json_ld::syntax::Value>>>,
    max_blank_nodes: usize,
    fingerprint: [u8; 32],
}

impl ContextSet {
    /// The contexts agora's credentials use: VC 2.0, Data Integrity, Open Badges 3.0.3.
    pub fn builtin() -> &'static ContextSet {
        static BUILT: OnceLock<ContextSet> = OnceLock::new();
        BUILT.get_or_init(|| Self::from_texts(BUILTIN.iter().map(|(u, t)| (u.to_string(), t.to_string())).collect()))
    }

    /// This set plus one more context (e.g. a test suite's example context).
    pub fn with(&self, url: &str, text: &str) -> ContextSet {
        let mut texts = (*self.texts).clone();
        texts.insert(url.to_owned(), text.to_owned());
        Self::from_texts(texts)
    }

    /// The same contexts with another blank-node limit: a presentation
    /// whose credentials were each checked against agora's shape may carry
    /// many more blank nodes than one credential.
    pub fn with_blank_node_limit(&self, max_blank_nodes: usize) -> ContextSet {
        Self { max_blank_nodes, ..self.clone() }
    }

    pub fn max_blank_nodes(&self) -> usize {
        self.max_blank_nodes
    }

    /// A hash of every context's URL and text (for remembering results).
    pub(crate) fn fingerprint(&self) -> [u8; 32] {
        self.fingerprint
    }

    fn from_texts(texts: HashMap<String, String>) -> Self {
        use sha2::{Digest, Sha256};
        let mut sorted: Vec<_> = texts.iter().collect();
        sorted.sort();
        let mut hasher = Sha256::new();
        for (url, text) in sorted {
            for part in [url, text] {
                hasher.update((part.len() as u64).to_le_bytes());
                hasher.update(part.as_bytes());
            }
        }
        Self {
            texts: Arc::new(texts),
            parsed: Arc::new(OnceLock::new()),
            max_blank_nodes: super::nquads::MAX_BLANK_NODES,
            fingerprint: hasher.finalize().into(),
        }
    }

    pub(super) fn get(&self, url: &str) -> Option<&json_ld::syntax::Value> {
        self.parsed.get_or_init(|| self.texts.iter().map(|(url, text)| (url.clone(), parse(text))).collect()).get(url)
    }
}

fn parse(text: &str) -> json_ld::syntax::Value {
    use json_ld::syntax::Parse;
    json_ld::syntax::Value::parse_str(text).expect("a bundled context is valid JSON").0
}
