//! Hostile peers against the directory, in the simulator: answer bombs,
//! withdrawal floods, throwaway keys, replays, a flood relayed through an
//! honest neighbour, and pulls that ask too much. Each attack runs, then
//! the test checks what honest stores hold and that honest traffic still
//! gets through.

mod common;

use std::time::Duration;

use agora::identity::Identity;
use agora::market::{Id16, ListingWithdrawal, Profile};
use agora::net::{DirectoryReply, DirectoryRequest, Frame};
use agora::node::Event;
use agora::node::core::{GossipMessage, Input, Limits, Output};
use agora::sim::{Behaviour, PeerOptions};
use agora::wire::{list, seal};
use common::sim::{holds, network, publish_offer};
use jiff::SignedDuration;

fn rejections(sim: &agora::sim::Sim, who: usize, from: agora::identity::PublicKey) -> usize {
    sim.events(who).iter().filter(|(_, e)| matches!(e, Event::Rejected { from: f, .. } if *f == from)).count()
}

/// A peer that answers every fetch with `bomb` (and reconciles honestly).
fn bomber(bomb: Vec<u8>) -> Behaviour {
    Behaviour::Hook(Box::new(move |core, input, now| match input {
        Input::Directory { token, bytes, from } => match postcard::from_bytes::<DirectoryRequest>(&bytes) {
            Ok(DirectoryRequest::Fetch(_)) => vec![Output::Answer(token, bomb.clone())],
            _ => core.handle(Input::Directory { token, bytes, from }, now),
        },
        other => core.handle(other, now),
    }))
}

#[test]
fn directory_answer_bombs_are_refused_before_anything_is_allocated() {
    let mut count_bomb = Vec::new();
    // A count prefix promising 33 million entries, then zeros.
    count_bomb.extend_from_slice(&[0x80, 0x80, 0x80, 0x10]);
    count_bomb.resize(1 << 19, 0);
    let bombs = [
        vec![0u8; 32 << 20],
        postcard::to_stdvec(&DirectoryReply::Envelopes(count_bomb)).unwrap(),
        postcard::to_stdvec(&DirectoryReply::Envelopes(list::encode(&vec![vec![0u8; 3000]; 64]))).unwrap(),
    ];
    for (n, bomb) in bombs.into_iter().enumerate() {
        let mut sim = network(40 + n as u64, 3);
        sim.peer_mut(1).behaviour = bomber(bomb);
        sim.run_for(Duration::from_secs(2));
        // Bait only the bomber holds (not gossiped), so the victim asks for it.
        let bait = seal(&common::identity(2), &common::offer("Bait", "rust", sim.now()), sim.now()).unwrap();
        sim.store(1).put_own_listing(&bait).unwrap();
        sim.peer_mut(1).directory_written_elsewhere();
        // The victim reconciles with its neighbours (it sees the bait's
        // hash at the bomber) and asks for it.
        sim.inject(0, Input::Lagged);
        sim.run_for(Duration::from_secs(30));
        let refused = rejections(&sim, 0, sim.key(1));
        assert!((1..=3).contains(&refused), "bomb {n}: one refusal per answer, not one per promised entry: {refused}");
        let honest = publish_offer(&mut sim, 2, "Honest", "go");
        assert!(
            sim.run_until(Duration::from_secs(120), |s| holds(s, 0, &honest)),
            "bomb {n}: honest news still arrives"
        );
        assert!(sim.store(0).seen_listings(sim.now()).unwrap().iter().all(|l| l.value().title != "Bait"));
    }
}

#[test]
fn a_portfolio_answer_bomb_is_refused_by_its_count() {
    let mut bomb = vec![0x80, 0x80, 0x80, 0x10];
    bomb.resize(1 << 20, 0);
    let reply = postcard::to_stdvec(&agora::node::core::PortfolioReply::Entries(bomb)).unwrap();
    let err = agora::node::read_portfolio_answer(&reply).unwrap_err().to_string();
    assert!(err.contains("33554432") && err.contains("10000"), "{err}");
}

/// `n` withdrawals signed by `author`, as envelopes.
fn tombstones(author: &Identity, n: u32, at: jiff::Timestamp) -> Vec<agora::wire::Verified<ListingWithdrawal>> {
    (0..n)
        .map(|i| {
            let mut id = [0u8; 16];
            id[..4].copy_from_slice(&i.to_be_bytes());
            seal(author, &ListingWithdrawal { id: Id16(id), version: 1 }, at).unwrap()
        })
        .collect()
}

#[test]
fn a_withdrawal_flood_stays_capped_does_not_spread_and_expires() {
    let mut sim = network(2, 4);
    let limits = Limits::default();
    sim.run_for(Duration::from_secs(2));
    // Peer 3 holds 45,000 signed withdrawals of its own (the attack of the
    // issue: enough to burst a digest of the old protocol).
    let flooder = common::identity(4);
    let batch = sim.store(3).directory_batch().unwrap();
    for w in tombstones(&flooder, 45_000, sim.now()) {
        batch.put_withdrawal(&w, usize::MAX, usize::MAX).unwrap();
    }
    batch.commit().unwrap();
    sim.peer_mut(3).directory_written_elsewhere();
    sim.inject(0, Input::Lagged);
    sim.run_for(Duration::from_secs(120));
    let held = |s: &agora::sim::Sim, p: usize| s.store(p).directory_len().unwrap();
    assert!(held(&sim, 0) <= (limits.withdrawals_per_author + 10) as u64, "capped per author: {}", held(&sim, 0));
    // Nor does it spread from the victim to whoever reconciles with it.
    sim.inject(1, Input::Lagged);
    sim.run_for(Duration::from_secs(120));
    assert!(held(&sim, 1) <= (limits.withdrawals_per_author + 10) as u64, "no spread: {}", held(&sim, 1));
    // Reconciliation between honest peers keeps working meanwhile.
    let honest = publish_offer(&mut sim, 2, "Still arrives", "go");
    assert!(sim.run_until(Duration::from_secs(120), |s| holds(s, 0, &honest) && holds(s, 1, &honest)));
    // Tombstones live at most 90 days.
    let later = sim.now().saturating_add(SignedDuration::from_hours(91 * 24)).unwrap();
    sim.store(0).prune_expired(later).unwrap();
    assert!(held(&sim, 0) < 10, "withdrawals expired: {}", held(&sim, 0));
}

#[test]
fn sync_keeps_working_at_a_hundred_thousand_entries() {
    let mut sim = network(9, 2);
    sim.run_for(Duration::from_secs(2));
    // Both hold the same 100,000 withdrawals (from 1,000 authors); peer 1
    // then publishes a few listings. Reconciliation finds just those.
    let now = sim.now();
    for a in 0..1000u32 {
        let mut seed = [7u8; 32];
        seed[..4].copy_from_slice(&a.to_be_bytes());
        let author = Identity::from_secret_bytes(&seed);
        let stones = tombstones(&author, 100, now);
        for p in 0..2 {
            let batch = sim.store(p).directory_batch().unwrap();
            for w in &stones {
                batch.put_withdrawal(w, usize::MAX, usize::MAX).unwrap();
            }
            batch.commit().unwrap();
        }
    }
    assert!(sim.store(0).directory_len().unwrap() >= 100_000);
    // Five listings stored at peer 1 without a broadcast: only
    // reconciliation can carry them.
    let author = common::identity(2);
    let news: Vec<_> = (0..5u8)
        .map(|i| {
            let mut l = common::offer(&format!("New {i}"), "rust", now);
            l.id = Id16([i; 16]);
            sim.store(1).put_own_listing(&seal(&author, &l, now).unwrap()).unwrap();
            agora::market::ListingRef { author: author.public(), id: l.id }
        })
        .collect();
    for p in 0..2 {
        sim.peer_mut(p).directory_written_elsewhere();
    }
    let before = sim.bytes_sent(0) + sim.bytes_sent(1);
    sim.inject(0, Input::Lagged);
    assert!(sim.run_until(Duration::from_secs(60), |s| news.iter().all(|l| holds(s, 0, l))), "the five arrive");
    let spent = sim.bytes_sent(0) + sim.bytes_sent(1) - before;
    assert!(spent < 2 << 20, "reconciling 100k entries for 5 differences cost {spent} bytes");
}

#[test]
fn throwaway_keys_cannot_grow_the_directory_past_its_caps() {
    let limits = Limits { max_seen_listings: 100, max_profiles: 50, ..Limits::default() };
    let mut sim = agora::sim::Sim::new(agora::sim::Links::new(3), common::sim::base());
    let victim = sim.add_peer(
        common::identity(1),
        PeerOptions { config: agora::node::core::CoreConfig { limits, ..Default::default() }, ..Default::default() },
    );
    let relay = common::identity(2).public();
    let now = sim.now();
    let mut gossip = Vec::new();
    for i in 0..300u32 {
        let mut seed = [9u8; 32];
        seed[..4].copy_from_slice(&i.to_be_bytes());
        let throwaway = Identity::from_secret_bytes(&seed);
        let mut listing = common::offer(&format!("Spam {i}"), "rust", now);
        listing.id = Id16([i as u8; 16]);
        let listing = seal(&throwaway, &listing, now).unwrap();
        let profile =
            Profile { name: format!("bot {i}"), bio: String::new(), languages: vec![], time_zone: "UTC".into() };
        let profile = seal(&throwaway, &profile, now).unwrap();
        for frame in [Frame::Listing(listing.bytes().to_vec()), Frame::Profile(profile.bytes().to_vec())] {
            gossip.push(GossipMessage { content: frame.encode().unwrap(), delivered_from: relay });
        }
    }
    // A listing that would expire in ten years: refused.
    let mut forever = common::offer("Forever", "rust", now);
    forever.expires_at = now.saturating_add(SignedDuration::from_hours(24 * 3650)).unwrap();
    let forever = seal(&common::identity(77), &forever, now).unwrap();
    gossip.push(GossipMessage {
        content: Frame::Listing(forever.bytes().to_vec()).encode().unwrap(),
        delivered_from: relay,
    });
    for chunk in gossip.chunks(50) {
        sim.inject(victim, Input::Gossip(chunk.to_vec()));
        sim.run_for(Duration::from_secs(1));
    }
    let store = sim.store(victim);
    assert_eq!(store.seen_listing_count().unwrap(), 100, "storage.max_seen_listings holds");
    assert!(
        store.peer_profiles().unwrap().len() <= 50,
        "profiles are capped: {}",
        store.peer_profiles().unwrap().len()
    );
    assert!(
        !store.seen_listings(now).unwrap().iter().any(|l| l.value().title == "Forever"),
        "no listing outlives 90 days"
    );
}

#[test]
fn replays_of_old_profiles_and_listing_versions_change_nothing() {
    let mut sim = network(21, 2);
    sim.run_for(Duration::from_secs(2));
    let author = common::identity(9);
    let relay = sim.key(1);
    let t0 = sim.now();
    let profile =
        |name: &str| Profile { name: name.into(), bio: String::new(), languages: vec![], time_zone: "UTC".into() };
    let old = seal(&author, &profile("Old name"), t0).unwrap();
    let new = seal(&author, &profile("New name"), t0.saturating_add(SignedDuration::from_secs(60)).unwrap()).unwrap();
    let mut v1 = common::offer("Long-lived v1", "rust", t0);
    v1.id = Id16([3; 16]);
    v1.expires_at = t0.saturating_add(SignedDuration::from_hours(24 * 30)).unwrap();
    let mut v2 = v1.clone();
    v2.version = 2;
    v2.title = "Short-lived v2".into();
    v2.expires_at = t0.saturating_add(SignedDuration::from_hours(2)).unwrap();
    let v1 = seal(&author, &v1, t0).unwrap();
    let v2 = seal(&author, &v2, t0.saturating_add(SignedDuration::from_secs(60)).unwrap()).unwrap();
    let send = |sim: &mut agora::sim::Sim, frame: Frame| {
        sim.inject(0, Input::Gossip(vec![GossipMessage { content: frame.encode().unwrap(), delivered_from: relay }]));
        sim.run_for(Duration::from_secs(1));
    };
    send(&mut sim, Frame::Listing(v2.bytes().to_vec()));
    send(&mut sim, Frame::Profile(new.bytes().to_vec()));
    send(&mut sim, Frame::Profile(old.bytes().to_vec()));
    assert_eq!(sim.store(0).peer(&author.public()).unwrap().unwrap().name, "New name", "an old profile renames no one");
    // v2 expires and is pruned; v1 (with a later expiry) comes back.
    sim.run_for(Duration::from_secs(3 * 3600));
    assert_eq!(sim.store(0).seen_listing_count().unwrap(), 0, "v2 expired and was pruned");
    send(&mut sim, Frame::Listing(v1.bytes().to_vec()));
    assert!(sim.store(0).seen_listings(sim.now()).unwrap().is_empty(), "the older version does not return");
}

#[test]
fn a_flood_relayed_by_an_honest_neighbour_costs_the_flooder_not_the_neighbour() {
    let mut sim = network(13, 3);
    sim.run_for(Duration::from_secs(2));
    let flooder = common::identity(66);
    let neighbour = sim.key(1);
    let now = sim.now();
    let flood: Vec<GossipMessage> = (0..400u32)
        .map(|i| {
            let mut l = common::offer(&format!("Flood {i}"), "rust", now);
            l.id = Id16([(i % 250) as u8; 16]);
            l.version = i;
            let l = seal(&flooder, &l, now).unwrap();
            GossipMessage { content: Frame::Listing(l.bytes().to_vec()).encode().unwrap(), delivered_from: neighbour }
        })
        .collect();
    sim.inject(0, Input::Gossip(flood));
    sim.run_for(Duration::from_millis(10));
    // The neighbour's own listing, relayed at once, still gets in.
    let own = publish_offer(&mut sim, 1, "The neighbour's own", "go");
    assert!(sim.run_until(Duration::from_secs(30), |s| holds(s, 0, &own)));
    let refused_flood = sim
        .events(0)
        .iter()
        .filter(|(_, e)| matches!(e, Event::Rejected { reason, .. } if reason.contains("over its message rate")))
        .count();
    assert!(refused_flood > 0, "the flooder's author rate was hit");
}

#[test]
fn directory_pulls_are_rate_limited_and_guarded_and_neighbours_coming_up_again_do_not_pull_again() {
    let mut sim = network(17, 2);
    sim.run_for(Duration::from_secs(5));
    let asker = common::identity(50).public();
    let request = postcard::to_stdvec(&DirectoryRequest::Fetch(vec![[0u8; 32]])).unwrap();
    let mut busy = 0;
    for _ in 0..100 {
        let answer = sim.ask_directory(asker, 0, request.clone()).unwrap();
        if matches!(postcard::from_bytes(&answer).unwrap(), DirectoryReply::Busy(_)) {
            busy += 1;
        }
    }
    assert!(busy > 0, "past its burst, a puller is told to come back later");
    // A blocked peer may not pull the directory, nor the portfolio.
    let blocked = common::identity(52).public();
    sim.command(0, agora::node::core::Command::SetBlocked(blocked, true)).unwrap();
    let answer = sim.ask_directory(blocked, 0, request.clone()).unwrap();
    assert!(matches!(postcard::from_bytes(&answer).unwrap(), DirectoryReply::Refused(_)));
    let answer = sim.ask_portfolio(blocked, 0).unwrap();
    assert!(matches!(postcard::from_bytes(&answer).unwrap(), agora::node::core::PortfolioReply::Refused(_)));
    let answer = sim.ask_portfolio(common::identity(53).public(), 0).unwrap();
    assert!(matches!(postcard::from_bytes(&answer).unwrap(), agora::node::core::PortfolioReply::Entries(_)));
    let too_many = postcard::to_stdvec(&DirectoryRequest::Fetch(vec![[0u8; 32]; 10_000])).unwrap();
    let answer = sim.ask_directory(common::identity(51).public(), 0, too_many).unwrap();
    assert!(matches!(postcard::from_bytes(&answer).unwrap(), DirectoryReply::Refused(_)));
    // A neighbour that flaps up ten times in a second is reconciled with once.
    sim.run_for(Duration::from_secs(31));
    let synced = |s: &agora::sim::Sim| s.events(1).iter().filter(|(_, e)| matches!(e, Event::Synced { .. })).count();
    let before = synced(&sim);
    for _ in 0..10 {
        sim.inject(1, Input::NeighborUp(sim.key(0)));
    }
    sim.run_for(Duration::from_secs(5));
    assert_eq!(synced(&sim) - before, 1, "once, not once per flap");
}

/// Each place (the open directory, each community joined) has its own
/// `storage.max_seen_listings`: throwaway keys flooding one open community
/// with listings that outlive everything else fill that community only;
/// the sooner-expiring listings of another community and of the open
/// directory stay, and new ones there still get in.
#[test]
fn a_flood_in_one_community_cannot_push_another_communitys_listings_out() {
    use agora::community::Admission;
    use agora::market::Placement;
    let limits = Limits { max_seen_listings: 40, ..Limits::default() };
    let mut sim = agora::sim::Sim::new(agora::sim::Links::new(31), common::sim::base());
    let victim = sim.add_peer(
        common::identity(1),
        PeerOptions { config: agora::node::core::CoreConfig { limits, ..Default::default() }, ..Default::default() },
    );
    let flooded = common::sim::found(&mut sim, victim, "Flooded", Admission::Open);
    let quiet = common::sim::found(&mut sim, victim, "Quiet", Admission::Open);
    let relay = common::identity(2).public();
    let now = sim.now();
    let listing = |n: u32, place: Option<agora::community::CommunityId>, days: i64| {
        let mut seed = [7u8; 32];
        seed[..4].copy_from_slice(&n.to_be_bytes());
        let author = Identity::from_secret_bytes(&seed);
        let mut listing = common::offer(&format!("Listing {n}"), "rust", now);
        listing.id = Id16([n as u8; 16]);
        listing.placement = place.map(|community| Placement { community, invitation: None });
        listing.expires_at = now.saturating_add(SignedDuration::from_hours(24 * days)).unwrap();
        let signed = seal(&author, &listing, now).unwrap();
        let reference = agora::market::ListingRef { author: author.public(), id: listing.id };
        (
            GossipMessage { content: Frame::Listing(signed.bytes().to_vec()).encode().unwrap(), delivered_from: relay },
            reference,
        )
    };
    let deliver = |sim: &mut agora::sim::Sim, messages: Vec<GossipMessage>| {
        for chunk in messages.chunks(20) {
            sim.inject(victim, Input::Gossip(chunk.to_vec()));
            sim.run_for(Duration::from_secs(2));
        }
    };
    // Honest listings first, expiring in a day: 10 in the quiet community,
    // 10 in the open directory.
    let (honest, honest_refs): (Vec<_>, Vec<_>) =
        (0..20).map(|n| listing(n, if n < 10 { Some(quiet) } else { None }, 1)).unzip();
    deliver(&mut sim, honest);
    assert!(honest_refs.iter().all(|l| holds(&sim, victim, l)), "the honest listings are kept");
    // Then 200 listings in the flooded community, each outliving them.
    let (flood, _): (Vec<_>, Vec<_>) = (1000..1200).map(|n| listing(n, Some(flooded), 60)).unzip();
    deliver(&mut sim, flood);
    let store = sim.store(victim);
    let held = store.seen_listings(now).unwrap();
    let in_place =
        |place: Option<agora::community::CommunityId>| held.iter().filter(|l| l.value().community() == place).count();
    assert_eq!(in_place(Some(flooded)), 40, "the flooded community is full at its own cap");
    assert_eq!((in_place(Some(quiet)), in_place(None)), (10, 10));
    assert!(honest_refs.iter().all(|l| holds(&sim, victim, l)), "nothing elsewhere gave way");
    // And there is still room elsewhere.
    let (late, late_refs): (Vec<_>, Vec<_>) =
        (2000..2005).map(|n| listing(n, if n % 2 == 0 { Some(quiet) } else { None }, 1)).unzip();
    deliver(&mut sim, late);
    assert!(late_refs.iter().all(|l| holds(&sim, victim, l)), "the other places still take listings");
}
