//! Communities' charters between simulated peers: a member joining through
//! a community ticket gets the charter from that peer, a maintainer's new
//! version reaches every member at their next rounds, a maintainer removed
//! in a version cannot win with a fork of an older one on any honest peer,
//! and a peer that never joined stores no charter at all.

mod common;

use std::time::Duration;

use agora::community::{Admission, Charter, CommunityId, Curriculum};
use agora::node::core::Command;
use agora::sim::Sim;
use common::sim::network;

fn founding(sim: &Sim, founder: usize, maintainers: &[usize]) -> Charter {
    Charter {
        founder: sim.key(founder),
        nonce: [42; 16],
        version: 1,
        previous: None,
        name: "Rust Berlin".into(),
        description: "Learning Rust together.".into(),
        languages: vec!["en".into()],
        rules: vec!["Be kind.".into()],
        maintainers: maintainers.iter().map(|m| sim.key(*m)).collect(),
        admission: Admission::Open,
        curriculum: Curriculum::default(),
    }
}

/// The version of `id` that holds on `peer`, if any.
fn version(sim: &Sim, peer: usize, id: &CommunityId) -> Option<u32> {
    sim.store(peer).charter(id).unwrap().map(|c| c.value().version)
}

/// `by` publishes the next version of what it holds, edited.
fn publish_next(sim: &mut Sim, by: usize, id: &CommunityId, edit: impl FnOnce(&mut Charter)) {
    let held = sim.store(by).charter(id).unwrap().expect("the publisher holds the charter");
    let mut next = Charter::next_of(&held);
    edit(&mut next);
    sim.command(by, Command::PublishCharter(next)).unwrap();
}

#[test]
fn a_charter_reaches_members_and_a_removed_maintainers_fork_never_wins() {
    let mut sim = network(81, 5);
    sim.run_for(Duration::from_secs(5));
    // Peer 0 founds the community with peer 1 as second maintainer.
    let charter = founding(&sim, 0, &[0, 1]);
    let id = charter.id();
    sim.command(0, Command::PublishCharter(charter)).unwrap();
    assert_eq!(version(&sim, 0, &id), Some(1));
    // Peers 1, 2 and 3 join through peer 0's community ticket; peer 4 never joins.
    for member in 1..=3 {
        sim.command(member, Command::JoinVia(id, sim.key(0))).unwrap();
    }
    assert!(
        sim.run_until(Duration::from_secs(30), |s| (1..=3).all(|m| version(s, m, &id) == Some(1))),
        "joining through a ticket brings the charter"
    );

    // Peer 1 publishes version 2; its news makes members ask at once (well
    // before their next directory round, a minute away).
    publish_next(&mut sim, 1, &id, |c| c.rules.push("Cite sources.".into()));
    assert!(
        sim.run_until(Duration::from_secs(10), |s| (0..=3).all(|m| version(s, m, &id) == Some(2))),
        "a maintainer's version reaches every member within seconds"
    );

    // Peer 0, cut off from the others, removes peer 1 in version 3; peer
    // 1 meanwhile forks version 2 and goes on alone, and the others follow
    // the fork (it is all they see).
    let keys: Vec<_> = (0..5).map(|p| sim.key(p)).collect();
    sim.links_mut().partition(&[vec![keys[0]], keys[1..].to_vec()]);
    let removed = sim.key(1);
    publish_next(&mut sim, 0, &id, |c| c.maintainers.retain(|m| *m != removed));
    for n in 0..3 {
        publish_next(&mut sim, 1, &id, |c| c.name = format!("Rust Berlin, Mo's way {n}"));
    }
    // (Whether the fork's news reaches them through gossip depends on who
    // neighbours whom; peer 1 also hands them its community ticket.)
    for member in [2, 3] {
        sim.command(member, Command::JoinVia(id, sim.key(1))).unwrap();
    }
    assert!(
        sim.run_until(Duration::from_secs(300), |s| [2, 3].iter().all(|m| version(s, *m, &id) == Some(5))),
        "while cut off from the founder, members follow the fork"
    );
    sim.links_mut().heal();
    // Once they meet again, the removal wins on every member: the one who
    // removed comes first among version 2's maintainers.
    assert!(
        sim.run_until(Duration::from_secs(600), |s| (0..=3)
            .all(|m| { s.store(m).charter(&id).unwrap().is_some_and(|c| !c.value().is_maintainer(&removed)) })),
        "the removal wins the fork everywhere"
    );
    for member in [0, 2, 3] {
        let current = sim.store(member).charter(&id).unwrap().unwrap();
        assert_eq!((current.value().version, current.value().name.as_str()), (3, "Rust Berlin"), "peer {member}");
    }
    assert!(sim.store(2).charter_versions(&id).unwrap().len() >= 6, "the longer fork is held, and loses");
    let its_own = sim.store(1).charter(&id).unwrap().unwrap();
    // A version signed by the removed maintainer on the removal is refused.
    let mut late = Charter::next_of(&its_own);
    late.name = "Taken over".into();
    assert!(sim.command(1, Command::PublishCharter(late)).is_err());
    // Peer 4 never joined: it stores nothing of the community.
    assert!(sim.store(4).known_communities().unwrap().is_empty());
}

/// A peer that answers every charter ask with `answer`.
fn liar(answer: Vec<u8>) -> agora::sim::Behaviour {
    use agora::net::DirectoryRequest;
    use agora::node::core::{Input, Output};
    agora::sim::Behaviour::Hook(Box::new(move |core, input, now| match input {
        Input::Directory { token, bytes, from } => match postcard::from_bytes::<DirectoryRequest>(&bytes) {
            Ok(DirectoryRequest::Charters(_)) => vec![Output::Answer(token, answer.clone())],
            _ => core.handle(Input::Directory { token, bytes, from }, now),
        },
        other => core.handle(other, now),
    }))
}

#[test]
fn lies_about_a_charter_are_refused_and_nothing_of_them_is_kept() {
    use agora::net::DirectoryReply;
    use agora::node::Event;
    use agora::wire::{list, seal};
    let at = common::sim::base();
    let build = |sim: &Sim| {
        let founder = common::identity(1);
        let v1 = seal(&founder, &founding(sim, 0, &[0]), at).unwrap();
        let eve = common::identity(9);
        // Eve (no maintainer) signs a "next version"; and a charter of
        // another community nobody asked about.
        let mut takeover = Charter::next_of(&v1);
        takeover.name = "Eve's now".into();
        let takeover = seal(&eve, &takeover, at).unwrap();
        let mut other = founding(sim, 0, &[0]);
        other.nonce = [7; 16];
        let other = seal(&founder, &other, at).unwrap();
        (v1, takeover, other)
    };
    let mut bomb = vec![0x80, 0x80, 0x80, 0x10];
    bomb.resize(1 << 19, 0);
    for case in 0..3 {
        let mut sim = network(90 + case, 3);
        let (v1, takeover, other) = build(&sim);
        let id = v1.value().id();
        let answer = match case {
            0 => list::encode(&[v1.bytes().to_vec(), takeover.bytes().to_vec()]),
            1 => list::encode(&[v1.bytes().to_vec(), other.bytes().to_vec()]),
            _ => bomb.clone(),
        };
        sim.peer_mut(1).behaviour = liar(postcard::to_stdvec(&DirectoryReply::Envelopes(answer)).unwrap());
        sim.run_for(Duration::from_secs(5));
        sim.command(2, Command::JoinVia(id, sim.key(1))).unwrap();
        sim.run_for(Duration::from_secs(30));
        let liar_key = sim.key(1);
        let refused = sim
            .events(2)
            .iter()
            .filter(|(_, e)| matches!(e, Event::Rejected { from, .. } if *from == liar_key))
            .count();
        assert!(refused >= 1, "case {case}: the lie is refused");
        let held = sim.store(2).charter_versions(&id).unwrap();
        assert!(held.iter().all(|v| v.author() == sim.key(0)), "case {case}: only the founder's version may be kept");
        if case < 2 {
            assert_eq!(held.len(), 1, "case {case}: the honest version before the lie is kept");
        }
        assert!(held.iter().all(|v| v.value().name == "Rust Berlin"), "case {case}");
        assert_eq!(
            sim.store(2).known_communities().unwrap().len(),
            held.len().min(1),
            "case {case}: nothing else kept"
        );
    }
}

#[test]
fn a_flood_of_charter_hints_costs_a_member_a_few_requests_not_one_each() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use agora::net::{DirectoryRequest, Frame};
    use agora::node::core::{GossipMessage, Input};
    let mut sim = network(95, 3);
    sim.run_for(Duration::from_secs(5));
    let charter = founding(&sim, 0, &[0]);
    let id = charter.id();
    sim.command(0, Command::PublishCharter(charter)).unwrap();
    sim.command(1, Command::JoinVia(id, sim.key(0))).unwrap();
    assert!(sim.run_until(Duration::from_secs(30), |s| version(s, 1, &id) == Some(1)));
    // Peer 2 counts the charter asks it receives.
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    sim.peer_mut(2).behaviour = agora::sim::Behaviour::Hook(Box::new(move |core, input, now| {
        if let Input::Directory { bytes, .. } = &input
            && matches!(postcard::from_bytes(bytes), Ok(DirectoryRequest::Charters(_)))
        {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        core.handle(input, now)
    }));
    let before = asked.load(Ordering::Relaxed);
    // Peer 2 sends peer 1 a thousand hints naming itself, over 20 seconds.
    let hint = Frame::CharterNews { community: id.0, member: *sim.key(2).as_bytes() }.encode().unwrap();
    for _ in 0..100 {
        let burst = vec![GossipMessage { content: hint.clone(), delivered_from: sim.key(2) }; 10];
        sim.inject(1, Input::Gossip(burst));
        sim.run_for(Duration::from_millis(200));
    }
    let asks = asked.load(Ordering::Relaxed) - before;
    assert!(asks <= 6, "one ask per 5 s at most (plus directory rounds), not one per hint: {asks}");
    assert!(asks >= 1, "the hint is acted on");
    // A hint for a community peer 1 never joined costs nothing.
    let stranger = CommunityId([7; 32]);
    let before = asked.load(Ordering::Relaxed);
    let hint = Frame::CharterNews { community: stranger.0, member: *sim.key(2).as_bytes() }.encode().unwrap();
    sim.inject(1, Input::Gossip(vec![GossipMessage { content: hint, delivered_from: sim.key(2) }; 10]));
    sim.run_for(Duration::from_secs(6));
    assert!(asked.load(Ordering::Relaxed) - before <= 1, "at most a directory round's ask");
    assert_eq!(version(&sim, 1, &id), Some(1));
}

#[test]
fn a_charter_ask_gets_only_what_the_asker_lacks() {
    use agora::community::charter::digest;
    use agora::net::{DirectoryReply, DirectoryRequest};
    let mut sim = network(97, 2);
    sim.run_for(Duration::from_secs(5));
    let charter = founding(&sim, 0, &[0]);
    let id = charter.id();
    sim.command(0, Command::PublishCharter(charter)).unwrap();
    for n in 0..3 {
        publish_next(&mut sim, 0, &id, |c| c.rules.push(format!("Rule {n}.")));
    }
    let chain: Vec<_> = {
        let mut versions = sim.store(0).charter_versions(&id).unwrap();
        versions.sort_by_key(|v| v.value().version);
        versions
    };
    let stranger = common::identity(50).public();
    let mut ask = |known: Vec<[u8; 32]>| -> Vec<u32> {
        let request = postcard::to_stdvec(&DirectoryRequest::Charters(vec![(id.0, known)])).unwrap();
        let reply = sim.ask_directory(stranger, 0, request).expect("an answer");
        let DirectoryReply::Envelopes(list) = postcard::from_bytes(&reply).unwrap() else { panic!("{reply:?}") };
        agora::wire::list::decode(&list, 100, 1 << 16)
            .unwrap()
            .map(|e| agora::wire::open::<Charter>(e.unwrap(), sim.now()).unwrap().value().version)
            .collect()
    };
    assert_eq!(ask(Vec::new()), [1, 2, 3, 4], "knowing nothing: the whole chain");
    assert_eq!(ask(vec![digest(&chain[1])]), [3, 4], "after the latest shared");
    assert_eq!(ask(vec![digest(&chain[3]), digest(&chain[0])]), Vec::<u32>::new(), "level: nothing");
    assert_eq!(ask(vec![[9; 32], digest(&chain[0])]), [2, 3, 4], "on another branch: from the fork");
}
