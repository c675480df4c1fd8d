//! Time credits: a timebank recomputed from co-signed endorsements alone.
//!
//! Every hour is equal (the timebanking rule): a person's balance is the
//! minutes they taught minus the minutes they learned, over every
//! endorsement they are a party to, whatever the session cost. There is no
//! ledger to trust: anyone holding the same endorsements computes the same
//! balance, and each endorsement counts once however many copies of it
//! turn up (by id). Within any closed set of endorsements the balances sum
//! to zero, since each session's minutes are one person's credit and the
//! other's debit.
//!
//! Pure: endorsements in, a [`Timebank`] out; [`DebtLimit::check`] decides
//! whether a learner may take one more session. Whoever calls it chooses
//! which endorsements to trust (the node passes only verified ones).

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::Endorsement;
use crate::identity::PublicKey;

/// One person's timebank.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timebank {
    pub minutes_taught: i64,
    pub minutes_learned: i64,
    /// Distinct endorsements counted.
    pub sessions: usize,
    /// What was exchanged with each other person.
    pub counterparts: BTreeMap<PublicKey, Exchange>,
}

/// The time exchanged with one counterpart.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exchange {
    /// Their name in the latest endorsement with them.
    pub name: String,
    /// Minutes taught to them.
    pub minutes_taught: i64,
    /// Minutes learned from them.
    pub minutes_learned: i64,
    pub sessions: usize,
}

impl Exchange {
    pub fn balance_minutes(&self) -> i64 {
        self.minutes_taught - self.minutes_learned
    }
}

impl Timebank {
    /// `person`'s timebank over `endorsements` (any order, duplicates
    /// allowed; entries that do not name `person` are ignored).
    pub fn of<'a>(person: &PublicKey, endorsements: impl IntoIterator<Item = &'a Endorsement>) -> Self {
        let mut bank = Timebank::default();
        // Which endorsement each counterpart's name was taken from.
        let mut named_from: HashMap<PublicKey, (Timestamp, &str)> = HashMap::new();
        for e in distinct(endorsements) {
            let (other, taught) = match (e.teacher.key == *person, e.learner.key == *person) {
                (true, false) => (&e.learner, true),
                (false, true) => (&e.teacher, false),
                _ => continue,
            };
            let minutes = e.minutes().max(0);
            let exchange = bank.counterparts.entry(other.key).or_default();
            if taught {
                bank.minutes_taught += minutes;
                exchange.minutes_taught += minutes;
            } else {
                bank.minutes_learned += minutes;
                exchange.minutes_learned += minutes;
            }
            exchange.sessions += 1;
            bank.sessions += 1;
            let source = (e.end, e.id.as_str());
            if named_from.get(&other.key).is_none_or(|latest| source > *latest) {
                named_from.insert(other.key, source);
                exchange.name = other.name.clone();
            }
        }
        bank
    }

    /// Minutes taught minus minutes learned.
    pub fn balance_minutes(&self) -> i64 {
        self.minutes_taught - self.minutes_learned
    }
}

/// How far below zero a learner's balance may go before a teacher who
/// requires it declines them for a credits-priced session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebtLimit {
    /// Zero or negative.
    pub minutes: i64,
}

impl DebtLimit {
    /// Ten hours below zero.
    pub const DEFAULT: DebtLimit = DebtLimit { minutes: -10 * 60 };
    /// The deepest limit a configuration may set: a year of full days.
    pub const DEEPEST: DebtLimit = DebtLimit { minutes: -365 * 24 * 60 };

    /// From hours as written in `config.toml` (`-10`, `-2.5`), rounded to
    /// the minute.
    pub fn from_hours(hours: f64) -> Result<Self, String> {
        let deepest = Self::DEEPEST.minutes / 60;
        if !hours.is_finite() || hours > 0.0 || hours < deepest as f64 {
            return Err(format!("must be a number of hours from {deepest} to 0 (e.g. -10), not {hours}"));
        }
        Ok(DebtLimit { minutes: (hours * 60.0).round() as i64 })
    }

    /// Whether `learner` (named `name` in the message), holding
    /// `balance_minutes`, may learn for `session_minutes` more.
    pub fn check(&self, name: &str, balance_minutes: i64, session_minutes: i64) -> Result<(), BelowDebtLimit> {
        if balance_minutes.saturating_sub(session_minutes) >= self.minutes {
            return Ok(());
        }
        Err(BelowDebtLimit { learner: name.to_owned(), balance_minutes, session_minutes, limit_minutes: self.minutes })
    }
}

impl Default for DebtLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A learner the debt limit keeps out, in one readable line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{learner}'s time-credit balance is {} h; this {} h session would take it below your limit of {} h",
    hours(*balance_minutes),
    hours(*session_minutes),
    hours(*limit_minutes)
)]
pub struct BelowDebtLimit {
    pub learner: String,
    pub balance_minutes: i64,
    pub session_minutes: i64,
    pub limit_minutes: i64,
}

impl BelowDebtLimit {
    /// The same, told to the learner (e.g. as the reason for declining).
    pub fn to_learner(&self) -> String {
        format!(
            "Your time-credit balance is {} h; this {} h session would take it below my limit of {} h",
            hours(self.balance_minutes),
            hours(self.session_minutes),
            hours(self.limit_minutes)
        )
    }
}

/// Minutes as hours for people: `1.5`, `10`, `−9.5`, `1.67` (a true minus
/// sign, at most two decimals).
pub fn hours(minutes: i64) -> String {
    let centi = (minutes.unsigned_abs() * 100 + 30) / 60;
    let (whole, frac) = (centi / 100, centi % 100);
    let sign = if minutes < 0 && centi > 0 { "\u{2212}" } else { "" };
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// One entry per endorsement id. Should two entries share an id but differ
/// (only possible if both parties signed two versions), the one with the
/// fewest minutes counts, so the result never depends on the order.
fn distinct<'a>(endorsements: impl IntoIterator<Item = &'a Endorsement>) -> Vec<&'a Endorsement> {
    let mut by_id: HashMap<&str, &Endorsement> = HashMap::new();
    for e in endorsements {
        let kept = by_id.entry(e.id.as_str()).or_insert(e);
        if rank(e) < rank(kept) {
            *kept = e;
        }
    }
    by_id.into_values().collect()
}

fn rank(e: &Endorsement) -> (i64, PublicKey, PublicKey, Timestamp, &str, &str) {
    (e.minutes(), e.teacher.key, e.learner.key, e.end, e.teacher.name.as_str(), e.learner.name.as_str())
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;
    use proptest::prelude::*;

    use super::*;
    use crate::endorse::Party;

    fn key(n: u8) -> PublicKey {
        PublicKey::from([n; 32])
    }

    /// Person `teacher` taught person `learner` for `minutes`; `n` names it.
    fn session(n: u32, teacher: u8, learner: u8, minutes: i64) -> Endorsement {
        let start: Timestamp = "2026-11-20T17:00:00Z".parse().unwrap();
        let start = start.saturating_add(SignedDuration::from_hours(i64::from(n))).unwrap();
        let end = start.saturating_add(SignedDuration::from_mins(minutes)).unwrap();
        Endorsement {
            id: format!("urn:uuid:5e1f0c2a-7d3b-4c1e-9a6f-{n:012x}"),
            teacher: Party { key: key(teacher), name: format!("person {teacher}") },
            learner: Party { key: key(learner), name: format!("person {learner}") },
            skill: "rust".into(),
            start,
            end,
            covered: String::new(),
            rating: 5,
            review: String::new(),
            attestation: String::new(),
            issued: end,
            alignments: Vec::new(),
        }
    }

    #[test]
    fn taught_minus_learned_per_counterpart() {
        let all = [session(0, 1, 2, 90), session(1, 2, 1, 60), session(2, 1, 3, 30), session(3, 2, 3, 600)];
        let bank = Timebank::of(&key(1), &all);
        assert_eq!((bank.minutes_taught, bank.minutes_learned, bank.balance_minutes()), (120, 60, 60));
        assert_eq!(bank.sessions, 3, "the session between 2 and 3 is not 1's");
        let with_2 = &bank.counterparts[&key(2)];
        assert_eq!((with_2.minutes_taught, with_2.minutes_learned, with_2.sessions), (90, 60, 2));
        assert_eq!((with_2.balance_minutes(), with_2.name.as_str()), (30, "person 2"));
        assert_eq!(bank.counterparts[&key(3)].balance_minutes(), 30);
        assert_eq!(Timebank::of(&key(9), &all), Timebank::default(), "a stranger has an empty bank");
    }

    #[test]
    fn a_duplicate_counts_once() {
        let one = session(0, 1, 2, 90);
        let bank = Timebank::of(&key(2), [&one, &one.clone(), &one]);
        assert_eq!((bank.minutes_learned, bank.sessions), (90, 1));
    }

    #[test]
    fn the_latest_name_is_shown() {
        let mut old = session(0, 1, 2, 60);
        old.learner.name = "Gracie".into();
        let new = session(5, 1, 2, 60);
        let bank = Timebank::of(&key(1), [&new, &old]);
        assert_eq!(bank.counterparts[&key(2)].name, "person 2");
    }

    #[test]
    fn the_limit_keeps_out_only_what_goes_below_it() {
        let limit = DebtLimit::DEFAULT;
        assert!(limit.check("Grace", -510, 90).is_ok(), "exactly at the limit is allowed");
        let refused = limit.check("Grace", -570, 90).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Grace's time-credit balance is \u{2212}9.5 h; this 1.5 h session would take it below your limit of \
             \u{2212}10 h"
        );
        assert!(refused.to_learner().starts_with("Your time-credit balance is \u{2212}9.5 h; this 1.5 h session"));
        assert!(DebtLimit { minutes: 0 }.check("Ada", 0, 15).is_err());
        assert!(limit.check("Ada", i64::MIN, i64::MAX).is_err(), "no overflow");
    }

    #[test]
    fn limits_from_hours() {
        assert_eq!(DebtLimit::from_hours(-10.0), Ok(DebtLimit::DEFAULT));
        assert_eq!(DebtLimit::from_hours(-2.5), Ok(DebtLimit { minutes: -150 }));
        assert_eq!(DebtLimit::from_hours(0.0), Ok(DebtLimit { minutes: 0 }));
        for bad in [1.0, f64::NAN, f64::NEG_INFINITY, -9000.0] {
            assert!(DebtLimit::from_hours(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hours_read_well() {
        let shown: Vec<String> = [0, 60, 90, 100, -570, -600, 1, -1, 45].into_iter().map(hours).collect();
        assert_eq!(shown, ["0", "1", "1.5", "1.67", "\u{2212}9.5", "\u{2212}10", "0.02", "\u{2212}0.02", "0.75"]);
    }

    /// Sessions among five people, some repeated, as (id, teacher, learner, minutes).
    fn sessions() -> impl Strategy<Value = Vec<Endorsement>> {
        let one = (0u32..40, 0u8..5, 1u8..5, 15i64..=480)
            .prop_map(|(n, teacher, step, minutes)| session(n, teacher, (teacher + step) % 5, minutes));
        proptest::collection::vec(one, 0..60).prop_map(|mut all| {
            // One id, one session: a repeated id repeats the same record.
            let mut first: HashMap<String, Endorsement> = HashMap::new();
            for e in &mut all {
                *e = first.entry(e.id.clone()).or_insert_with(|| e.clone()).clone();
            }
            all
        })
    }

    proptest! {
        #[test]
        fn balances_in_a_closed_set_sum_to_zero(all in sessions()) {
            let total: i64 = (0..5).map(|p| Timebank::of(&key(p), &all).balance_minutes()).sum();
            prop_assert_eq!(total, 0);
        }

        #[test]
        fn order_does_not_matter(all in sessions(), seed in any::<u64>()) {
            let mut shuffled = all.clone();
            // A deterministic shuffle driven by the seed.
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            for p in 0..5 {
                prop_assert_eq!(Timebank::of(&key(p), &all), Timebank::of(&key(p), &shuffled));
            }
        }

        #[test]
        fn copies_do_not_count_twice(all in sessions(), copies in 1usize..4) {
            let repeated: Vec<&Endorsement> = all.iter().cycle().take(all.len() * copies).collect();
            for p in 0..5 {
                prop_assert_eq!(Timebank::of(&key(p), &all), Timebank::of(&key(p), repeated.iter().copied()));
            }
        }

        #[test]
        fn conflicting_copies_settle_the_same_way_in_any_order(minutes in 15i64..=480, other in 15i64..=480) {
            let (a, b) = (session(0, 1, 2, minutes), session(0, 1, 2, other));
            let bank = Timebank::of(&key(1), [&a, &b]);
            prop_assert_eq!(&bank, &Timebank::of(&key(1), [&b, &a]));
            prop_assert_eq!(bank.minutes_taught, minutes.min(other));
        }
    }
}
