//! What a person's co-signed sessions add up to, overall and per skill:
//! sessions and hours taught and learned, distinct counterparts, the
//! ratings their learners gave (a count per star), and how recent it all
//! is. Each endorsement counts once however many sources carried it.

use std::collections::{BTreeMap, HashSet};

use jiff::{SignedDuration, Timestamp};

use crate::endorse::Endorsement;
use crate::identity::PublicKey;

/// How far back "recent" reaches.
pub const RECENT: SignedDuration = SignedDuration::from_hours(90 * 24);

/// One person's sessions in one skill (or in all of them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkillStats {
    pub taught: u32,
    pub learned: u32,
    pub minutes_taught: i64,
    pub minutes_learned: i64,
    /// Different people they taught or learned from.
    pub counterparts: u32,
    /// Ratings their learners gave: index 0 counts one star, 4 five stars.
    pub ratings: [u32; 5],
    /// When their latest session ended.
    pub last: Option<Timestamp>,
    /// Sessions that ended within [`RECENT`] of now.
    pub recent: u32,
}

impl SkillStats {
    pub fn sessions(&self) -> u32 {
        self.taught + self.learned
    }

    pub fn hours_taught(&self) -> f64 {
        self.minutes_taught as f64 / 60.0
    }

    pub fn hours_learned(&self) -> f64 {
        self.minutes_learned as f64 / 60.0
    }

    /// The mean rating received as a teacher, when rated at all.
    pub fn average_rating(&self) -> Option<f64> {
        let count: u32 = self.ratings.iter().sum();
        let total: u32 = self.ratings.iter().zip(1..).map(|(n, stars)| n * stars).sum();
        (count > 0).then(|| f64::from(total) / f64::from(count))
    }

    /// `5★ 3 · 4★ 1`: the stars given, most first, zeros left out.
    pub fn rating_summary(&self) -> String {
        let parts: Vec<String> = (1..=5)
            .rev()
            .filter_map(|stars| {
                let n = self.ratings[stars - 1];
                (n > 0).then(|| format!("{stars}★ {n}"))
            })
            .collect();
        parts.join(" · ")
    }
}

/// A person's statistics overall and per skill.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub overall: SkillStats,
    pub by_skill: BTreeMap<String, SkillStats>,
}

impl Stats {
    /// `person`'s statistics from `endorsements` (others' are ignored,
    /// duplicates by id counted once), recency measured from `now`.
    pub fn of<'a>(person: &PublicKey, endorsements: impl IntoIterator<Item = &'a Endorsement>, now: Timestamp) -> Self {
        let mut seen = HashSet::new();
        let mut overall = Tally::default();
        let mut by_skill: BTreeMap<String, Tally> = BTreeMap::new();
        for e in endorsements {
            let taught = e.teacher.key == *person;
            if !(taught || e.learner.key == *person) || e.teacher.key == e.learner.key || !seen.insert(e.id.as_str()) {
                continue;
            }
            overall.add(e, taught, now);
            by_skill.entry(e.skill.clone()).or_default().add(e, taught, now);
        }
        Stats { overall: overall.done(), by_skill: by_skill.into_iter().map(|(k, t)| (k, t.done())).collect() }
    }

    /// The statistics for `skill` (compared without case), empty when none.
    pub fn skill(&self, skill: &str) -> SkillStats {
        self.by_skill.iter().find(|(k, _)| k.eq_ignore_ascii_case(skill)).map(|(_, s)| s.clone()).unwrap_or_default()
    }
}

#[derive(Default)]
struct Tally {
    stats: SkillStats,
    counterparts: HashSet<PublicKey>,
}

impl Tally {
    fn add(&mut self, e: &Endorsement, taught: bool, now: Timestamp) {
        let s = &mut self.stats;
        let minutes = e.minutes().max(0);
        if taught {
            s.taught += 1;
            s.minutes_taught += minutes;
            if (1..=5).contains(&e.rating) {
                s.ratings[usize::from(e.rating) - 1] += 1;
            }
            self.counterparts.insert(e.learner.key);
        } else {
            s.learned += 1;
            s.minutes_learned += minutes;
            self.counterparts.insert(e.teacher.key);
        }
        if s.last.is_none_or(|last| e.end > last) {
            s.last = Some(e.end);
        }
        if e.end <= now && now.duration_since(e.end) <= RECENT {
            s.recent += 1;
        }
    }

    fn done(mut self) -> SkillStats {
        self.stats.counterparts = u32::try_from(self.counterparts.len()).unwrap_or(u32::MAX);
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endorse::Party;
    use crate::identity::Identity;

    fn key(n: u8) -> PublicKey {
        Identity::from_secret_bytes(&[n; 32]).public()
    }

    fn session(id: u32, teacher: u8, learner: u8, skill: &str, minutes: i64, rating: u8, day: &str) -> Endorsement {
        let start: Timestamp = format!("{day}T10:00:00Z").parse().unwrap();
        let end = start.saturating_add(SignedDuration::from_mins(minutes)).unwrap();
        Endorsement {
            id: format!("urn:uuid:{id}"),
            teacher: Party { key: key(teacher), name: "T".into() },
            learner: Party { key: key(learner), name: "L".into() },
            skill: skill.into(),
            start,
            end,
            covered: "x".into(),
            rating,
            review: "x".into(),
            attestation: "x".into(),
            issued: end,
            alignments: Vec::new(),
        }
    }

    #[test]
    fn counts_per_skill_once_each() {
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let all = vec![
            session(1, 1, 2, "rust", 60, 5, "2026-11-20"),
            session(2, 1, 3, "rust", 90, 4, "2026-11-21"),
            session(2, 1, 3, "rust", 90, 4, "2026-11-21"), // the same one again
            session(3, 1, 2, "go", 30, 5, "2026-01-05"),
            session(4, 4, 1, "rust", 120, 3, "2026-11-22"),
            session(5, 2, 3, "rust", 60, 1, "2026-11-22"), // not theirs
        ];
        let stats = Stats::of(&key(1), &all, now);
        let o = &stats.overall;
        assert_eq!((o.taught, o.learned, o.sessions()), (3, 1, 4));
        assert_eq!((o.minutes_taught, o.minutes_learned), (180, 120));
        assert_eq!(o.counterparts, 3);
        assert_eq!(o.ratings, [0, 0, 0, 1, 2]);
        assert_eq!(o.recent, 3, "January is more than 90 days ago");
        assert_eq!(o.last, Some("2026-11-22T12:00:00Z".parse().unwrap()));
        let rust = stats.skill("Rust");
        assert_eq!((rust.taught, rust.learned, rust.counterparts), (2, 1, 3));
        assert_eq!(rust.hours_taught(), 2.5);
        assert_eq!(rust.rating_summary(), "5★ 1 · 4★ 1");
        assert_eq!(rust.average_rating(), Some(4.5));
        assert_eq!(stats.skill("go").taught, 1);
        assert_eq!(stats.skill("piano"), SkillStats::default());
        assert_eq!(stats.skill("piano").average_rating(), None);
    }

    #[test]
    fn odd_records_do_not_break_it() {
        let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let all = vec![
            session(1, 1, 1, "rust", 60, 5, "2026-11-20"), // with oneself
            session(2, 1, 2, "rust", 60, 0, "2026-11-20"), // no stars
            session(3, 1, 2, "rust", 60, 9, "2026-12-20"), // too many, in the future
        ];
        let o = Stats::of(&key(1), &all, now).overall;
        assert_eq!(o.taught, 2);
        assert_eq!(o.ratings, [0; 5]);
        assert_eq!(o.recent, 1, "the future is not recent");
    }
}
