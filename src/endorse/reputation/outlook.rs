//! Trust as one viewer sees it: the graph of every verified endorsement
//! they know of, walked from their own circle (themselves, the people they
//! co-signed sessions with, the peers they pinned), and for any one person
//! a [`Standing`]: their score in human terms (a rank among the people the
//! viewer can reach), their statistics, and the strongest paths that
//! explain the score, hop by hop, in sessions.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;

use super::stats::Stats;
use super::{TrustGraph, seeds_of};
use crate::endorse::Endorsement;
use crate::identity::PublicKey;

/// Paths shown per person.
pub const PATHS: usize = 3;

/// The viewer's trust over everything they know, computed once.
#[derive(Debug, Default)]
pub struct Outlook {
    viewer: Option<PublicKey>,
    own: HashSet<PublicKey>,
    pinned: Vec<PublicKey>,
    seeds: Vec<PublicKey>,
    graph: TrustGraph,
    scores: HashMap<PublicKey, f64>,
    /// Reachable people outside the viewer's circle, most trusted first.
    ranked: Vec<(PublicKey, f64)>,
    endorsements: Vec<Endorsement>,
    /// Who taught whom: (teacher, learner) to minutes per skill.
    pairs: HashMap<(PublicKey, PublicKey), BTreeMap<String, i64>>,
}

/// Where someone stands with the viewer.
#[derive(Clone, Debug, PartialEq)]
pub struct Standing {
    pub person: PublicKey,
    /// Their share of the viewer's trust (0 when unreachable).
    pub score: f64,
    /// When they are in the viewer's own circle, how.
    pub circle: Option<Circle>,
    /// 1-based rank among the reachable people outside the circle.
    pub rank: Option<usize>,
    /// How many people outside the circle the viewer can reach.
    pub reachable: usize,
    /// The best score among them, to compare with.
    pub top: f64,
    pub stats: Stats,
    /// The strongest paths from the viewer to them, strongest first.
    pub paths: Vec<Path>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Circle {
    You,
    /// The viewer co-signed a session with them.
    Counterpart,
    Pinned,
}

/// A chain of sessions from the viewer to someone.
#[derive(Clone, Debug, PartialEq)]
pub struct Path {
    /// Starts with the viewer.
    pub hops: Vec<Hop>,
    /// The product of each hop's share of its person's trust.
    pub strength: f64,
}

/// One person on a path and how they are linked to the one before.
#[derive(Clone, Debug, PartialEq)]
pub struct Hop {
    pub person: PublicKey,
    pub link: Link,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// The first hop: the viewer.
    Start,
    /// This person taught the previous one.
    Taught { skill: String, minutes: i64 },
    /// The previous person taught this one.
    LearnedFrom { skill: String, minutes: i64 },
    /// The viewer pinned this person.
    Pinned,
}

impl Outlook {
    /// The viewer's outlook over their `own` endorsements plus `others`
    /// (already verified; duplicates by id are counted once).
    pub fn new<'a>(
        viewer: PublicKey,
        own: &'a [Endorsement],
        others: impl IntoIterator<Item = &'a Endorsement>,
        pinned: &[PublicKey],
    ) -> Self {
        let mut seen = HashSet::new();
        let endorsements: Vec<Endorsement> =
            own.iter().chain(others).filter(|e| seen.insert(e.id.clone())).cloned().collect();
        let graph = TrustGraph::from_endorsements(&endorsements);
        // Only sessions the viewer signed put people in their circle.
        let mine: Vec<Endorsement> =
            own.iter().filter(|e| e.teacher.key == viewer || e.learner.key == viewer).cloned().collect();
        let seeds = seeds_of(&viewer, &mine, pinned);
        let scores = graph.trust(&seeds);
        let mut ranked: Vec<(PublicKey, f64)> =
            scores.iter().filter(|(k, _)| !seeds.contains(k)).map(|(k, v)| (*k, *v)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut pairs: HashMap<(PublicKey, PublicKey), BTreeMap<String, i64>> = HashMap::new();
        for e in &endorsements {
            *pairs.entry((e.teacher.key, e.learner.key)).or_default().entry(e.skill.clone()).or_default() +=
                e.minutes().max(0);
        }
        let own = mine.iter().flat_map(|e| [e.teacher.key, e.learner.key]).filter(|k| *k != viewer).collect();
        Outlook {
            viewer: Some(viewer),
            own,
            pinned: pinned.to_vec(),
            seeds,
            graph,
            scores,
            ranked,
            endorsements,
            pairs,
        }
    }

    /// How many endorsements it was computed from.
    pub fn len(&self) -> usize {
        self.endorsements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.endorsements.is_empty()
    }

    /// The name `person` signed under in some endorsement, if any.
    pub fn name_in_records(&self, person: &PublicKey) -> Option<&str> {
        self.endorsements
            .iter()
            .find_map(|e| [&e.teacher, &e.learner].into_iter().find(|p| p.key == *person).map(|p| p.name.as_str()))
    }

    pub fn score(&self, person: &PublicKey) -> f64 {
        self.scores.get(person).copied().unwrap_or(0.0)
    }

    /// Where `person` stands, with statistics as of `now`.
    pub fn standing(&self, person: &PublicKey, now: Timestamp) -> Standing {
        let circle = if self.viewer == Some(*person) {
            Some(Circle::You)
        } else if self.own.contains(person) {
            Some(Circle::Counterpart)
        } else if self.pinned.contains(person) {
            Some(Circle::Pinned)
        } else {
            None
        };
        let rank = self.ranked.iter().position(|(k, _)| k == person).map(|i| i + 1);
        Standing {
            person: *person,
            score: self.score(person),
            circle,
            rank,
            reachable: self.ranked.len(),
            top: self.ranked.first().map(|(_, s)| *s).unwrap_or(0.0),
            stats: Stats::of(person, &self.endorsements, now),
            paths: self.paths(person),
        }
    }

    /// The strongest few paths to `person`, each starting with the viewer.
    fn paths(&self, person: &PublicKey) -> Vec<Path> {
        let Some(viewer) = self.viewer else { return Vec::new() };
        let mut paths: Vec<Path> = Vec::new();
        if self.pinned.contains(person) && *person != viewer {
            let hops = vec![Hop { person: viewer, link: Link::Start }, Hop { person: *person, link: Link::Pinned }];
            paths.push(Path { hops, strength: 1.0 });
        }
        for (keys, strength) in self.graph.paths(&self.seeds, person, PATHS * 2) {
            let mut hops = vec![Hop { person: viewer, link: Link::Start }];
            for &key in &keys {
                let previous = hops[hops.len() - 1].person;
                if key == previous {
                    continue;
                }
                if hops.iter().any(|h| h.person == key) {
                    break;
                }
                let link = self.link(&previous, &key).unwrap_or(Link::Pinned);
                hops.push(Hop { person: key, link });
            }
            if hops.len() > 1 && hops[hops.len() - 1].person == *person && !paths.iter().any(|p| p.hops == hops) {
                paths.push(Path { hops, strength });
            }
        }
        paths.truncate(PATHS);
        paths
    }

    /// How `to` is linked to `from`: what they taught them, else what
    /// they learned from them, in the skill with the most minutes.
    fn link(&self, from: &PublicKey, to: &PublicKey) -> Option<Link> {
        let top = |skills: &BTreeMap<String, i64>| {
            let (skill, _) = skills.iter().max_by_key(|(_, m)| **m)?;
            Some((skill.clone(), skills.values().sum::<i64>()))
        };
        if let Some((skill, minutes)) = self.pairs.get(&(*to, *from)).and_then(top) {
            return Some(Link::Taught { skill, minutes });
        }
        let (skill, minutes) = self.pairs.get(&(*from, *to)).and_then(top)?;
        Some(Link::LearnedFrom { skill, minutes })
    }
}

impl Standing {
    /// The score in words: where they rank among the people the viewer
    /// can reach, or how they are in the viewer's circle.
    pub fn summary(&self) -> String {
        match (self.circle, self.rank) {
            (Some(Circle::You), _) => "this is you".into(),
            (Some(Circle::Counterpart), _) => "in your circle: you had sessions together".into(),
            (Some(Circle::Pinned), _) => "in your circle: you pinned them".into(),
            (None, Some(rank)) => {
                let people = if self.reachable == 1 { "person" } else { "people" };
                let mut text = format!("{} of {} {people} you can reach", ordinal(rank), self.reachable);
                if self.score * 100.0 < self.top {
                    text.push_str(": only a trickle of trust reaches them");
                } else if self.reachable >= 10 {
                    text.push_str(&format!(" (top {}%)", (rank * 100).div_ceil(self.reachable)));
                }
                text
            }
            (None, None) => "no path from people you know".into(),
        }
    }
}

impl Path {
    /// `you → Ada (taught you rust, 1 h) → Grace (taught Ada rust, 3 h)`.
    pub fn describe(&self, name: impl Fn(&PublicKey) -> String) -> String {
        let mut text = String::new();
        let mut previous = String::new();
        for (i, hop) in self.hops.iter().enumerate() {
            let who = if i == 0 { "you".to_owned() } else { name(&hop.person) };
            if i > 0 {
                text.push_str(" → ");
            }
            text.push_str(&who);
            let why = match &hop.link {
                Link::Start => None,
                Link::Taught { skill, minutes } => Some(format!("taught {previous} {skill}, {}", hours(*minutes))),
                Link::LearnedFrom { skill, minutes } => {
                    Some(format!("learned {skill} from {previous}, {}", hours(*minutes)))
                }
                Link::Pinned => Some("pinned".to_owned()),
            };
            if let Some(why) = why {
                text.push_str(&format!(" ({why})"));
            }
            previous = who;
        }
        text
    }
}

/// `1 h`, `1.5 h`.
pub fn hours(minutes: i64) -> String {
    if minutes % 60 == 0 { format!("{} h", minutes / 60) } else { format!("{:.1} h", minutes as f64 / 60.0) }
}

/// `1st`, `2nd`, `3rd`, `11th`, `22nd`.
pub fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endorse::Party;
    use crate::identity::Identity;

    fn key(n: u8) -> PublicKey {
        Identity::from_secret_bytes(&[n; 32]).public()
    }

    fn session(id: u32, teacher: u8, learner: u8, minutes: i64) -> Endorsement {
        let start: Timestamp = "2026-11-20T10:00:00Z".parse().unwrap();
        let end = start.saturating_add(jiff::SignedDuration::from_mins(minutes)).unwrap();
        Endorsement {
            id: format!("urn:uuid:{id}"),
            teacher: Party { key: key(teacher), name: "T".into() },
            learner: Party { key: key(learner), name: "L".into() },
            skill: "rust".into(),
            start,
            end,
            covered: "x".into(),
            rating: 5,
            review: "x".into(),
            attestation: "x".into(),
            issued: end,
            alignments: Vec::new(),
        }
    }

    fn names(k: &PublicKey) -> String {
        (1..=9)
            .find(|n| key(*n) == *k)
            .map(|n| ["", "You", "Ada", "Grace", "Alan", "R1", "R2"][n as usize].to_owned())
            .unwrap()
    }

    #[test]
    fn explains_in_sessions_and_ranks_the_reachable() {
        // You (1) learned from Ada (2); Ada learned from Grace (3) and from Alan (4).
        let own = vec![session(1, 2, 1, 60)];
        let others = vec![session(2, 3, 2, 180), session(3, 4, 2, 30), session(4, 5, 6, 480), session(5, 6, 5, 480)];
        let outlook = Outlook::new(key(1), &own, &others, &[]);
        let grace = outlook.standing(&key(3), "2026-11-25T00:00:00Z".parse().unwrap());
        assert_eq!(grace.rank, Some(1));
        assert_eq!(grace.reachable, 2, "Grace and Alan; the pair far away is out of reach");
        assert_eq!(grace.stats.overall.taught, 1);
        assert_eq!(grace.paths[0].describe(names), "you → Ada (taught you rust, 1 h) → Grace (taught Ada rust, 3 h)");
        assert_eq!(grace.summary(), "1st of 2 people you can reach");
        let alan = outlook.standing(&key(4), "2026-11-25T00:00:00Z".parse().unwrap());
        assert_eq!(alan.rank, Some(2));
        assert!(alan.score < grace.score);
        let far = outlook.standing(&key(5), "2026-11-25T00:00:00Z".parse().unwrap());
        assert_eq!((far.score, far.rank, far.paths.len()), (0.0, None, 0));
        assert_eq!(far.summary(), "no path from people you know");
        assert_eq!(
            outlook.standing(&key(2), "2026-11-25T00:00:00Z".parse().unwrap()).circle,
            Some(Circle::Counterpart)
        );

        // Pinning one of the far pair brings both in reach.
        let pinned = Outlook::new(key(1), &own, &others, &[key(5)]);
        let r2 = pinned.standing(&key(6), "2026-11-25T00:00:00Z".parse().unwrap());
        assert!(r2.score > 0.0);
        assert_eq!(r2.paths[0].describe(names), "you → R1 (pinned) → R2 (taught R1 rust, 8 h)");
        let r1 = pinned.standing(&key(5), "2026-11-25T00:00:00Z".parse().unwrap());
        assert_eq!(r1.summary(), "in your circle: you pinned them");
        assert_eq!(r1.paths[0].describe(names), "you → R1 (pinned)");
    }

    #[test]
    fn words() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101].into_iter().map(ordinal).collect();
        assert_eq!(got, ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]);
        assert_eq!((hours(60), hours(90), hours(0)), ("1 h".into(), "1.5 h".into(), "0 h".into()));
    }
}
