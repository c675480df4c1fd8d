//! The negotiation state machine: legal paths, refused steps, and a
//! property test that both parties always agree.

mod common;

use agora::identity::Identity;
use agora::market::negotiation::{EARLY_START, NO_SHOW_GRACE, step};
use agora::market::{
    Action, Effect, Id16, ListingRef, Negotiation, NegotiationError, NegotiationEvent, Phase, Price, Role, Terms,
};
use agora::wire::{open, seal};
use common::{identity, now, ts};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;

const ID: Id16 = Id16([9; 16]);

fn terms(start: &str, minutes: u16) -> Terms {
    Terms { start: ts(start), duration_minutes: minutes, price: Price::Free, topic: "Lifetimes".into() }
}

fn proposal(teacher: &Identity, learner: &Identity, t: Terms) -> NegotiationEvent {
    common::proposal(ID, &teacher.public(), &learner.public(), "rust", t)
}

fn ev(seq: u32, action: Action) -> NegotiationEvent {
    NegotiationEvent { negotiation: ID, seq, action }
}

fn at(minutes: i64) -> Timestamp {
    now().saturating_add(SignedDuration::from_mins(minutes)).unwrap()
}

#[test]
fn propose_counter_accept_start_complete() {
    let (teacher, learner) = (identity(1), identity(2));
    let (s, fx) =
        step(None, learner.public(), &proposal(&teacher, &learner, terms("2026-11-26T18:00:00Z", 60)), now()).unwrap();
    assert_eq!(fx, vec![Effect::SendTo(teacher.public()), Effect::AwaitAnswer(Role::Teacher)]);
    assert_eq!(s.awaiting(), Some(Role::Teacher));

    let counter = terms("2026-11-26T19:00:00Z", 90);
    let (s, _) = step(Some(&s), teacher.public(), &ev(1, Action::Counter { terms: counter.clone() }), at(1)).unwrap();
    assert_eq!(s.phase, Phase::Proposed { by: Role::Teacher, terms: counter.clone() });

    let (s, fx) = step(Some(&s), learner.public(), &ev(2, Action::Accept), at(2)).unwrap();
    assert_eq!(s.phase, Phase::Agreed);
    assert_eq!(s.agreed, Some(counter.clone()));
    assert!(fx.contains(&Effect::WakeAt(counter.start.saturating_sub(EARLY_START).unwrap())));

    let early = counter.start.saturating_sub(SignedDuration::from_mins(30)).unwrap();
    let err = step(Some(&s), teacher.public(), &ev(3, Action::Start), early).unwrap_err();
    assert!(matches!(err, NegotiationError::TooEarly { action: "start", .. }));

    let (s, _) = step(Some(&s), teacher.public(), &ev(3, Action::Start), counter.start).unwrap();
    let end = counter.end();
    let (s, fx) = step(Some(&s), learner.public(), &ev(4, Action::Complete), end).unwrap();
    assert_eq!(s.phase, Phase::Completed { started_at: counter.start, ended_at: end });
    assert!(fx.contains(&Effect::BeginEndorsement));
    assert_eq!(s.seq, 5);
}

#[test]
fn only_the_right_party_may_step() {
    let (teacher, learner, stranger) = (identity(1), identity(2), identity(3));
    let open_ = proposal(&teacher, &learner, terms("2026-11-26T18:00:00Z", 60));
    assert_eq!(step(None, teacher.public(), &open_, now()).unwrap_err(), NegotiationError::ProposerIsListingAuthor);
    assert_eq!(step(None, stranger.public(), &open_, now()).unwrap_err(), NegotiationError::NotAParty);
    assert_eq!(step(None, learner.public(), &ev(0, Action::Accept), now()).unwrap_err(), NegotiationError::NotStarted);

    let (s, _) = step(None, learner.public(), &open_, now()).unwrap();
    assert_eq!(
        step(Some(&s), learner.public(), &ev(1, Action::Accept), now()).unwrap_err(),
        NegotiationError::NotYourTurn { action: "accept" }
    );
    assert_eq!(
        step(Some(&s), stranger.public(), &ev(1, Action::Accept), now()).unwrap_err(),
        NegotiationError::NotAParty
    );
    assert_eq!(
        step(Some(&s), teacher.public(), &ev(5, Action::Accept), now()).unwrap_err(),
        NegotiationError::OutOfOrder { expected: 1, got: 5 }
    );
    assert!(matches!(
        step(Some(&s), teacher.public(), &ev(1, Action::Complete), now()),
        Err(NegotiationError::IllegalStep { action: "complete", phase: "proposed" })
    ));
    let mut other = ev(1, Action::Accept);
    other.negotiation = Id16([0; 16]);
    assert_eq!(step(Some(&s), teacher.public(), &other, now()).unwrap_err(), NegotiationError::WrongNegotiation);
}

#[test]
fn proposals_in_the_past_and_bad_terms_are_refused() {
    let (teacher, learner) = (identity(1), identity(2));
    let past = proposal(&teacher, &learner, terms("2026-11-01T18:00:00Z", 60));
    assert_eq!(step(None, learner.public(), &past, now()).unwrap_err(), NegotiationError::StartInPast);
    let tiny = proposal(&teacher, &learner, terms("2026-11-26T18:00:00Z", 5));
    assert!(
        matches!(step(None, learner.public(), &tiny, now()), Err(NegotiationError::Invalid(e)) if e.field == "duration")
    );
}

#[test]
fn reschedule_decline_keeps_the_old_time_and_cancel_closes() {
    let (teacher, learner) = (identity(1), identity(2));
    let t = terms("2026-11-26T18:00:00Z", 60);
    let (s, _) = step(None, learner.public(), &proposal(&teacher, &learner, t.clone()), now()).unwrap();
    let (s, _) = step(Some(&s), teacher.public(), &ev(1, Action::Accept), at(1)).unwrap();
    let new = terms("2026-11-27T18:00:00Z", 60);
    let (s, _) = step(Some(&s), learner.public(), &ev(2, Action::Reschedule { terms: new.clone() }), at(2)).unwrap();
    assert_eq!(s.current_terms(), Some(&new));
    let (s, _) = step(Some(&s), teacher.public(), &ev(3, Action::Decline { reason: "busy".into() }), at(3)).unwrap();
    assert_eq!((s.phase.clone(), s.agreed.clone()), (Phase::Agreed, Some(t)));
    let (s, fx) = step(Some(&s), teacher.public(), &ev(4, Action::Cancel { reason: "ill".into() }), at(4)).unwrap();
    assert_eq!(s.phase, Phase::Cancelled { by: Role::Teacher, reason: "ill".into() });
    assert!(fx.contains(&Effect::Closed));
    assert!(step(Some(&s), learner.public(), &ev(5, Action::Accept), at(5)).is_err());
}

#[test]
fn no_show_only_after_the_grace_period() {
    let (teacher, learner) = (identity(1), identity(2));
    let t = terms("2026-11-26T18:00:00Z", 60);
    let (s, _) = step(None, learner.public(), &proposal(&teacher, &learner, t.clone()), now()).unwrap();
    let (s, _) = step(Some(&s), teacher.public(), &ev(1, Action::Accept), at(1)).unwrap();
    assert!(matches!(
        step(Some(&s), learner.public(), &ev(2, Action::ReportNoShow), t.start),
        Err(NegotiationError::TooEarly { .. })
    ));
    let late = t.start.saturating_add(NO_SHOW_GRACE).unwrap();
    let (s, _) = step(Some(&s), learner.public(), &ev(2, Action::ReportNoShow), late).unwrap();
    assert_eq!(s.phase, Phase::NoShow { reported_by: Role::Learner });
}

// ---- property: both parties apply the same log and agree ----

#[derive(Clone, Debug)]
struct Move {
    actor: u8,
    action: u8,
    minutes_later: i64,
    offset_hours: i64,
}

/// Action numbers weighted so that long paths (accept, start, complete)
/// are common and the dead ends (decline, cancel) rarer.
const WEIGHTED_ACTIONS: [u8; 21] = [0, 0, 1, 1, 2, 2, 2, 2, 3, 4, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7, 8];

fn moves() -> impl Strategy<Value = Vec<Move>> {
    proptest::collection::vec(
        (0u8..7, 0u8..21, 0i64..600, 1i64..96).prop_map(|(actor, action, minutes_later, offset_hours)| Move {
            actor: [0, 0, 0, 1, 1, 1, 2][actor as usize],
            action: WEIGHTED_ACTIONS[action as usize],
            minutes_later,
            offset_hours,
        }),
        0..40,
    )
}

fn action_for(m: &Move, clock: Timestamp, people: &[Identity; 3]) -> Action {
    let t = Terms {
        start: clock.saturating_add(SignedDuration::from_hours(m.offset_hours)).unwrap(),
        duration_minutes: 30 + (m.offset_hours as u16 % 4) * 30,
        price: Price::Free,
        topic: format!("topic {}", m.offset_hours),
    };
    match m.action {
        0 => Action::Propose {
            listing: ListingRef { author: people[0].public(), id: Id16([1; 16]) },
            skill: "rust".into(),
            teacher: people[0].public(),
            learner: people[1].public(),
            terms: t,
        },
        1 => Action::Counter { terms: t },
        2 => Action::Accept,
        3 => Action::Decline { reason: "no".into() },
        4 => Action::Cancel { reason: "sorry".into() },
        5 => Action::Reschedule { terms: t },
        6 => Action::Start,
        7 => Action::Complete,
        _ => Action::ReportNoShow,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn both_parties_reach_the_same_state(script in moves()) {
        let people = [identity(1), identity(2), identity(3)];
        let mut clock = now();
        // Each party keeps its own replica, fed with the bytes the other sent.
        let mut replicas: [Option<Negotiation>; 2] = [None, None];
        let mut log = Vec::new();
        for m in &script {
            clock = clock.saturating_add(SignedDuration::from_mins(m.minutes_later)).unwrap();
            let actor = &people[m.actor as usize];
            let seq = replicas[0].as_ref().map_or(0, |s| s.seq);
            let event = NegotiationEvent { negotiation: ID, seq, action: action_for(m, clock, &people) };
            let Ok(sealed) = seal(actor, &event, clock) else { continue };
            let received = open::<NegotiationEvent>(sealed.bytes(), clock).unwrap();
            let a = step(replicas[0].as_ref(), actor.public(), &event, clock);
            let b = step(replicas[1].as_ref(), received.author(), received.value(), received.timestamp());
            prop_assert_eq!(a.is_ok(), b.is_ok());
            if let (Ok((sa, _)), Ok((sb, _))) = (a, b) {
                prop_assert_eq!(&sa, &sb);
                prop_assert_eq!(sa.seq as usize, log.len() + 1);
                replicas = [Some(sa), Some(sb)];
                log.push(sealed);
            }
        }
        // Replaying the stored log from scratch reaches the same state.
        let mut replay: Option<Negotiation> = None;
        for sealed in &log {
            let e = open::<NegotiationEvent>(sealed.bytes(), clock).unwrap();
            replay = Some(step(replay.as_ref(), e.author(), e.value(), e.timestamp()).unwrap().0);
        }
        prop_assert_eq!(&replay, &replicas[0]);
        // Once closed, nothing moves it.
        if let Some(state) = &replay
            && state.phase.is_closed()
        {
            for action in 0..9u8 {
                let m = Move { actor: 0, action, minutes_later: 0, offset_hours: 1 };
                for who in &people[..2] {
                    let e = NegotiationEvent { negotiation: ID, seq: state.seq, action: action_for(&m, clock, &people) };
                    prop_assert!(step(Some(state), who.public(), &e, clock).is_err());
                }
            }
        }
    }
}
