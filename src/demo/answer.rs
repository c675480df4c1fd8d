//! How a persona answers terms put to it: accept, counter with another
//! time, or decline politely, each with a line to say. Pure: the caller
//! passes the time and the roll.

use jiff::{SignedDuration, Timestamp};

use super::persona::{Behaviour, fill};
use super::schedule::{describe, fits, next_slot};
use crate::market::{Action, Availability, Negotiation, Phase, Terms};

/// A proposed time is taken only if it is at least this far ahead.
pub const LEAD: SignedDuration = SignedDuration::from_mins(30);
/// A counter moves the session by at least this much (another day).
const COUNTER_SHIFT: SignedDuration = SignedDuration::from_hours(20);

/// What to do, and what to say with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub action: Action,
    pub line: String,
}

/// The answer to `negotiation`, whose terms on the table are `terms`.
/// `mine` is the availability of the listing when it is the persona's own.
pub fn answer(
    behaviour: &Behaviour,
    time_zone: &str,
    negotiation: &Negotiation,
    terms: &Terms,
    mine: Option<&Availability>,
    now: Timestamp,
    roll: u64,
) -> Answer {
    let earliest = now.saturating_add(LEAD).unwrap_or(now);
    let too_soon = terms.start < earliest;
    let say = |line: &str, at: Timestamp| fill(line, &negotiation.skill, &describe(at, time_zone), &terms.topic);
    let counter = |from: Timestamp| {
        let free = Availability { time_zone: time_zone.to_owned(), windows: Vec::new() };
        let start = next_slot(mine.unwrap_or(&free), from.max(earliest));
        Answer {
            action: Action::Counter { terms: Terms { start, ..terms.clone() } },
            line: say(&behaviour.say_counter, start),
        }
    };
    let accept = || Answer { action: Action::Accept, line: say(&behaviour.say_accept, terms.start) };
    let fitting = mine.is_none_or(|a| fits(a, terms.start, terms.duration_minutes));

    // A persona goes along with any time that is still possible when it
    // proposed itself (the listing is not its own), after one round of
    // counters, or when asked to move an agreed session.
    let settled = mine.is_none() || negotiation.seq >= 3 || matches!(negotiation.phase, Phase::Rescheduling { .. });
    if settled {
        return if too_soon { counter(earliest) } else { accept() };
    }
    let b = behaviour;
    match super::roll::weighted(&[b.accept, b.counter, b.decline], roll) {
        Some(2) => Answer {
            action: Action::Decline { reason: say(&b.say_decline, terms.start) },
            line: say(&b.say_decline, terms.start),
        },
        Some(1) => counter(terms.start.saturating_add(COUNTER_SHIFT).unwrap_or(terms.start)),
        _ if too_soon || !fitting => counter(terms.start),
        _ => accept(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::persona::Persona;
    use crate::identity::PublicKey;
    use crate::market::{Id16, ListingRef, Price, Role, Window};

    fn negotiation(terms: &Terms, seq: u32) -> Negotiation {
        let (teacher, learner) = (PublicKey::from([1; 32]), PublicKey::from([2; 32]));
        Negotiation {
            id: Id16([7; 16]),
            listing: ListingRef { author: teacher, id: Id16([8; 16]) },
            skill: "rust".into(),
            teacher,
            learner,
            phase: Phase::Proposed { by: Role::Learner, terms: terms.clone() },
            agreed: None,
            seq,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn behaviour(accept: u32, counter: u32, decline: u32) -> Behaviour {
        let mut b = Persona::all().unwrap().remove(0).behaviour;
        (b.accept, b.counter, b.decline) = (accept, counter, decline);
        b
    }

    #[test]
    fn accepts_fitting_times_counters_others_declines_when_told() {
        let now: Timestamp = "2026-01-14T12:00:00Z".parse().unwrap();
        let mine = Availability {
            time_zone: "Europe/Lisbon".into(),
            windows: vec![Window::parse("wed 18:00-21:00").unwrap(), Window::parse("mon 18:00-21:00").unwrap()],
        };
        let terms = |start: &str| Terms {
            start: start.parse().unwrap(),
            duration_minutes: 60,
            price: Price::Free,
            topic: "Traits".into(),
        };
        let fitting = terms("2026-01-14T18:00:00Z");
        let n = negotiation(&fitting, 1);
        let tz = "Europe/Lisbon";
        let yes = answer(&behaviour(1, 0, 0), tz, &n, &fitting, Some(&mine), now, 0);
        assert_eq!(yes.action, Action::Accept);
        assert!(yes.line.contains("Wed 14 Jan 18:00"), "{}", yes.line);

        let outside = terms("2026-01-15T09:00:00Z");
        let moved = answer(&behaviour(1, 0, 0), tz, &negotiation(&outside, 1), &outside, Some(&mine), now, 0);
        let Action::Counter { terms: countered } = moved.action else { panic!("{moved:?}") };
        assert_eq!(countered.start, "2026-01-19T18:00:00Z".parse::<Timestamp>().unwrap());
        assert_eq!((countered.duration_minutes, countered.topic.as_str()), (60, "Traits"));

        let counter = answer(&behaviour(0, 1, 0), tz, &n, &fitting, Some(&mine), now, 0);
        let Action::Counter { terms: other_day } = counter.action else { panic!() };
        assert_eq!(other_day.start, "2026-01-19T18:00:00Z".parse::<Timestamp>().unwrap());

        let no = answer(&behaviour(0, 0, 1), tz, &n, &fitting, Some(&mine), now, 0);
        assert!(matches!(no.action, Action::Decline { .. }));
        // After a round of counters, anything still possible is accepted.
        let late = answer(&behaviour(0, 0, 1), tz, &negotiation(&fitting, 3), &fitting, Some(&mine), now, 0);
        assert_eq!(late.action, Action::Accept);
    }
}
