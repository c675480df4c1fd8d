//! Building blocks for simulator tests: a network of honest peers, a
//! session played through to its endorsement, and what to assert on.

use std::time::Duration;

use agora::community::{Admission, Charter, CommunityId, Curriculum};
use agora::market::{Action, Listing, ListingRef, Negotiation, Price, Terms};
use agora::node::core::{Command, Done};
use agora::sim::{Links, PeerOptions, Sim};
use jiff::{SignedDuration, Timestamp};

use super::identity;

/// The wall clock a simulated run starts at.
pub fn base() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().unwrap()
}

/// `n` honest peers with keys from seeds 1..=n, each joining through the
/// first one; links of 20–80 ms.
pub fn network(seed: u64, n: usize) -> Sim {
    let mut sim = Sim::new(Links::new(seed), base());
    for i in 0..n {
        let bootstrap = if i == 0 { vec![] } else { vec![0] };
        sim.add_peer(identity(i as u8 + 1), PeerOptions { bootstrap, ..PeerOptions::default() });
    }
    sim
}

pub fn listing_of(done: Done) -> agora::wire::Verified<Listing> {
    match done {
        Done::Listing(l) => *l,
        other => panic!("a listing was expected, got {other:?}"),
    }
}

pub fn negotiation_of(done: Done) -> Negotiation {
    match done {
        Done::Negotiation(n) => *n,
        other => panic!("a negotiation was expected, got {other:?}"),
    }
}

/// Publishes an offer of `skill` by peer `teacher`; returns its reference.
pub fn publish_offer(sim: &mut Sim, teacher: usize, title: &str, skill: &str) -> ListingRef {
    let mut listing = super::offer(title, skill, sim.now());
    // Ids from the test's own data, so that a run replays exactly.
    let digest = <sha2::Sha256 as sha2::Digest>::digest(format!("{teacher} {title}"));
    listing.id = agora::market::Id16(digest[..16].try_into().unwrap());
    let signed = listing_of(sim.command(teacher, Command::Publish(listing)).unwrap());
    ListingRef { author: sim.key(teacher), id: signed.value().id }
}

/// Whether peer `who` holds the listing `listing`.
pub fn holds(sim: &Sim, who: usize, listing: &ListingRef) -> bool {
    sim.store(who).seen_listing(&listing.author, &listing.id, sim.now()).unwrap().is_some()
}

pub fn terms(start: Timestamp, minutes: u16) -> Terms {
    Terms { start, duration_minutes: minutes, price: Price::Free, topic: "Ownership".into() }
}

/// Plays a whole session on `listing` between `learner` and the listing's
/// author `teacher`: propose, accept, start, complete, review, attest, and
/// waits for both stores to hold the endorsement. Returns the negotiation.
pub fn play_session(sim: &mut Sim, learner: usize, teacher: usize, listing: ListingRef) -> Negotiation {
    assert!(sim.run_until(Duration::from_secs(60), |s| holds(s, learner, &listing)), "the listing reaches the learner");
    let start = sim.now().saturating_add(SignedDuration::from_hours(1)).unwrap();
    let proposed = negotiation_of(sim.command(learner, Command::Propose(listing, terms(start, 60))).unwrap());
    let id = proposed.id;
    assert!(sim.run_until(Duration::from_secs(60), |s| s.store(teacher).negotiation(&id).unwrap().is_some()));
    sim.command(teacher, Command::Act(id, Action::Accept)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| agreed(s, learner, &id)));
    sim.run_for(Duration::from_secs(3600));
    sim.command(teacher, Command::Act(id, Action::Start)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| seq(s, learner, &id) == 3));
    sim.run_for(Duration::from_secs(3600));
    sim.command(learner, Command::Act(id, Action::Complete)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| seq(s, teacher, &id) == 4));
    sim.command(learner, Command::Review(id, 5, "Clear and patient.".into())).unwrap();
    let attestation = agora::endorse::cosign::Attestation {
        covered: "Ownership and borrowing.".into(),
        showed: "Wrote a borrow-checked list.".into(),
    };
    sim.command(teacher, Command::Attest(id, attestation)).unwrap();
    // Each reads the whole record and approves it before it is signed.
    assert!(sim.run_until(Duration::from_secs(60), |s| to_approve(s, teacher, &id).is_some()), "the record is ready");
    approve(sim, teacher, &id);
    assert!(sim.run_until(Duration::from_secs(60), |s| to_approve(s, learner, &id).is_some()), "the draft arrives");
    approve(sim, learner, &id);
    let endorsed = |s: &Sim, p: usize| !s.store(p).endorsements().unwrap().is_empty();
    assert!(sim.run_until(Duration::from_secs(120), |s| endorsed(s, teacher) && endorsed(s, learner)), "both hold it");
    sim.store(teacher).negotiation(&id).unwrap().unwrap()
}

/// The record waiting for `who`'s approval in negotiation `id`, if any.
pub fn to_approve(sim: &Sim, who: usize, id: &agora::market::NegotiationId) -> Option<agora::node::record::ToApprove> {
    let negotiation = sim.store(who).negotiation(id).unwrap()?;
    match agora::node::record::progress(sim.store(who), &sim.key(who), &negotiation, sim.now()).ok()?.stage {
        agora::node::record::Stage::Approve(record) => Some(*record),
        _ => None,
    }
}

/// `who` approves the record waiting for them (it must be there).
pub fn approve(sim: &mut Sim, who: usize, id: &agora::market::NegotiationId) {
    let record = to_approve(sim, who, id).expect("a record to approve");
    sim.command(who, Command::Approve(*id, record.digest)).unwrap();
}

pub fn agreed(sim: &Sim, who: usize, id: &agora::market::NegotiationId) -> bool {
    sim.store(who).negotiation(id).unwrap().is_some_and(|n| n.phase == agora::market::Phase::Agreed)
}

pub fn seq(sim: &Sim, who: usize, id: &agora::market::NegotiationId) -> u32 {
    sim.store(who).negotiation(id).unwrap().map_or(0, |n| n.seq)
}

/// The signed log of a negotiation at peer `who`, as bytes.
pub fn log_bytes(sim: &Sim, who: usize, id: &agora::market::NegotiationId) -> Vec<Vec<u8>> {
    sim.store(who).negotiation_log(id).unwrap().iter().map(|e| e.bytes().to_vec()).collect()
}

/// `n` peers where peer 1 learned from peer 0 in a session both have
/// endorsed; returns the network and the negotiation.
pub fn endorsed_session(seed: u64, n: usize) -> (Sim, Negotiation) {
    let mut sim = network(seed, n);
    sim.run_for(Duration::from_secs(3));
    let listing = publish_offer(&mut sim, 0, "Rust for beginners", "rust");
    let negotiation = play_session(&mut sim, 1, 0, listing);
    (sim, negotiation)
}

/// Peer `founder` founds an open or invite-only community named `name`
/// (its only maintainer) and so joins it.
pub fn found(sim: &mut Sim, founder: usize, name: &str, admission: Admission) -> CommunityId {
    let charter = Charter {
        founder: sim.key(founder),
        nonce: [name.len() as u8; 16],
        version: 1,
        previous: None,
        name: name.into(),
        description: String::new(),
        languages: vec![],
        rules: vec![],
        maintainers: vec![sim.key(founder)],
        admission,
        curriculum: Curriculum::default(),
    };
    let id = charter.id();
    sim.command(founder, Command::PublishCharter(charter)).unwrap();
    id
}
