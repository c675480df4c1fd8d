//! Random interleavings of honest and hostile moves on the simulator, over
//! many seeds: both parties acting at once, a stranger forging steps, a
//! counterpart equivocating, partitions, crashes, time passing. After every
//! move the invariants are checked:
//! - no one but the two parties authored any step in any log;
//! - a step the other party has acknowledged (or built on) never changes;
//! - a negotiation once closed stays closed;
//! - once things settle, two honest parties hold the same log, and the
//!   same endorsement bytes;
//! - every endorsement held verifies, signed by both parties, one of them
//!   the holder.
//!
//! A failing case prints its seed and moves; the simulator replays it
//! exactly.

mod common;

use std::time::Duration;

use agora::endorse::consent::RecordDigest;
use agora::endorse::cosign::Attestation;
use agora::identity::{Identity, PublicKey};
use agora::market::{Action, NegotiationEvent, NegotiationId, Role, Terms};
use agora::net::SessionMessage;
use agora::node::core::{Command, Input, Token};
use agora::sim::{Links, PeerOptions, Sim};
use agora::wire::seal;
use common::identity;
use common::sim::{base, holds, negotiation_of, publish_offer, terms, to_approve};
use jiff::SignedDuration;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Move {
    /// A party takes a step through its own node (it may be refused).
    Act {
        learner: bool,
        what: u8,
    },
    /// Both parties step at the same instant.
    Both {
        teacher: u8,
        learner: u8,
    },
    Elapse {
        minutes: u16,
    },
    /// A stranger signs a step and sends it to a party.
    Stranger {
        to_learner: bool,
        seq: u8,
        what: u8,
    },
    /// A party signs a step outside its node and sends it to the other.
    Equivocate {
        learner: bool,
        seq: u8,
        what: u8,
    },
    Partition {
        minutes: u16,
    },
    Crash {
        learner: bool,
        minutes: u16,
    },
    Chat {
        learner: bool,
    },
    /// A party gives its part (review or attestation).
    Part {
        learner: bool,
    },
    /// A party reads the record waiting for it and approves it, or (the
    /// learner) declines it.
    Approve {
        learner: bool,
        decline: bool,
    },
}

fn a_move() -> impl Strategy<Value = Move> {
    prop_oneof![
        6 => (any::<bool>(), 0u8..8).prop_map(|(learner, what)| Move::Act { learner, what }),
        2 => (0u8..8, 0u8..8).prop_map(|(teacher, learner)| Move::Both { teacher, learner }),
        4 => (1u16..120).prop_map(|minutes| Move::Elapse { minutes }),
        2 => (any::<bool>(), 0u8..6, 0u8..8).prop_map(|(to_learner, seq, what)| Move::Stranger { to_learner, seq, what }),
        1 => (any::<bool>(), 0u8..6, 0u8..8).prop_map(|(learner, seq, what)| Move::Equivocate { learner, seq, what }),
        1 => (1u16..30).prop_map(|minutes| Move::Partition { minutes }),
        1 => (any::<bool>(), 1u16..30).prop_map(|(learner, minutes)| Move::Crash { learner, minutes }),
        1 => any::<bool>().prop_map(|learner| Move::Chat { learner }),
        2 => any::<bool>().prop_map(|learner| Move::Part { learner }),
        2 => (any::<bool>(), prop::bool::weighted(0.3)).prop_map(|(learner, decline)| Move::Approve { learner, decline }),
    ]
}

const TEACHER: usize = 0;
const LEARNER: usize = 1;

fn action(what: u8, sim: &Sim) -> Action {
    let later = sim.now().saturating_add(SignedDuration::from_mins(90)).unwrap();
    let t: Terms = terms(later, 60);
    match what {
        0 => Action::Counter { terms: t },
        1 => Action::Accept,
        2 => Action::Decline { reason: "no".into() },
        3 => Action::Cancel { reason: "off".into() },
        4 => Action::Reschedule { terms: t },
        5 => Action::Start,
        6 => Action::Complete,
        _ => Action::ReportNoShow,
    }
}

struct World {
    sim: Sim,
    id: NegotiationId,
    teacher: PublicKey,
    learner: PublicKey,
    /// Per party: the longest settled prefix seen, and whether it was closed.
    settled: [Vec<Vec<u8>>; 2],
    closed: [bool; 2],
    equivocated: bool,
    /// Per party: every record it approved.
    approved: [Vec<RecordDigest>; 2],
}

fn world(seed: u64) -> World {
    let mut sim = Sim::new(Links::new(seed), base());
    sim.add_peer(identity(1), PeerOptions::default());
    sim.add_peer(identity(2), PeerOptions { bootstrap: vec![0], ..Default::default() });
    sim.run_for(Duration::from_secs(3));
    let listing = publish_offer(&mut sim, TEACHER, "Rust", "rust");
    assert!(sim.run_until(Duration::from_secs(60), |s| holds(s, LEARNER, &listing)));
    let start = sim.now().saturating_add(SignedDuration::from_mins(60)).unwrap();
    let n = negotiation_of(sim.command(LEARNER, Command::Propose(listing, terms(start, 60))).unwrap());
    assert!(sim.run_until(Duration::from_secs(60), |s| s.store(TEACHER).negotiation(&n.id).unwrap().is_some()));
    let (teacher, learner) = (sim.key(TEACHER), sim.key(LEARNER));
    World {
        sim,
        id: n.id,
        teacher,
        learner,
        settled: [Vec::new(), Vec::new()],
        closed: [false, false],
        equivocated: false,
        approved: [Vec::new(), Vec::new()],
    }
}

fn signed_step(who: &Identity, id: NegotiationId, seq: u32, action: Action, at: jiff::Timestamp) -> Vec<u8> {
    let event = NegotiationEvent { negotiation: id, seq, action };
    let message = SessionMessage::Negotiation(seal(who, &event, at).unwrap().bytes().to_vec());
    postcard::to_stdvec(&message).unwrap()
}

impl World {
    fn play(&mut self, m: &Move) {
        let sim = &mut self.sim;
        match m.clone() {
            Move::Act { learner, what } => {
                let who = if learner { LEARNER } else { TEACHER };
                let a = action(what, sim);
                if sim.peer(who).is_up() {
                    let result = sim.command(who, Command::Act(self.id, a));
                    if std::env::var("DEBUG_SIM").is_ok() {
                        eprintln!("act by {who}: {result:?}");
                    }
                }
            }
            Move::Both { teacher, learner } => {
                let (a, b) = (action(teacher, sim), action(learner, sim));
                for (who, a) in [(TEACHER, a), (LEARNER, b)] {
                    if sim.peer(who).is_up() {
                        sim.inject(who, Input::Command(Token(u64::MAX - who as u64), Command::Act(self.id, a)));
                    }
                }
                sim.run_for(Duration::from_millis(200));
            }
            Move::Elapse { minutes } => sim.run_for(Duration::from_secs(u64::from(minutes) * 60)),
            Move::Stranger { to_learner, seq, what } => {
                let stranger = identity(66);
                let to = if to_learner { LEARNER } else { TEACHER };
                let a = action(what, sim);
                let bytes = signed_step(&stranger, self.id, u32::from(seq), a, sim.now());
                if sim.peer(to).is_up() {
                    let _ = sim.ask_session(stranger.public(), to, bytes);
                }
            }
            Move::Equivocate { learner, seq, what } => {
                let (me, other) = if learner { (identity(2), TEACHER) } else { (identity(1), LEARNER) };
                let a = action(what, sim);
                let bytes = signed_step(&me, self.id, u32::from(seq), a, sim.now());
                if sim.peer(other).is_up() {
                    let _ = sim.ask_session(me.public(), other, bytes);
                    self.equivocated = true;
                }
            }
            Move::Partition { minutes } => {
                let (t, l) = (vec![self.teacher], vec![self.learner]);
                sim.links_mut().partition(&[t, l]);
                sim.run_for(Duration::from_secs(u64::from(minutes) * 60));
                sim.links_mut().heal();
            }
            Move::Crash { learner, minutes } => {
                let who = if learner { LEARNER } else { TEACHER };
                if sim.peer(who).is_up() {
                    sim.crash(who);
                    sim.run_for(Duration::from_secs(u64::from(minutes) * 60));
                    sim.restart(who);
                }
            }
            Move::Chat { learner } => {
                let who = if learner { LEARNER } else { TEACHER };
                if sim.peer(who).is_up() {
                    let _ = sim.command(who, Command::Chat(self.id, "hello".into()));
                }
            }
            Move::Part { learner } => {
                if sim.peer(if learner { LEARNER } else { TEACHER }).is_up() {
                    self.give_part(learner);
                }
            }
            Move::Approve { learner, decline } => {
                if sim.peer(if learner { LEARNER } else { TEACHER }).is_up() {
                    self.approve(learner, decline);
                }
            }
        }
        self.sim.run_for(Duration::from_secs(2));
        self.check();
    }

    fn give_part(&mut self, learner: bool) {
        if learner {
            let _ = self.sim.command(LEARNER, Command::Review(self.id, 5, "Good".into()));
        } else {
            let attestation = Attestation { covered: "Borrowing".into(), showed: "A list".into() };
            let _ = self.sim.command(TEACHER, Command::Attest(self.id, attestation));
        }
    }

    /// Approves (or declines) the record waiting for a party, if any, and
    /// remembers what it approved.
    fn approve(&mut self, learner: bool, decline: bool) {
        let who = if learner { LEARNER } else { TEACHER };
        let Some(record) = to_approve(&self.sim, who, &self.id) else { return };
        if learner && decline {
            let _ = self.sim.command(who, Command::DeclineRecord(self.id, record.digest, "Say more".into()));
        } else if self.sim.command(who, Command::Approve(self.id, record.digest)).is_ok() {
            self.approved[who].push(record.digest);
        }
    }

    /// The invariants that hold at every moment.
    fn check(&mut self) {
        for (i, who) in [TEACHER, LEARNER].into_iter().enumerate() {
            let store = self.sim.store(who);
            let me = self.sim.key(who);
            let log = store.negotiation_log(&self.id).unwrap();
            for event in &log {
                assert!(
                    event.author() == self.teacher || event.author() == self.learner,
                    "a non-party authored step {} at peer {who}",
                    event.value().seq
                );
            }
            let bytes: Vec<Vec<u8>> = log.iter().map(|e| e.bytes().to_vec()).collect();
            let prefix = &self.settled[i];
            assert!(
                bytes.len() >= prefix.len() && bytes[..prefix.len()] == prefix[..],
                "settled history changed at peer {who}"
            );
            let acked = store.negotiation_acked(&self.id).unwrap() as usize;
            let by_other = log.iter().rposition(|e| e.author() != me).map_or(0, |p| p + 1);
            let settled = acked.max(by_other).min(bytes.len());
            if settled > prefix.len() {
                self.settled[i] = bytes[..settled].to_vec();
            }
            let closed = store.negotiation(&self.id).unwrap().is_some_and(|n| n.phase.is_closed());
            assert!(closed || !self.closed[i], "a closed negotiation reopened at peer {who}");
            self.closed[i] |= closed;
            for e in store.endorsements().unwrap() {
                let bytes = store.endorsement_bytes(&e.id).unwrap().unwrap();
                let verified = agora::endorse::verify(&bytes, self.sim.now()).expect("every endorsement held verifies");
                let parties = [verified.endorsement().teacher.key, verified.endorsement().learner.key];
                assert!(parties.contains(&me), "peer {who} holds an endorsement it is no party to");
                let digest = RecordDigest::of(verified.endorsement());
                for party in [TEACHER, LEARNER] {
                    assert!(self.approved[party].contains(&digest), "peer {party} signed a record it never approved");
                }
            }
            // A draft the learner holds carries the teacher's signature:
            // the teacher approved exactly that record.
            if who == LEARNER
                && let Some(record) = to_approve(&self.sim, LEARNER, &self.id)
            {
                assert!(
                    self.approved[TEACHER].contains(&record.digest),
                    "the teacher signed a draft it never approved"
                );
            }
        }
    }

    /// Heals everything, lets it settle, co-signs if the session completed,
    /// and checks what honest parties must agree on.
    fn settle(&mut self) {
        let sim = &mut self.sim;
        sim.links_mut().heal();
        for who in [TEACHER, LEARNER] {
            if !sim.peer(who).is_up() {
                sim.restart(who);
            }
        }
        sim.run_for(Duration::from_secs(30 * 60));
        self.check();
        let completed = |s: &Sim, p: usize| {
            s.store(p)
                .negotiation(&self.id)
                .unwrap()
                .is_some_and(|n| matches!(n.phase, agora::market::Phase::Completed { .. }))
        };
        if completed(&self.sim, LEARNER) && completed(&self.sim, TEACHER) {
            self.give_part(true);
            self.give_part(false);
            self.sim.run_for(Duration::from_secs(10 * 60));
            // Each reads the record and approves it.
            for learner in [false, true] {
                self.approve(learner, false);
                self.sim.run_for(Duration::from_secs(10 * 60));
            }
            self.check();
        }
        if self.equivocated {
            return; // A party that equivocates may leave itself out of step.
        }
        let log = |s: &Sim, p: usize| {
            s.store(p).negotiation_log(&self.id).unwrap().iter().map(|e| e.bytes().to_vec()).collect::<Vec<_>>()
        };
        assert_eq!(log(&self.sim, TEACHER), log(&self.sim, LEARNER), "honest parties end with the same log");
        let id = agora::endorse::cosign::endorsement_id(&self.id);
        let (t, l) = (
            self.sim.store(TEACHER).endorsement_bytes(&id).unwrap(),
            self.sim.store(LEARNER).endorsement_bytes(&id).unwrap(),
        );
        if let (Some(t), Some(l)) = (&t, &l) {
            assert_eq!(t, l, "both hold the same endorsement bytes");
        }
        let roles = self
            .sim
            .store(TEACHER)
            .negotiation(&self.id)
            .unwrap()
            .map(|n| (n.role_of(&self.teacher), n.role_of(&self.learner)));
        assert_eq!(roles, Some((Some(Role::Teacher), Some(Role::Learner))));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("SIM_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(48), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn honest_and_hostile_interleavings_keep_every_invariant(seed in any::<u64>(), moves in prop::collection::vec(a_move(), 4..24)) {
        let mut w = world(seed);
        for m in &moves {
            w.play(m);
        }
        w.settle();
    }
}

/// A fixed interleaving that reaches an endorsement, so the co-signing
/// invariants are exercised every run, not only when chance gets there.
#[test]
fn a_session_through_concurrent_steps_and_a_crash_still_ends_in_one_endorsement() {
    let mut w = world(99);
    let moves = [
        Move::Act { learner: false, what: 1 },
        Move::Elapse { minutes: 60 },
        // Both start at once: one start stands, on both sides.
        Move::Both { teacher: 5, learner: 5 },
        Move::Crash { learner: true, minutes: 5 },
        Move::Elapse { minutes: 60 },
        Move::Stranger { to_learner: true, seq: 3, what: 6 },
        Move::Act { learner: true, what: 6 },
    ];
    for m in &moves {
        w.play(m);
        if std::env::var("DEBUG_SIM").is_ok() {
            let phase = |p: usize| w.sim.store(p).negotiation(&w.id).unwrap().map(|n| (n.seq, n.phase));
            eprintln!("{m:?}: teacher {:?} learner {:?}", phase(TEACHER), phase(LEARNER));
        }
    }
    w.settle();
    let id = agora::endorse::cosign::endorsement_id(&w.id);
    assert!(w.sim.store(TEACHER).endorsement_bytes(&id).unwrap().is_some(), "the session was endorsed");
}

/// The learner declines the first draft; the teacher revises and the
/// second one is signed by both, while the declined one is signed by
/// no one but the teacher.
#[test]
fn a_declined_draft_is_revised_and_only_the_revision_is_signed() {
    let mut w = world(7);
    for m in [
        Move::Act { learner: false, what: 1 },
        Move::Elapse { minutes: 60 },
        Move::Act { learner: false, what: 5 },
        Move::Elapse { minutes: 60 },
        Move::Act { learner: true, what: 6 },
        Move::Part { learner: true },
        Move::Part { learner: false },
        Move::Approve { learner: false, decline: false },
        Move::Approve { learner: true, decline: true },
    ] {
        w.play(&m);
    }
    let first = w.approved[TEACHER][0];
    assert!(to_approve(&w.sim, LEARNER, &w.id).is_none(), "nothing waits for the learner after declining");
    let cosign = w.sim.store(TEACHER).cosign_state(&w.id).unwrap();
    assert_eq!(
        cosign.declined.as_ref().map(|(d, r)| (*d, r.as_str())),
        Some((first, "Say more")),
        "the teacher reads why"
    );
    assert!(cosign.draft.is_none(), "the declined draft is dropped");
    let revised = Attestation { covered: "Borrowing and lifetimes".into(), showed: "A list, then a tree".into() };
    w.sim.command(TEACHER, Command::Attest(w.id, revised)).unwrap();
    w.approve(false, false);
    assert!(w.sim.run_until(Duration::from_secs(60), |s| to_approve(s, LEARNER, &w.id).is_some()));
    w.approve(true, false);
    assert!(w.sim.run_until(Duration::from_secs(60), |s| !s.store(TEACHER).endorsements().unwrap().is_empty()));
    w.check();
    let held = w.sim.store(LEARNER).endorsements().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].covered, "Borrowing and lifetimes", "the revision is what both signed");
    assert_ne!(RecordDigest::of(&held[0]), first);
}
