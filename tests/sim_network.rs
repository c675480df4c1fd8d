//! The simulated network itself: honest peers converge, a whole session
//! ends in one endorsement held byte for byte by both, crashes and
//! partitions heal, and a run replays exactly from its seed.

mod common;

use std::time::Duration;

use agora::node::core::Command;
use agora::sim::Sim;
use common::sim::{holds, log_bytes, network, publish_offer};

#[test]
fn listings_reach_every_peer_and_a_run_replays_exactly() {
    let run = |seed: u64| {
        let mut sim = network(seed, 12);
        sim.run_for(Duration::from_secs(5));
        let listings: Vec<_> = (0..4).map(|i| publish_offer(&mut sim, i * 3, &format!("Offer {i}"), "rust")).collect();
        let all =
            |s: &agora::sim::Sim| (0..s.len()).all(|p| listings.iter().all(|l| l.author == s.key(p) || holds(s, p, l)));
        assert!(sim.run_until(Duration::from_secs(120), all), "every peer holds every listing");
        (sim.elapsed(), sim.trace().fingerprint(), sim.trace().steps())
    };
    let first = run(7);
    assert_eq!(first, run(7), "the same seed replays the same run");
    assert_ne!(first.1, run(8).1, "another seed is another run");
}

#[test]
fn a_session_ends_in_one_endorsement_both_hold_byte_for_byte() {
    let (mut sim, negotiation) = common::sim::endorsed_session(11, 3);
    let id = agora::endorse::cosign::endorsement_id(&negotiation.id);
    let (t, l) = (sim.store(0).endorsement_bytes(&id).unwrap(), sim.store(1).endorsement_bytes(&id).unwrap());
    assert!(t.is_some() && t == l, "identical bytes on both sides");
    assert_eq!(log_bytes(&sim, 0, &negotiation.id), log_bytes(&sim, 1, &negotiation.id));
    let summary = sim.store(1).endorsement_summary(&id).unwrap().unwrap();
    assert_eq!(summary.minutes(), 60, "credited for the agreed hour");
    let drained = |s: &agora::sim::Sim| (0..2).all(|p| s.store(p).outbox().unwrap().is_empty());
    assert!(sim.run_until(Duration::from_secs(30), drained), "every message was taken");
    assert!(sim.store(2).endorsements().unwrap().is_empty(), "a bystander holds nothing of it");
}

#[test]
fn a_crashed_peer_catches_up_and_a_partition_heals() {
    let mut sim = network(5, 6);
    sim.run_for(Duration::from_secs(5));
    sim.crash(5);
    let while_down = publish_offer(&mut sim, 1, "Published while 5 was down", "go");
    sim.run_for(Duration::from_secs(10));
    sim.restart(5);
    assert!(sim.run_until(Duration::from_secs(180), |s| holds(s, 5, &while_down)), "the restarted peer catches up");

    let keys = |s: &agora::sim::Sim, of: &[usize]| of.iter().map(|i| s.key(*i)).collect::<Vec<_>>();
    let (left, right) = (keys(&sim, &[0, 1, 2]), keys(&sim, &[3, 4, 5]));
    sim.links_mut().partition(&[left, right]);
    let across = publish_offer(&mut sim, 4, "Published across a partition", "go");
    sim.run_for(Duration::from_secs(30));
    assert!(!holds(&sim, 0, &across), "nothing crosses a partition");
    sim.links_mut().heal();
    let everyone = |s: &agora::sim::Sim| (0..s.len()).filter(|p| *p != 4).all(|p| holds(s, p, &across));
    assert!(sim.run_until(Duration::from_secs(300), everyone), "after healing, reconciliation carries it over");
}

#[test]
fn a_message_to_someone_out_of_reach_is_said_to_wait_until_it_is_delivered() {
    let mut sim = common::sim::network(71, 2);
    sim.run_for(Duration::from_secs(3));
    let listing = common::sim::publish_offer(&mut sim, 0, "Rust for beginners", "rust");
    assert!(sim.run_until(Duration::from_secs(60), |s| common::sim::holds(s, 1, &listing)));
    let start = sim.now().saturating_add(jiff::SignedDuration::from_hours(2)).unwrap();
    let proposed = sim.command(1, Command::Propose(listing, common::sim::terms(start, 60))).unwrap();
    let id = common::sim::negotiation_of(proposed).id;
    assert!(sim.run_until(Duration::from_secs(60), |s| common::sim::seq(s, 0, &id) == 1));
    let (me, teacher) = (sim.key(1), sim.key(0));
    let waiting = |sim: &Sim| {
        let messages = sim.store(1).chat(&id).unwrap();
        agora::app::chat_waiting(sim.store(1), &me, &teacher, &messages).unwrap()
    };
    sim.links_mut().partition(&[vec![me], vec![teacher]]);
    sim.command(1, Command::Chat(id, "Is Monday all right?".into())).unwrap();
    sim.command(1, Command::Chat(id, "Or Tuesday?".into())).unwrap();
    sim.run_for(Duration::from_secs(30));
    assert_eq!(waiting(&sim), 2, "both wait while the teacher is out of reach");
    sim.links_mut().heal();
    assert!(sim.run_until(Duration::from_secs(300), |s| waiting(s) == 0), "delivered once reachable");
    assert_eq!(sim.store(0).chat(&id).unwrap().len(), 2);
}

#[test]
fn a_peer_that_lost_every_neighbour_asks_known_peers_again_once_it_can() {
    let mut sim = network(72, 4);
    sim.run_for(Duration::from_secs(10));
    // Peer 3 restarts while cut off from everyone (as a laptop waking with
    // its relay down): its bootstrap join goes nowhere.
    let keys: Vec<_> = (0..4).map(|p| sim.key(p)).collect();
    sim.links_mut().partition(&[keys[..3].to_vec(), vec![keys[3]]]);
    sim.crash(3);
    sim.run_for(Duration::from_secs(5));
    sim.restart(3);
    sim.run_for(Duration::from_secs(60));
    assert_eq!(sim.peer(3).core().unwrap().stats().neighbors, 0, "cut off, no neighbour");
    // The network comes back; gossip alone would never try again.
    sim.links_mut().heal();
    assert!(
        sim.run_until(Duration::from_secs(60), |s| s.peer(3).core().unwrap().stats().neighbors > 0),
        "a neighbour again"
    );
    let after = publish_offer(&mut sim, 0, "After the outage", "rust");
    assert!(sim.run_until(Duration::from_secs(60), |s| holds(s, 3, &after)), "and the listings flow again");
}

#[test]
fn when_the_network_is_back_waiting_mail_goes_at_once_not_after_its_backoff() {
    // Two runs from one seed; only the second is told the network is back.
    let run = |told: bool| {
        let mut sim = common::sim::network(73, 2);
        sim.run_for(Duration::from_secs(3));
        let listing = common::sim::publish_offer(&mut sim, 0, "Rust for beginners", "rust");
        assert!(sim.run_until(Duration::from_secs(60), |s| common::sim::holds(s, 1, &listing)));
        let start = sim.now().saturating_add(jiff::SignedDuration::from_hours(2)).unwrap();
        let proposed = sim.command(1, Command::Propose(listing, common::sim::terms(start, 60))).unwrap();
        let id = common::sim::negotiation_of(proposed).id;
        assert!(sim.run_until(Duration::from_secs(60), |s| common::sim::seq(s, 0, &id) == 1));
        let (me, teacher) = (sim.key(1), sim.key(0));
        // Out of reach long enough for the retries to space out to a minute.
        sim.links_mut().partition(&[vec![me], vec![teacher]]);
        sim.command(1, Command::Chat(id, "Is Monday all right?".into())).unwrap();
        sim.run_for(Duration::from_secs(200));
        sim.links_mut().heal();
        if told {
            sim.inject(1, agora::node::core::Input::NetworkBack);
        }
        sim.run_for(Duration::from_secs(3));
        sim.store(0).chat(&id).unwrap().len()
    };
    assert_eq!(run(false), 0, "left alone, the message waits for its next retry");
    assert_eq!(run(true), 1, "told the network is back, the node sends it at once");
}
