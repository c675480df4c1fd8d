//! Hostile peers against negotiations and co-signing, in the simulator: a
//! stranger taking over a negotiation, a counterpart rewriting history or
//! the minutes, drafts sent again and again, proof bombs, strangers who
//! open negotiations by the hundred and chat into them, steps refused for
//! a passing reason, lost steps, and refusal reasons that carry terminal
//! escapes. Honest stores must stay as they were, and honest traffic must
//! still complete.

mod common;

use std::time::Duration;

use agora::endorse::cosign::Draft;
use agora::identity::Identity;
use agora::market::{Action, ChatMessage, Id16, NegotiationEvent, NegotiationId};
use agora::net::{Ack, SessionMessage};
use agora::node::Event;
use agora::node::core::{Command, Input, Limits, Output};
use agora::sim::{Behaviour, Sim};
use agora::wire::seal;
use common::identity;
use common::sim::{agreed, endorsed_session, holds, log_bytes, negotiation_of, network, publish_offer, seq, terms};
use jiff::{SignedDuration, Timestamp};

fn send(sim: &mut Sim, from: &Identity, to: usize, message: SessionMessage) -> Ack {
    let bytes = postcard::to_stdvec(&message).unwrap();
    let answer = sim.ask_session(from.public(), to, bytes).expect("an answer");
    postcard::from_bytes(&answer).unwrap()
}

fn step(from: &Identity, id: NegotiationId, seq: u32, action: Action, at: Timestamp) -> SessionMessage {
    let event = NegotiationEvent { negotiation: id, seq, action };
    SessionMessage::Negotiation(seal(from, &event, at).unwrap().bytes().to_vec())
}

fn refused(ack: &Ack) -> bool {
    matches!(ack, Ack::Refused(_))
}

/// A teacher (0, key 1) with an offer, a learner (1, key 2) and a proposal
/// the teacher holds. Returns the negotiation id and the agreed start.
fn proposed(sim: &mut Sim) -> (NegotiationId, agora::market::ListingRef, Timestamp) {
    sim.run_for(Duration::from_secs(3));
    let listing = publish_offer(sim, 0, "Rust for beginners", "rust");
    assert!(sim.run_until(Duration::from_secs(60), |s| holds(s, 1, &listing)));
    let start = sim.now().saturating_add(SignedDuration::from_hours(1)).unwrap();
    let n = negotiation_of(sim.command(1, Command::Propose(listing, terms(start, 60))).unwrap());
    assert!(sim.run_until(Duration::from_secs(60), |s| seq(s, 0, &n.id) == 1));
    (n.id, listing, start)
}

#[test]
fn a_stranger_cannot_take_over_or_step_into_a_negotiation() {
    let mut sim = network(31, 3);
    let (id, listing, start) = proposed(&mut sim);
    let before = (log_bytes(&sim, 0, &id), log_bytes(&sim, 1, &id));
    let (teacher, stranger) = (sim.key(0), identity(3));
    // The id is public (an endorsement's id derives from it): a seq-0 fork
    // naming the stranger as the learner.
    let takeover =
        Action::Propose { listing, skill: "rust".into(), teacher, learner: stranger.public(), terms: terms(start, 60) };
    for target in [0, 1] {
        let now = sim.now();
        let ack = send(&mut sim, &stranger, target, step(&stranger, id, 0, takeover.clone(), now));
        assert!(refused(&ack), "peer {target} took the stranger's proposal: {ack:?}");
        let now = sim.now();
        let ack = send(&mut sim, &stranger, target, step(&stranger, id, 1, Action::Accept, now));
        assert!(refused(&ack), "peer {target} took a stranger's step: {ack:?}");
        let now = sim.now();
        let ack = send(&mut sim, &stranger, target, step(&stranger, id, 1, Action::Cancel { reason: "x".into() }, now));
        assert!(refused(&ack), "peer {target} took a stranger's cancel: {ack:?}");
    }
    // A party's own step relayed by someone else is not taken either.
    let learner = identity(2);
    let relayed = step(&learner, id, 1, Action::Cancel { reason: "relayed".into() }, sim.now());
    assert!(refused(&send(&mut sim, &stranger, 0, relayed)));
    assert_eq!(before, (log_bytes(&sim, 0, &id), log_bytes(&sim, 1, &id)), "both logs unchanged");
    assert!(sim.store(0).negotiations().unwrap().iter().all(|n| n.role_of(&stranger.public()).is_none()));
    // Honest traffic goes on.
    sim.command(0, Command::Act(id, Action::Accept)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| agreed(s, 1, &id)));
}

#[test]
fn settled_history_and_a_closed_negotiation_never_change() {
    let (mut sim, n) = endorsed_session(32, 2);
    let id = n.id;
    let endorsement = agora::endorse::cosign::endorsement_id(&id);
    let before = (log_bytes(&sim, 1, &id), sim.store(1).endorsement_bytes(&endorsement).unwrap());
    let teacher = identity(1);
    let now = sim.now();
    // Log: 0 propose (learner), 1 accept (teacher), 2 start (teacher),
    // 3 complete (learner). The teacher tries every rewrite.
    let attempts = [
        step(&teacher, id, 3, Action::Complete, now),
        step(&teacher, id, 2, Action::Start, now),
        step(&teacher, id, 1, Action::Cancel { reason: "rewrite".into() }, now),
        step(&teacher, id, 0, Action::Cancel { reason: "rewrite".into() }, now),
        step(&teacher, id, 4, Action::ReportNoShow, now),
    ];
    for attempt in attempts {
        let ack = send(&mut sim, &teacher, 1, attempt);
        assert!(refused(&ack), "a rewrite was taken: {ack:?}");
    }
    assert_eq!(before, (log_bytes(&sim, 1, &id), sim.store(1).endorsement_bytes(&endorsement).unwrap()));
    assert_eq!(log_bytes(&sim, 0, &id), log_bytes(&sim, 1, &id));
}

#[test]
fn minutes_are_bounded_by_the_agreed_terms() {
    let mut sim = network(33, 2);
    let (id, _, start) = proposed(&mut sim);
    sim.command(0, Command::Act(id, Action::Accept)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| agreed(s, 1, &id)));
    // Start 15 minutes early, complete 4 seconds later: refused here...
    let early = start.saturating_sub(SignedDuration::from_mins(15)).unwrap();
    sim.run_for(early.duration_since(sim.now()).unsigned_abs());
    sim.command(0, Command::Act(id, Action::Start)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| seq(s, 1, &id) == 3));
    sim.run_for(Duration::from_secs(4));
    let err = sim.command(1, Command::Act(id, Action::Complete)).unwrap_err().to_string();
    assert!(err.contains("too early to complete"), "{err}");
    // ... and when a hostile learner signs it anyway, at the teacher.
    let learner = identity(2);
    let forged = step(&learner, id, 3, Action::Complete, sim.now());
    assert!(refused(&send(&mut sim, &learner, 0, forged)), "a 0-minute completion was taken");
    // Completed a day later, it is credited the agreed hour, no more.
    sim.run_for(Duration::from_secs(24 * 3600));
    sim.command(0, Command::Act(id, Action::Complete)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| seq(s, 1, &id) == 4));
    for peer in [0, 1] {
        let n = sim.store(peer).negotiation(&id).unwrap().unwrap();
        let agora::market::Phase::Completed { started_at, ended_at } = n.phase else { panic!("{:?}", n.phase) };
        assert_eq!(ended_at.duration_since(started_at), SignedDuration::from_mins(60), "peer {peer}");
    }
}

#[test]
fn drafts_sent_again_and_again_keep_one_final_in_the_outbox() {
    let (mut sim, n) = endorsed_session(34, 2);
    let document = sim.store(1).cosign_state(&n.id).unwrap().draft.expect("the learner kept the draft");
    let teacher = identity(1);
    let teacher_key = teacher.public();
    // The teacher stops answering, so everything the learner sends waits.
    sim.peer_mut(0).behaviour = Behaviour::Hook(Box::new(|_, input, _| match input {
        Input::Session { token, .. } => {
            vec![Output::Answer(token, postcard::to_stdvec(&Ack::Later("busy".into())).unwrap())]
        }
        _ => Vec::new(),
    }));
    for i in 0..150 {
        let at = sim.now().saturating_add(SignedDuration::from_millis(i)).unwrap();
        let draft = seal(&teacher, &Draft { negotiation: n.id, document: document.clone() }, at).unwrap();
        send(&mut sim, &teacher, 1, SessionMessage::Draft(draft.bytes().to_vec()));
    }
    sim.run_for(Duration::from_secs(5));
    assert!(sim.store(1).outbox_len_for(&teacher_key).unwrap() <= 1, "one final, replaced, not 150");
    assert_eq!(sim.store(1).endorsements().unwrap().len(), 1);
}

#[test]
fn a_draft_full_of_previous_proofs_is_refused_before_any_hashing() {
    let mut sim = network(35, 2);
    let (id, _, _) = proposed(&mut sim);
    sim.command(0, Command::Act(id, Action::Accept)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| agreed(s, 1, &id)));
    sim.run_for(Duration::from_secs(3600));
    sim.command(0, Command::Act(id, Action::Start)).unwrap();
    sim.run_for(Duration::from_secs(3600));
    sim.command(1, Command::Act(id, Action::Complete)).unwrap();
    sim.command(1, Command::Review(id, 4, "Good".into())).unwrap();
    sim.run_for(Duration::from_secs(5));
    let references: Vec<String> = (0..2000).map(|i| format!("urn:uuid:{i:08}")).collect();
    let bomb = serde_json::json!({
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "proof": [{ "type": "DataIntegrityProof", "previousProof": references }],
    });
    let teacher = identity(1);
    let draft = Draft { negotiation: id, document: serde_json::to_vec(&bomb).unwrap() };
    let hashed = agora::endorse::data_integrity::canonicalizations();
    let now = sim.now();
    let ack = send(&mut sim, &teacher, 1, SessionMessage::Draft(seal(&teacher, &draft, now).unwrap().bytes().to_vec()));
    assert!(refused(&ack), "{ack:?}");
    assert_eq!(agora::endorse::data_integrity::canonicalizations(), hashed, "nothing was canonicalized");
    assert!(sim.store(1).endorsements().unwrap().is_empty());
}

#[test]
fn strangers_cannot_open_negotiations_or_chat_without_bound() {
    let mut sim = network(36, 3);
    let (id, listing, start) = proposed(&mut sim);
    // The learner becomes someone the teacher knows: an agreed session.
    sim.command(0, Command::Act(id, Action::Accept)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| agreed(s, 1, &id)));
    let limits = Limits::default();
    let mut later = 0;
    for i in 0..(limits.stranger_negotiations as u32 + 30) {
        let mut secret = [0x5a; 32];
        secret[..4].copy_from_slice(&i.to_be_bytes());
        let throwaway = Identity::from_secret_bytes(&secret);
        let mut raw = [0u8; 16];
        raw[..4].copy_from_slice(&i.to_be_bytes());
        let open = Action::Propose {
            listing,
            skill: "rust".into(),
            teacher: sim.key(0),
            learner: throwaway.public(),
            terms: terms(start, 60),
        };
        let now = sim.now();
        match send(&mut sim, &throwaway, 0, step(&throwaway, Id16(raw), 0, open, now)) {
            Ack::Taken => {}
            Ack::Later(_) => later += 1,
            other => panic!("{other:?}"),
        }
    }
    let open = sim.store(0).negotiations().unwrap().iter().filter(|n| !n.phase.is_closed()).count();
    assert!(open <= limits.stranger_negotiations + 1, "{open} open negotiations");
    assert_eq!(later, 30, "past the cap, strangers are asked to come back later");
    // One stranger opens at most a few, and chats into them within a bound.
    let stranger = identity(40);
    let mut opened = 0;
    for i in 0..10u8 {
        let open = Action::Propose {
            listing,
            skill: "rust".into(),
            teacher: sim.key(0),
            learner: stranger.public(),
            terms: terms(start, 60),
        };
        let now = sim.now();
        if matches!(send(&mut sim, &stranger, 0, step(&stranger, Id16([0xd0 + i; 16]), 0, open, now)), Ack::Taken) {
            opened += 1;
        }
    }
    assert_eq!(opened, 0, "the cap on strangers was already reached");
    // Someone the teacher knows is not a stranger: they still get in.
    let again = negotiation_of(sim.command(1, Command::Propose(listing, terms(start, 90))).unwrap());
    assert!(sim.run_until(Duration::from_secs(60), |s| s.store(0).negotiation(&again.id).unwrap().is_some()));
    // A proposal about a listing the teacher does not have is refused.
    let nowhere = Action::Propose {
        listing: agora::market::ListingRef { author: sim.key(0), id: Id16([0xee; 16]) },
        skill: "rust".into(),
        teacher: sim.key(0),
        learner: stranger.public(),
        terms: terms(start, 60),
    };
    let now = sim.now();
    assert!(refused(&send(&mut sim, &stranger, 0, step(&stranger, Id16([0xef; 16]), 0, nowhere, now))));
}

#[test]
fn a_strangers_chat_before_agreement_is_bounded() {
    let mut sim = network(37, 2);
    sim.run_for(Duration::from_secs(3));
    let listing = publish_offer(&mut sim, 0, "Rust for beginners", "rust");
    let stranger = identity(41);
    let start = sim.now().saturating_add(SignedDuration::from_hours(2)).unwrap();
    let open = Action::Propose {
        listing,
        skill: "rust".into(),
        teacher: sim.key(0),
        learner: stranger.public(),
        terms: terms(start, 60),
    };
    let id = Id16([0x77; 16]);
    let now = sim.now();
    assert!(matches!(send(&mut sim, &stranger, 0, step(&stranger, id, 0, open, now)), Ack::Taken));
    let mut taken = 0;
    for i in 0..60u8 {
        let chat = ChatMessage { negotiation: id, id: Id16([i; 16]), text: format!("hello {i}") };
        let bytes = seal(&stranger, &chat, sim.now()).unwrap().bytes().to_vec();
        if matches!(send(&mut sim, &stranger, 0, SessionMessage::Chat(bytes)), Ack::Taken) {
            taken += 1;
        }
    }
    assert_eq!(taken, Limits::default().stranger_chat);
    assert_eq!(sim.store(0).chat_count(&id).unwrap(), Limits::default().stranger_chat);
}

#[test]
fn a_step_refused_for_a_passing_reason_is_sent_again_and_arrives() {
    let mut sim = network(38, 2);
    let (id, _, _) = proposed(&mut sim);
    // Spend the learner's rate at the teacher with junk.
    let learner = identity(2);
    for _ in 0..200 {
        sim.ask_session(learner.public(), 0, b"junk".to_vec());
    }
    sim.command(1, Command::Act(id, Action::Cancel { reason: "changed my mind".into() })).unwrap();
    assert!(sim.run_until(Duration::from_secs(120), |s| seq(s, 0, &id) == 2), "the step got through after a wait");
    assert!(!sim.events(1).iter().any(|(_, e)| matches!(e, Event::DeliveryRefused { .. })), "never refused for good");
    assert!(sim.run_until(Duration::from_secs(30), |s| s.store(1).outbox().unwrap().is_empty()));
}

#[test]
fn a_lost_step_is_fetched_again_when_the_next_one_arrives() {
    let mut sim = network(39, 2);
    sim.run_for(Duration::from_secs(3));
    let listing = publish_offer(&mut sim, 0, "Rust for beginners", "rust");
    assert!(sim.run_until(Duration::from_secs(60), |s| holds(s, 1, &listing)));
    // The teacher's node acknowledges the first step but loses it.
    let lost = std::rc::Rc::new(std::cell::Cell::new(false));
    let flag = lost.clone();
    sim.peer_mut(0).behaviour = Behaviour::Hook(Box::new(move |core, input, now| match input {
        Input::Session { token, .. } if !flag.get() => {
            flag.set(true);
            vec![Output::Answer(token, postcard::to_stdvec(&Ack::Taken).unwrap())]
        }
        other => core.handle(other, now),
    }));
    let start = sim.now().saturating_add(SignedDuration::from_hours(1)).unwrap();
    let n = negotiation_of(sim.command(1, Command::Propose(listing, terms(start, 60))).unwrap());
    sim.run_for(Duration::from_secs(5));
    assert!(lost.get() && sim.store(0).negotiation(&n.id).unwrap().is_none(), "the proposal was lost");
    sim.command(1, Command::Act(n.id, Action::Cancel { reason: "never mind".into() })).unwrap();
    assert!(sim.run_until(Duration::from_secs(120), |s| seq(s, 0, &n.id) == 2), "the teacher fetched the missing step");
    assert_eq!(log_bytes(&sim, 0, &n.id), log_bytes(&sim, 1, &n.id));
}

#[test]
fn a_refusal_reason_cannot_carry_terminal_escapes() {
    let mut sim = network(40, 2);
    sim.run_for(Duration::from_secs(3));
    let listing = publish_offer(&mut sim, 0, "Rust for beginners", "rust");
    assert!(sim.run_until(Duration::from_secs(60), |s| holds(s, 1, &listing)));
    let evil = "no \u{1b}]0;pwned\u{7} \u{1b}[2J\u{202e}txt.exe \u{9b}31m";
    sim.peer_mut(0).behaviour = Behaviour::Hook(Box::new(move |_, input, _| match input {
        Input::Session { token, .. } => {
            vec![Output::Answer(token, postcard::to_stdvec(&Ack::Refused(evil.into())).unwrap())]
        }
        _ => Vec::new(),
    }));
    let start = sim.now().saturating_add(SignedDuration::from_hours(1)).unwrap();
    sim.command(1, Command::Propose(listing, terms(start, 60))).unwrap();
    let refused = |s: &Sim| s.events(1).iter().any(|(_, e)| matches!(e, Event::DeliveryRefused { .. }));
    assert!(sim.run_until(Duration::from_secs(30), refused));
    for (_, event) in sim.events(1) {
        if let Event::DeliveryRefused { reason, .. } | Event::Rejected { reason, .. } = event {
            assert!(!reason.chars().any(agora::text::needs_escape), "{reason:?}");
            assert!(reason.contains("pwned"), "the words themselves survive: {reason:?}");
        }
    }
}

#[test]
fn proposing_and_cancelling_from_throwaway_keys_fills_nothing() {
    let limits = Limits { stranger_negotiations_kept: 40, ..Limits::default() };
    let config = agora::node::core::CoreConfig { limits, ..Default::default() };
    let mut sim = Sim::new(agora::sim::Links::new(41), common::sim::base());
    sim.add_peer(identity(1), agora::sim::PeerOptions { config, ..Default::default() });
    sim.run_for(Duration::from_secs(1));
    let listing = publish_offer(&mut sim, 0, "Rust for beginners", "rust");
    let start = sim.now().saturating_add(SignedDuration::from_hours(2)).unwrap();
    let mut busy = 0;
    for i in 0..60u32 {
        let mut secret = [0x6b; 32];
        secret[..4].copy_from_slice(&i.to_be_bytes());
        let throwaway = Identity::from_secret_bytes(&secret);
        let mut raw = [0x6b; 16];
        raw[..4].copy_from_slice(&i.to_be_bytes());
        let id = Id16(raw);
        let open = Action::Propose {
            listing,
            skill: "rust".into(),
            teacher: sim.key(0),
            learner: throwaway.public(),
            terms: terms(start, 60),
        };
        let now = sim.now();
        match send(&mut sim, &throwaway, 0, step(&throwaway, id, 0, open, now)) {
            Ack::Taken if i == 0 => {
                // The teacher declines this one: the answer waits in the
                // outbox for a key that will never come back.
                let decline = Action::Decline { reason: "not for me".into() };
                sim.command(0, Command::Act(id, decline)).unwrap();
            }
            Ack::Taken => {
                let now = sim.now();
                let cancel = step(&throwaway, id, 1, Action::Cancel { reason: "gone".into() }, now);
                assert!(matches!(send(&mut sim, &throwaway, 0, cancel), Ack::Taken));
            }
            Ack::Later(_) => busy += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(sim.store(0).negotiations().unwrap().len(), 40, "no more than the cap is kept");
    assert_eq!(busy, 20, "past it, strangers are asked to come back later");
    assert_eq!(sim.store(0).outbox_len().unwrap(), 1, "the decline waits for its stranger");
    // A day later the closed ones are forgotten, and there is room again.
    sim.run_for(Duration::from_secs(25 * 3600));
    assert!(sim.store(0).negotiations().unwrap().is_empty(), "closed proposals of strangers are forgotten");
    assert_eq!(sim.store(0).outbox_len().unwrap(), 0, "and so is what waited to be sent about them");
    let now = sim.now();
    let (again, raw) = (Identity::from_secret_bytes(&[0x6c; 32]), Id16([0x6c; 16]));
    let open = Action::Propose {
        listing,
        skill: "rust".into(),
        teacher: sim.key(0),
        learner: again.public(),
        terms: terms(now.saturating_add(SignedDuration::from_hours(2)).unwrap(), 60),
    };
    assert!(matches!(send(&mut sim, &again, 0, step(&again, raw, 0, open, now)), Ack::Taken), "room again");
}
