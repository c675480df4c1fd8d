//! JSON-LD to RDF with the `json-ld` crate. Its API is async, but the
//! loader below only reads memory, so every future completes on its first
//! poll and no runtime is needed.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use json_ld::expansion::{Action, Policy};
use json_ld::syntax::Parse;
use std::collections::HashMap;

use json_ld::{IriBuf, LoadError, Options, Process as _, RemoteDocument};
use oxrdf::{BlankNode, Dataset, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use rdf_types::{Id, LiteralType};

use super::nquads::RELATIVE_BASE;
use super::{ContextSet, RdfcError};

fn block_on<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(value) => Some(value),
        Poll::Pending => None,
    }
}

#[derive(Debug)]
struct NotBundled(String);

impl std::fmt::Display for NotBundled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "context `{}` is not bundled", self.0)
    }
}

impl std::error::Error for NotBundled {}

struct Loader<'a>(&'a ContextSet);

impl json_ld::Loader for Loader<'_> {
    async fn load(&self, url: &json_ld::Iri) -> Result<RemoteDocument<IriBuf>, LoadError> {
        match self.0.get(url.as_str()) {
            Some(value) => {
                Ok(RemoteDocument::new(Some(url.to_owned()), "application/ld+json".parse().ok(), value.clone()))
            }
            None => Err(LoadError::new(url.to_owned(), NotBundled(url.to_string()))),
        }
    }
}

type ActiveContext = json_ld::Context<IriBuf, rdf_types::BlankIdBuf>;

/// The active context a top-level `@context` value produces, processed once
/// per context set (most of the work of reading a credential is processing
/// the same two large contexts again).
fn processed(context: &serde_json::Value, contexts: &ContextSet) -> Result<ActiveContext, RdfcError> {
    use json_ld::syntax::TryFromJson;
    /// Processed contexts by their JSON text and context-set fingerprint.
    type Memory = std::sync::Mutex<HashMap<(String, [u8; 32]), ActiveContext>>;
    static MEMORY: std::sync::OnceLock<Memory> = std::sync::OnceLock::new();
    let key = (context.to_string(), contexts.fingerprint());
    let memory = MEMORY.get_or_init(Default::default);
    if let Some(hit) = memory.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return Ok(hit);
    }
    let (value, _) = json_ld::syntax::Value::parse_str(&key.0).map_err(|e| RdfcError::JsonLd(e.to_string()))?;
    let local =
        json_ld::syntax::context::Context::try_from_json(value).map_err(|e| RdfcError::JsonLd(e.to_string()))?;
    let base = IriBuf::new(RELATIVE_BASE.to_owned()).ok();
    let options = json_ld::context_processing::Options::default();
    // As a document's own initial context would be: based at the sentinel.
    let initial = ActiveContext::new(base.clone());
    let active = block_on(local.process_with(&mut (), &initial, &Loader(contexts), base, options))
        .ok_or_else(|| RdfcError::JsonLd("context processing did not finish".into()))?
        .map_err(|e| RdfcError::Undefined(format!("Context processing failed: {e}")))?
        .into_processed();
    if let Ok(mut memory) = memory.lock() {
        if memory.len() >= 16 {
            memory.clear();
        }
        memory.insert(key, active.clone());
    }
    Ok(active)
}

pub fn to_dataset(document: &serde_json::Value, contexts: &ContextSet) -> Result<Dataset, RdfcError> {
    if let Some(url) = contexts_named_in(document).into_iter().find(|url| contexts.get(url).is_none()) {
        return Err(RdfcError::UnknownContext(url));
    }
    // A top-level `@context` of URLs only is processed once and reused: the
    // document is expanded without it, from that active context.
    let (document, active) = match document.get("@context") {
        Some(context) if only_urls(context) => {
            let mut rest = document.clone();
            if let Some(map) = rest.as_object_mut() {
                map.remove("@context");
            }
            (std::borrow::Cow::Owned(rest), processed(context, contexts)?)
        }
        _ => (std::borrow::Cow::Borrowed(document), ActiveContext::new(IriBuf::new(RELATIVE_BASE.to_owned()).ok())),
    };
    let text = serde_json::to_string(&*document).map_err(|e| RdfcError::JsonLd(e.to_string()))?;
    let (value, _) = json_ld::syntax::Value::parse_str(&text).map_err(|e| RdfcError::JsonLd(e.to_string()))?;
    // Safe mode: undefined terms and invalid IRIs are errors; relative ids
    // resolve against a sentinel base that is refused afterwards.
    let options: Options = Options {
        expansion_policy: Policy { invalid: Action::Reject, vocab: Action::Keep, allow_undefined: false },
        base: IriBuf::new(RELATIVE_BASE.to_owned()).ok(),
        ..Options::default()
    };
    let base = options.base.clone();
    let expanded = block_on(json_ld::Expand::expand_full(
        &value,
        &mut (),
        active,
        base.as_ref(),
        &Loader(contexts),
        options.expansion_options(),
        (),
    ))
    .ok_or_else(|| RdfcError::JsonLd("JSON-LD processing did not finish".into()))?;
    let mut expanded = expanded.map_err(|e| match e {
        json_ld::expansion::Error::ContextProcessing(x) => {
            RdfcError::Undefined(format!("Context processing failed: {x}"))
        }
        other => RdfcError::Undefined(other.to_string()),
    })?;
    let mut generator = rdf_types::generator::Blank::new();
    expanded.relabel_and_canonicalize_with(&mut (), &mut generator);
    let mut dataset = Dataset::new();
    use json_ld::rdf::RdfQuads as _;
    for rdf_types::Quad(s, p, o, g) in expanded.rdf_quads_full(&mut (), &mut generator, None, false).cloned() {
        let Id::Iri(predicate) = &p else { continue };
        let object: Term = match o {
            rdf_types::Term::Id(id) => node(&id).into(),
            rdf_types::Term::Literal(literal) => match literal.type_ {
                LiteralType::Any(datatype) => {
                    Literal::new_typed_literal(literal.value, NamedNode::new_unchecked(datatype.as_str())).into()
                }
                // jsonld.js lower-cases language tags; so must we, or hashes differ.
                LiteralType::LangString(tag) => {
                    Literal::new_language_tagged_literal_unchecked(literal.value, tag.as_str().to_ascii_lowercase())
                        .into()
                }
            },
        };
        let graph = match g {
            None => GraphName::DefaultGraph,
            Some(Id::Iri(iri)) => NamedNode::new_unchecked(iri.as_str()).into(),
            Some(Id::Blank(blank)) => BlankNode::new_unchecked(blank.suffix()).into(),
        };
        dataset.insert(&Quad::new(node(&s), NamedNode::new_unchecked(predicate.as_str()), object, graph));
    }
    Ok(dataset)
}

fn only_urls(context: &serde_json::Value) -> bool {
    match context {
        serde_json::Value::String(_) => true,
        serde_json::Value::Array(items) => !items.is_empty() && items.iter().all(serde_json::Value::is_string),
        _ => false,
    }
}

fn node(id: &Id<IriBuf, rdf_types::BlankIdBuf>) -> NamedOrBlankNode {
    match id {
        Id::Iri(iri) => NamedNode::new_unchecked(iri.as_str()).into(),
        Id::Blank(blank) => BlankNode::new_unchecked(blank.suffix()).into(),
    }
}

/// The context URLs a document names at its top level.
fn contexts_named_in(document: &serde_json::Value) -> Vec<String> {
    match document.get("@context") {
        Some(serde_json::Value::String(url)) => vec![url.clone()],
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}
