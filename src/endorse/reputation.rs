//! Reputation from co-signed sessions only, weighted by trust as the viewer
//! sees it: a personalized PageRank over the graph of endorsements, where
//! every random walk restarts at the viewer's own counterparts (and pinned
//! peers). Trust flows from a learner to the teacher they rated, in
//! proportion to hours and rating, and a little from a teacher to the
//! learner they vouched for. A ring of fresh identities endorsing each
//! other has no path from the viewer's neighbourhood, so it earns almost
//! nothing however many sessions it signs. Pure: endorsements in, scores
//! and the paths that explain them out.

mod outlook;
mod stats;

pub use outlook::{Circle, Hop, Link, Outlook, PATHS, Path, Standing, hours, ordinal};
pub use stats::{RECENT, SkillStats, Stats};

use std::collections::HashMap;

use super::Endorsement;
use crate::identity::PublicKey;

/// Probability of following an edge rather than restarting at a seed.
pub const DAMPING: f64 = 0.85;
const MAX_ITERATIONS: usize = 100;
const TOLERANCE: f64 = 1e-10;
/// Share of a session's weight that flows from teacher back to learner.
const VOUCH: f64 = 0.25;

/// The graph of co-signed sessions: one node per person, weighted edges.
#[derive(Debug, Default)]
pub struct TrustGraph {
    index: HashMap<PublicKey, usize>,
    keys: Vec<PublicKey>,
    /// Outgoing edges per node: (target, weight), weights summed per target.
    out: Vec<Vec<(usize, f64)>>,
}

impl TrustGraph {
    pub fn from_endorsements<'a>(endorsements: impl IntoIterator<Item = &'a Endorsement>) -> Self {
        let mut graph = TrustGraph::default();
        let mut weights: HashMap<(usize, usize), f64> = HashMap::new();
        for e in endorsements {
            if e.teacher.key == e.learner.key {
                continue;
            }
            let hours = (e.minutes().max(0) as f64 / 60.0).min(8.0);
            let (t, l) = (graph.node(e.teacher.key), graph.node(e.learner.key));
            *weights.entry((l, t)).or_default() += hours * f64::from(e.rating.min(5)) / 5.0;
            *weights.entry((t, l)).or_default() += hours * VOUCH;
        }
        let mut entries: Vec<_> = weights.into_iter().filter(|(_, w)| *w > 0.0).collect();
        entries.sort_by_key(|e| e.0);
        for ((from, to), weight) in entries {
            graph.out[from].push((to, weight));
        }
        graph
    }

    fn node(&mut self, key: PublicKey) -> usize {
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        self.keys.push(key);
        self.out.push(Vec::new());
        self.index.insert(key, self.keys.len() - 1);
        self.keys.len() - 1
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Personalized PageRank: walks restart, evenly, at `seeds` (the
    /// viewer, their counterparts, pinned peers). Scores sum to 1 over the
    /// people reachable from the seeds; the unreachable get 0.
    pub fn trust(&self, seeds: &[PublicKey]) -> HashMap<PublicKey, f64> {
        let n = self.len();
        let seeds: Vec<usize> = seeds.iter().filter_map(|s| self.index.get(s).copied()).collect();
        if n == 0 || seeds.is_empty() {
            return HashMap::new();
        }
        let mut restart = vec![0.0; n];
        for &s in &seeds {
            restart[s] += 1.0 / seeds.len() as f64;
        }
        let totals: Vec<f64> = self.out.iter().map(|edges| edges.iter().map(|(_, w)| w).sum()).collect();
        let mut rank = restart.clone();
        for _ in 0..MAX_ITERATIONS {
            let mut next: Vec<f64> = restart.iter().map(|r| (1.0 - DAMPING) * r).collect();
            let mut dangling = 0.0;
            for (from, edges) in self.out.iter().enumerate() {
                if totals[from] == 0.0 {
                    dangling += rank[from];
                    continue;
                }
                for &(to, weight) in edges {
                    next[to] += DAMPING * rank[from] * weight / totals[from];
                }
            }
            // Walks that reach a dead end restart at the seeds too.
            for (value, r) in next.iter_mut().zip(&restart) {
                *value += DAMPING * dangling * r;
            }
            let change: f64 = next.iter().zip(&rank).map(|(a, b)| (a - b).abs()).sum();
            rank = next;
            if change < TOLERANCE {
                break;
            }
        }
        self.keys.iter().copied().zip(rank).filter(|(_, r)| *r > 0.0).collect()
    }

    /// Up to `k` strongest paths (at most four hops) from a seed to
    /// `target`, strongest first, each with the product of its edges' shares:
    /// how the score was reached.
    pub fn paths(&self, seeds: &[PublicKey], target: &PublicKey, k: usize) -> Vec<(Vec<PublicKey>, f64)> {
        let Some(&goal) = self.index.get(target) else { return Vec::new() };
        let totals: Vec<f64> = self.out.iter().map(|edges| edges.iter().map(|(_, w)| w).sum()).collect();
        let mut found: Vec<(Vec<usize>, f64)> = Vec::new();
        for seed in seeds.iter().filter_map(|s| self.index.get(s).copied()) {
            let mut stack = vec![(vec![seed], 1.0)];
            while let Some((path, strength)) = stack.pop() {
                let last = path[path.len() - 1];
                if last == goal && path.len() > 1 {
                    found.push((path, strength));
                    continue;
                }
                if path.len() > 4 {
                    continue;
                }
                // Only the strongest few edges of each person, to stay small.
                let mut edges = self.out[last].clone();
                edges.sort_by(|a, b| b.1.total_cmp(&a.1));
                for (to, weight) in edges.into_iter().take(6) {
                    if !path.contains(&to) {
                        let mut longer = path.clone();
                        longer.push(to);
                        stack.push((longer, strength * weight / totals[last]));
                    }
                }
            }
        }
        found.sort_by(|a, b| b.1.total_cmp(&a.1));
        found.truncate(k);
        found.into_iter().map(|(path, s)| (path.into_iter().map(|i| self.keys[i]).collect(), s)).collect()
    }
}

/// The viewer's seeds: themselves, everyone they co-signed a session with,
/// and the peers they pinned.
pub fn seeds_of(viewer: &PublicKey, own: &[Endorsement], pinned: &[PublicKey]) -> Vec<PublicKey> {
    let mut seeds = vec![*viewer];
    for e in own {
        for party in [e.teacher.key, e.learner.key] {
            if party != *viewer && !seeds.contains(&party) {
                seeds.push(party);
            }
        }
    }
    for p in pinned {
        if !seeds.contains(p) {
            seeds.push(*p);
        }
    }
    seeds
}
