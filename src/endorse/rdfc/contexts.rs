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

/// A closed set of contexts, parsed once.
#[derive(Clone, Debug)]
pub struct ContextSet {
    parsed: Arc<HashMap<String, json_ld::syntax::Value>>,
}

impl ContextSet {
    /// The contexts agora's credentials use: VC 2.0, Data Integrity, Open Badges 3.0.3.
    pub fn builtin() -> &'static ContextSet {
        static BUILT: OnceLock<ContextSet> = OnceLock::new();
        BUILT.get_or_init(|| Self::from_texts(BUILTIN.iter().map(|(u, t)| (u.to_string(), t.to_string()))))
    }

    /// The builtin set plus more (e.g. a test suite's example contexts).
    pub fn with(&self, url: &str, text: &str) -> ContextSet {
        let mut parsed = (*self.parsed).clone();
        parsed.insert(url.to_owned(), parse(text));
        ContextSet { parsed: Arc::new(parsed) }
    }

    fn from_texts(texts: impl Iterator<Item = (String, String)>) -> Self {
        Self { parsed: Arc::new(texts.map(|(url, text)| (url, parse(&text))).collect()) }
    }

    pub(super) fn get(&self, url: &str) -> Option<&json_ld::syntax::Value> {
        self.parsed.get(url)
    }
}

fn parse(text: &str) -> json_ld::syntax::Value {
    use json_ld::syntax::Parse;
    json_ld::syntax::Value::parse_str(text).expect("a bundled context is valid JSON").0
}
