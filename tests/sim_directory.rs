//! The directory among honest peers, in the simulator: listings spread to
//! every peer, a late joiner catches up through reconciliation,
//! withdrawals and pauses reach everyone, a blocked peer stays out, and an
//! expired listing leaves every directory without a tombstone.

mod common;

use std::time::Duration;

use agora::market::ListingRef;
use agora::node::Event;
use agora::node::core::Command;
use agora::sim::{PeerOptions, Sim};
use common::sim::{holds, network, publish_offer};

fn everyone_holds(sim: &Sim, peers: &[usize], listing: &ListingRef) -> bool {
    peers.iter().all(|p| holds(sim, *p, listing))
}

#[test]
fn listings_reach_every_peer_including_a_late_joiner_and_withdrawals_follow() {
    let mut sim = network(61, 3);
    sim.run_for(Duration::from_secs(3));
    let a = publish_offer(&mut sim, 0, "Rust from A", "rust");
    let b = publish_offer(&mut sim, 1, "Calculus from B", "calculus");
    assert!(
        sim.run_until(Duration::from_secs(30), |s| everyone_holds(s, &[1, 2], &a) && everyone_holds(s, &[0, 2], &b))
    );

    // D joins late through C only, after the broadcasts: reconciliation
    // brings it up to date.
    let d = sim.add_peer(common::identity(4), PeerOptions { bootstrap: vec![2], ..PeerOptions::default() });
    assert!(
        sim.run_until(Duration::from_secs(60), |s| holds(s, d, &a) && holds(s, d, &b)),
        "the late joiner caught up"
    );

    sim.command(0, Command::Withdraw(a.id)).unwrap();
    assert!(
        sim.run_until(Duration::from_secs(30), |s| [1, 2, d].iter().all(|p| !holds(s, *p, &a))),
        "withdrawn everywhere"
    );
}

#[test]
fn a_blocked_peer_leaves_the_directory_and_stays_out() {
    let mut sim = network(62, 3);
    sim.run_for(Duration::from_secs(3));
    let before = publish_offer(&mut sim, 1, "Before the block", "rust");
    assert!(sim.run_until(Duration::from_secs(30), |s| holds(s, 0, &before)));
    let b = sim.key(1);
    let dropped = sim.command(0, Command::SetBlocked(b, true)).unwrap();
    assert!(matches!(dropped, agora::node::core::Done::Count(1)), "one listing of B's dropped: {dropped:?}");
    assert!(!holds(&sim, 0, &before));
    assert!(sim.command(0, Command::SetBlocked(sim.key(0), true)).is_err(), "no blocking oneself");
    // Every screen on A's home is told at once (a block from the command
    // line shows in a running client); a refused command tells nothing.
    let own_changes = |sim: &Sim| sim.events(0).iter().filter(|(_, e)| matches!(e, Event::OwnChanged)).count();
    assert_eq!(own_changes(&sim), 1, "the block, not the refused one");

    let from_b = publish_offer(&mut sim, 1, "After the block from B", "rust");
    let from_c = publish_offer(&mut sim, 2, "After the block from C", "rust");
    assert!(sim.run_until(Duration::from_secs(30), |s| holds(s, 2, &from_b) && holds(s, 0, &from_c)));
    // Reconciliation a few times over does not bring B back either.
    sim.run_for(Duration::from_secs(180));
    assert!(!holds(&sim, 0, &from_b), "A took a listing from a blocked peer");
    assert!(sim.store(0).peer(&b).unwrap().is_some_and(|p| p.blocked), "the block is kept");
}

#[test]
fn a_paused_listing_leaves_every_directory_and_comes_back_when_resumed() {
    let mut sim = network(63, 2);
    sim.run_for(Duration::from_secs(3));
    let listing = publish_offer(&mut sim, 0, "Sometimes on", "rust");
    assert!(sim.run_until(Duration::from_secs(30), |s| holds(s, 1, &listing)));
    sim.command(0, Command::Pause(listing.id)).unwrap();
    assert!(sim.run_until(Duration::from_secs(30), |s| !holds(s, 1, &listing)), "the pause reached the watcher");
    assert!(sim.store(0).own_listings().unwrap().is_empty());
    assert_eq!(sim.store(0).paused_listings().unwrap().len(), 1, "kept here");
    sim.command(0, Command::Resume(listing.id)).unwrap();
    assert!(sim.run_until(Duration::from_secs(30), |s| holds(s, 1, &listing)), "the resumed listing is back");
    let back = sim.store(1).seen_listing(&listing.author, &listing.id, sim.now()).unwrap().unwrap();
    assert_eq!(back.value().version, 2, "its next version, past the tombstone");
}

#[test]
fn an_expired_listing_leaves_every_directory_without_a_tombstone() {
    let mut sim = network(64, 2);
    sim.run_for(Duration::from_secs(3));
    let mut short = common::offer("Gone in a minute", "rust", sim.now());
    short.id = agora::market::Id16([0x61; 16]);
    short.expires_at = sim.now().saturating_add(jiff::SignedDuration::from_secs(60)).unwrap();
    sim.command(0, Command::Publish(short)).unwrap();
    let listing = ListingRef { author: sim.key(0), id: agora::market::Id16([0x61; 16]) };
    assert!(sim.run_until(Duration::from_secs(30), |s| holds(s, 1, &listing)));
    sim.run_for(Duration::from_secs(3 * 60));
    assert!(!holds(&sim, 1, &listing));
    assert_eq!(sim.store(1).seen_listing_count().unwrap(), 0, "pruned at the watcher");
    assert!(sim.store(0).own_listings().unwrap().is_empty(), "let go of at its author");
    let withdrawn = |p: usize| sim.events(p).iter().any(|(_, e)| matches!(e, Event::ListingWithdrawn { .. }));
    assert!(!withdrawn(1), "no withdrawal was signed or sent for an expired listing");
}
