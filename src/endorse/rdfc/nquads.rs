//! RDFC-1.0 canonical N-Quads, and the safe-mode check of a dataset.

use oxrdf::{Dataset, GraphNameRef, NamedOrBlankNodeRef, QuadRef, TermRef};

use super::RdfcError;

/// Relative ids resolve against this; any IRI under it is refused.
pub const RELATIVE_BASE: &str = "https://relative-iri.invalid/";
/// Canonicalization work grows fast with blank nodes ("dataset poisoning");
/// one credential has a handful.
pub const MAX_BLANK_NODES: usize = 64;

/// Refuses IRIs that only exist because of the sentinel base, and datasets
/// with more than `max_blank_nodes` blank nodes.
pub fn check_safe(dataset: &Dataset, max_blank_nodes: usize) -> Result<(), RdfcError> {
    let mut blank = std::collections::HashSet::new();
    for quad in dataset.iter() {
        let iris = [
            match quad.subject {
                NamedOrBlankNodeRef::NamedNode(n) => Some(n.as_str()),
                NamedOrBlankNodeRef::BlankNode(b) => {
                    blank.insert(b.as_str().to_owned());
                    None
                }
                #[allow(unreachable_patterns)]
                _ => None,
            },
            match quad.object {
                TermRef::NamedNode(n) => Some(n.as_str()),
                TermRef::Literal(l) => Some(l.datatype().as_str()),
                _ => None,
            },
            match quad.graph_name {
                GraphNameRef::NamedNode(n) => Some(n.as_str()),
                _ => None,
            },
        ];
        if let Some(iri) = iris.into_iter().flatten().find(|i| i.starts_with(RELATIVE_BASE)) {
            return Err(RdfcError::Undefined(format!("relative IRI `{}`", &iri[RELATIVE_BASE.len()..])));
        }
    }
    if blank.len() > max_blank_nodes {
        return Err(RdfcError::TooComplex { found: blank.len(), max: max_blank_nodes });
    }
    Ok(())
}

pub fn canonical(dataset: Dataset) -> Result<String, RdfcError> {
    let mut lines = super::canon::canonical_lines(&dataset)?;
    lines.sort_unstable();
    Ok(lines.concat())
}

/// One canonical N-Quads line. Written here because oxrdf's `Display` also
/// escapes U+FFFE/U+FFFF, which the RDFC-1.0 canonical form leaves as-is.
/// Blank nodes are written with the labels `label` gives them.
pub(super) fn line_with(quad: QuadRef<'_>, label: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(128);
    match quad.subject {
        NamedOrBlankNodeRef::NamedNode(n) => iri(&mut out, n.as_str()),
        NamedOrBlankNodeRef::BlankNode(b) => blank(&mut out, &label(b.as_str())),
        #[allow(unreachable_patterns)]
        _ => {}
    }
    out.push(' ');
    iri(&mut out, quad.predicate.as_str());
    out.push(' ');
    match quad.object {
        TermRef::NamedNode(n) => iri(&mut out, n.as_str()),
        TermRef::BlankNode(b) => blank(&mut out, &label(b.as_str())),
        TermRef::Literal(l) => {
            out.push('"');
            for c in l.value().chars() {
                match c {
                    '\u{8}' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\u{c}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\0'..='\u{1f}' | '\u{7f}' => out.push_str(&format!("\\u{:04X}", c as u32)),
                    c => out.push(c),
                }
            }
            out.push('"');
            if let Some(language) = l.language() {
                out.push('@');
                out.push_str(language);
            } else if l.datatype().as_str() != "http://www.w3.org/2001/XMLSchema#string" {
                out.push_str("^^");
                iri(&mut out, l.datatype().as_str());
            }
        }
        #[allow(unreachable_patterns)]
        _ => {}
    }
    match quad.graph_name {
        GraphNameRef::DefaultGraph => {}
        GraphNameRef::NamedNode(n) => {
            out.push(' ');
            iri(&mut out, n.as_str());
        }
        GraphNameRef::BlankNode(b) => {
            out.push(' ');
            blank(&mut out, &label(b.as_str()));
        }
    }
    out.push_str(" .\n");
    out
}

fn iri(out: &mut String, iri: &str) {
    out.push('<');
    out.push_str(iri);
    out.push('>');
}

fn blank(out: &mut String, id: &str) {
    out.push_str("_:");
    out.push_str(id);
}
