//! RDFC-1.0 (W3C Recommendation, 2024), written here rather than taken from
//! oxrdf: oxrdf 0.3.5 keeps each related blank node once in Hash N-Degree
//! Quads' "hash to related blank nodes map" (a set), where the specification
//! and the other implementations (rdf-canonize among them) append it once
//! per quad (step 3.1.2). A blank node in a blank-node-named graph is related
//! to that graph by each of its quads there, so the paths differ
//! (`_:c14n9` against `_:c14n9_:c14n9`), and so could the labels of blank
//! nodes that look alike at first degree (e.g. the same criteria in two
//! credentials of a presentation).

use std::collections::{BTreeMap, HashMap};

use oxrdf::{Dataset, GraphNameRef, NamedOrBlankNodeRef, QuadRef, TermRef};
use sha2::{Digest, Sha256};

use super::RdfcError;
use super::nquads::line_with;

#[derive(Clone)]
struct Issuer {
    prefix: &'static str,
    issued: HashMap<usize, String>,
    order: Vec<usize>,
}

impl Issuer {
    fn new(prefix: &'static str) -> Self {
        Self { prefix, issued: HashMap::new(), order: Vec::new() }
    }

    fn issue(&mut self, node: usize) -> String {
        if let Some(id) = self.issued.get(&node) {
            return id.clone();
        }
        let id = format!("{}{}", self.prefix, self.order.len());
        self.issued.insert(node, id.clone());
        self.order.push(node);
        id
    }
}

struct State<'a> {
    quads: Vec<QuadRef<'a>>,
    index: HashMap<&'a str, usize>,
    /// The quads each blank node occurs in, each once.
    quads_of: Vec<Vec<usize>>,
    first_degree: Vec<String>,
    canonical: Issuer,
    /// Hash N-Degree Quads runs left: as rdf-canonize's default (one per
    /// blank node sharing its first-degree hash), so what one refuses, the
    /// other does too.
    budget: usize,
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The blank nodes of a quad with their positions.
fn blanks<'a>(quad: QuadRef<'a>) -> impl Iterator<Item = (&'a str, &'static str)> {
    let subject = match quad.subject {
        NamedOrBlankNodeRef::BlankNode(b) => Some(b.as_str()),
        _ => None,
    };
    let object = match quad.object {
        TermRef::BlankNode(b) => Some(b.as_str()),
        _ => None,
    };
    let graph = match quad.graph_name {
        GraphNameRef::BlankNode(b) => Some(b.as_str()),
        _ => None,
    };
    [(subject, "s"), (object, "o"), (graph, "g")].into_iter().filter_map(|(b, p)| Some((b?, p)))
}

/// The canonical N-Quads lines of `dataset`, unsorted.
pub fn canonical_lines(dataset: &Dataset) -> Result<Vec<String>, RdfcError> {
    let quads: Vec<QuadRef<'_>> = dataset.iter().collect();
    let mut index = HashMap::new();
    let mut quads_of: Vec<Vec<usize>> = Vec::new();
    for (q, quad) in quads.iter().enumerate() {
        for (blank, _) in blanks(*quad) {
            let next = index.len();
            let node = *index.entry(blank).or_insert(next);
            if node == quads_of.len() {
                quads_of.push(Vec::new());
            }
            if quads_of[node].last() != Some(&q) {
                quads_of[node].push(q);
            }
        }
    }
    let mut state =
        State { quads, index, quads_of, first_degree: Vec::new(), canonical: Issuer::new("c14n"), budget: 0 };
    state.first_degree = (0..state.quads_of.len()).map(|n| state.hash_first_degree(n)).collect();
    let mut by_hash: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (node, hash) in state.first_degree.iter().enumerate() {
        by_hash.entry(hash.clone()).or_default().push(node);
    }
    for nodes in by_hash.values().filter(|nodes| nodes.len() == 1) {
        state.canonical.issue(nodes[0]);
    }
    state.budget = by_hash.values().filter(|nodes| nodes.len() > 1).map(Vec::len).sum();
    for nodes in by_hash.values().filter(|nodes| nodes.len() > 1) {
        let mut results = Vec::new();
        for &node in nodes {
            if state.canonical.issued.contains_key(&node) {
                continue;
            }
            let mut temporary = Issuer::new("b");
            temporary.issue(node);
            results.push(state.hash_n_degree(node, temporary)?);
        }
        results.sort_by(|(a, _), (b, _)| a.cmp(b));
        for (_, issuer) in results {
            for node in issuer.order {
                state.canonical.issue(node);
            }
        }
    }
    // Every blank node has its canonical label by now; the indexing below
    // relies on it, so a gap is an error, not a panic.
    if state.canonical.issued.len() != state.quads_of.len() {
        return Err(RdfcError::Ambiguous);
    }
    let label = |b: &str| state.canonical.issued[&state.index[b]].clone();
    Ok(state.quads.iter().map(|quad| line_with(*quad, &label)).collect())
}

impl State<'_> {
    fn hash_first_degree(&self, node: usize) -> String {
        let reference = |b: &str| if self.index[b] == node { "a".to_owned() } else { "z".to_owned() };
        let mut lines: Vec<String> =
            self.quads_of[node].iter().map(|&q| line_with(self.quads[q], &reference)).collect();
        lines.sort_unstable();
        sha256(&lines.concat())
    }

    fn hash_related(&self, related: usize, quad: QuadRef<'_>, issuer: &Issuer, position: &str) -> String {
        let mut input = position.to_owned();
        if position != "g" {
            input.push_str(&format!("<{}>", quad.predicate.as_str()));
        }
        match self.canonical.issued.get(&related).or_else(|| issuer.issued.get(&related)) {
            Some(id) => input.push_str(&format!("_:{id}")),
            None => input.push_str(&self.first_degree[related]),
        }
        sha256(&input)
    }

    fn hash_n_degree(&mut self, node: usize, mut issuer: Issuer) -> Result<(String, Issuer), RdfcError> {
        if self.budget == 0 {
            return Err(RdfcError::TooSymmetric);
        }
        self.budget -= 1;
        let mut related_by_hash: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for &q in &self.quads_of[node] {
            for (blank, position) in blanks(self.quads[q]) {
                let related = self.index[blank];
                if related != node {
                    let hash = self.hash_related(related, self.quads[q], &issuer, position);
                    // Once per quad, as the specification says (not once).
                    related_by_hash.entry(hash).or_default().push(related);
                }
            }
        }
        let mut data = String::new();
        for (hash, mut list) in related_by_hash {
            data.push_str(&hash);
            list.sort_unstable();
            // rdf-canonize's permuter skips some orders of a list where a
            // blank node repeats among others: no agreement to count on.
            if list.windows(2).any(|w| w[0] == w[1]) && list.first() != list.last() {
                return Err(RdfcError::Ambiguous);
            }
            let mut chosen: Option<(String, Issuer)> = None;
            loop {
                let best = chosen.as_ref().map(|(path, _)| path.as_str());
                if let Some((path, copy)) = self.path(&list, &issuer, best)?
                    && best.is_none_or(|best| path.as_str() < best)
                {
                    chosen = Some((path, copy));
                }
                if !next_permutation(&mut list) {
                    break;
                }
            }
            // A list has at least one order, so one path was chosen.
            let Some((path, chosen_issuer)) = chosen else { return Err(RdfcError::Ambiguous) };
            data.push_str(&path);
            issuer = chosen_issuer;
        }
        Ok((sha256(&data), issuer))
    }

    /// Steps 5.4.1 to 5.4.5: the path through one order of related blank
    /// nodes, or none once it is worse than the best so far.
    fn path(
        &mut self,
        order: &[usize],
        issuer: &Issuer,
        best: Option<&str>,
    ) -> Result<Option<(String, Issuer)>, RdfcError> {
        let worse = |path: &str| best.is_some_and(|best| path.len() >= best.len() && path > best);
        let mut copy = issuer.clone();
        let mut path = String::new();
        let mut recursion = Vec::new();
        for &related in order {
            if let Some(id) = self.canonical.issued.get(&related) {
                path.push_str(&format!("_:{id}"));
            } else {
                if !copy.issued.contains_key(&related) {
                    recursion.push(related);
                }
                path.push_str(&format!("_:{}", copy.issue(related)));
            }
            if worse(&path) {
                return Ok(None);
            }
        }
        for related in recursion {
            let (hash, result) = self.hash_n_degree(related, copy.clone())?;
            path.push_str(&format!("_:{}<{hash}>", copy.issue(related)));
            copy = result;
            if worse(&path) {
                return Ok(None);
            }
        }
        Ok(Some((path, copy)))
    }
}

/// The next order of `items` (distinct orders only, lexicographically);
/// false after the last.
fn next_permutation(items: &mut [usize]) -> bool {
    let Some(i) = (1..items.len()).rev().find(|&i| items[i - 1] < items[i]) else {
        return false;
    };
    // items[i] itself is larger, so this finds one.
    let Some(j) = (i..items.len()).rev().find(|&j| items[i - 1] < items[j]) else { return false };
    items.swap(i - 1, j);
    items[i..].reverse();
    true
}
