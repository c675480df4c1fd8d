//! Trust-weighted reputation against a Sybil ring: fifty fresh identities
//! endorsing each other with perfect ratings and long sessions, one of them
//! with a single session in the viewer's neighbourhood, next to an honest
//! tutor with ten sessions taught to the viewer's own counterparts.

mod common;

use agora::app::{Action, AppState, ListingItem, NetworkView, Snapshot, TrackRecord, update};
use agora::endorse::reputation::{TrustGraph, seeds_of};
use agora::endorse::{Endorsement, Party};
use agora::identity::{Identity, PublicKey};
use jiff::SignedDuration;

fn person(n: u32) -> Identity {
    let mut seed = [0u8; 32];
    seed[..4].copy_from_slice(&n.to_le_bytes());
    seed[31] = 1;
    Identity::from_secret_bytes(&seed)
}

fn session(teacher: &Identity, learner: &Identity, minutes: i64, rating: u8, n: u32) -> Endorsement {
    let start = common::ts("2026-10-01T10:00:00Z").saturating_add(SignedDuration::from_hours(i64::from(n))).unwrap();
    let end = start.saturating_add(SignedDuration::from_mins(minutes)).unwrap();
    Endorsement {
        id: format!("urn:uuid:{}", common::uuid_for(n)),
        teacher: Party { key: teacher.public(), name: "T".into() },
        learner: Party { key: learner.public(), name: "L".into() },
        skill: "rust".into(),
        start,
        end,
        covered: "x".into(),
        rating,
        review: "x".into(),
        attestation: "x".into(),
        issued: end,
        alignments: Vec::new(),
    }
}

/// The setup: (viewer, honest tutor, neighbours, ring, the viewer's own
/// endorsements, every endorsement).
fn sybil_world() -> (Identity, Identity, Vec<Identity>, Vec<Identity>, Vec<Endorsement>, Vec<Endorsement>) {
    let viewer = person(1);
    let honest = person(2);
    let neighbours: Vec<Identity> = (10..15).map(person).collect();
    let ring: Vec<Identity> = (100..150).map(person).collect();
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    // The viewer learned from each neighbour: these are the viewer's own.
    let own: Vec<Endorsement> = neighbours.iter().map(|nb| session(nb, &viewer, 60, 5, next())).collect();
    let mut all = own.clone();
    // The honest tutor taught the neighbours ten times, well but not perfectly.
    for (i, nb) in neighbours.iter().enumerate() {
        for _ in 0..2 {
            all.push(session(&honest, nb, 90, if i % 2 == 0 { 5 } else { 4 }, next()));
        }
    }
    // The ring: everyone teaches the next, three long perfect sessions each.
    for (i, fake) in ring.iter().enumerate() {
        for _ in 0..3 {
            all.push(session(fake, &ring[(i + 1) % ring.len()], 480, 5, next()));
        }
    }
    // One foothold: a neighbour took one short session from a ring member.
    all.push(session(&ring[0], &neighbours[0], 60, 5, next()));

    (viewer, honest, neighbours, ring, own, all)
}

#[test]
fn a_sybil_ring_earns_little_and_the_honest_tutor_ranks_first() {
    let (viewer, honest, neighbours, ring, own, all) = sybil_world();
    let graph = TrustGraph::from_endorsements(&all);
    let seeds = seeds_of(&viewer.public(), &own, &[]);
    let trust = graph.trust(&seeds);
    let score = |key: &PublicKey| trust.get(key).copied().unwrap_or(0.0);
    let honest_score = score(&honest.public());
    let ring_scores: Vec<f64> = ring.iter().map(|f| score(&f.public())).collect();
    let best_fake = ring_scores.iter().copied().fold(0.0, f64::max);
    let ring_total: f64 = ring_scores.iter().sum();
    println!("honest tutor {honest_score:.4}; best ring member {best_fake:.4}; whole ring {ring_total:.4}");

    let mut others: Vec<(PublicKey, f64)> =
        trust.iter().filter(|(k, _)| !seeds.contains(k)).map(|(k, v)| (*k, *v)).collect();
    others.sort_by(|a, b| b.1.total_cmp(&a.1));
    assert_eq!(others[0].0, honest.public(), "the honest tutor ranks first outside the viewer's circle");
    assert!(honest_score > 5.0 * best_fake, "{honest_score} vs {best_fake}");

    // The explanation: the strongest path runs through a neighbour.
    let paths = graph.paths(&seeds, &honest.public(), 3);
    assert!(!paths.is_empty());
    assert_eq!(paths[0].0.last(), Some(&honest.public()));
    assert!(neighbours.iter().any(|nb| paths[0].0.contains(&nb.public())), "{paths:?}");

    // Without the foothold the ring gets nothing at all.
    let cut: Vec<Endorsement> = all[..all.len() - 1].to_vec();
    let trust = TrustGraph::from_endorsements(&cut).trust(&seeds);
    assert!(ring.iter().all(|f| !trust.contains_key(&f.public())));
}

/// The same world as the client sees it: the viewer's own store, the
/// portfolios fetched for track records, and Discover's detail pane.
#[test]
fn discover_shows_the_honest_tutor_above_the_ring_with_a_path_through_a_neighbour() {
    let (viewer, honest, neighbours, ring, own, all) = sybil_world();
    let now = common::ts("2026-11-25T12:00:00Z");
    let mut names: Vec<(PublicKey, String)> = vec![(honest.public(), "Hana Honest".into())];
    names.extend(neighbours.iter().enumerate().map(|(i, nb)| (nb.public(), format!("Neighbour {i}"))));
    names.extend(ring.iter().enumerate().map(|(i, f)| (f.public(), format!("Ring {i}"))));
    let name = |key: &PublicKey| names.iter().find(|(k, _)| k == key).map(|(_, n)| n.clone()).unwrap();
    let listed = [&honest, &ring[0], &ring[25]];
    let listings = listed
        .iter()
        .map(|who| {
            let listing = common::offer(&format!("Rust with {}", name(&who.public())), "rust", now);
            let author_name = name(&who.public());
            let haystack = format!("{} rust {author_name}", listing.title).to_lowercase();
            ListingItem {
                listing,
                author: who.public(),
                author_name,
                languages: vec!["en".into()],
                haystack,
                community: None,
                hidden: None,
            }
        })
        .collect();
    let peers = names
        .iter()
        .map(|(key, name)| agora::store::PeerRecord { key: *key, name: name.clone(), last_seen: now, blocked: false })
        .collect();
    let snapshot = Snapshot {
        me: viewer.public(),
        profile: None,
        listings,
        own: vec![],
        paused: vec![],
        sessions: vec![],
        endorsements: own.clone(),
        peers,
        profiles: Default::default(),
        communities: Vec::new(),
        validations: Vec::new(),
    };
    let network = NetworkView {
        relays: agora::node::RelayStatus::Off,
        lan_discovery: false,
        neighbors: Default::default(),
        ticket: String::new(),
        communities: vec!["agora".into()],
    };
    let mut state = AppState::new(snapshot, network, now, jiff::tz::TimeZone::UTC, false);
    // Every portfolio arrives, each as its owner publishes it.
    for who in std::iter::once(&honest).chain(&neighbours).chain(&ring) {
        let theirs: Vec<Endorsement> =
            all.iter().filter(|e| e.teacher.key == who.public() || e.learner.key == who.public()).cloned().collect();
        let record = TrackRecord::of(&who.public(), &theirs, 0);
        update(&mut state, Action::TrackRecord(who.public(), Ok(record)));
    }

    let honest_view = state.explain(&honest.public()).unwrap().clone();
    let standing = &honest_view.standing;
    assert_eq!(standing.rank, Some(1), "{}", standing.summary());
    assert_eq!(standing.stats.overall.taught, 10);
    assert_eq!(standing.stats.skill("rust").counterparts, 5);
    assert!(
        neighbours.iter().any(|nb| standing.paths[0].hops.iter().any(|h| h.person == nb.public())),
        "{:?}",
        honest_view.paths
    );
    assert!(honest_view.paths[0].starts_with("you → Neighbour "), "{:?}", honest_view.paths);
    assert!(honest_view.paths[0].contains("(taught you rust, 1 h) → Hana Honest (taught Neighbour"));
    let mut best_fake = (0.0_f64, usize::MAX);
    for fake in &ring {
        let s = state.explain(&fake.public()).unwrap().standing.clone();
        assert!(s.rank.is_none_or(|r| r > 1), "a ring member ranks {:?}", s.rank);
        if s.score > best_fake.0 {
            best_fake = (s.score, s.rank.unwrap_or(usize::MAX));
        }
    }
    assert!(standing.score > 5.0 * best_fake.0, "{} vs {}", standing.score, best_fake.0);
    let far = state.explain(&ring[25].public()).unwrap().clone();
    println!(
        "honest tutor: {:.4}, {}; best ring member {:.4} (rank {}); Ring 25: {:.5}, {}",
        standing.score,
        standing.summary(),
        best_fake.0,
        best_fake.1,
        far.standing.score,
        far.standing.summary()
    );
    for path in &honest_view.paths {
        println!("  {path}");
    }

    // What Discover shows with the honest tutor's listing selected.
    let row = state.visible.iter().position(|&i| state.snapshot.listings[i].author == honest.public()).unwrap();
    for _ in 0..row {
        update(&mut state, Action::Down);
    }
    let screen = draw(&state);
    println!("{screen}");
    assert!(screen.contains("1st of 51 people you can reach (top 2%)"), "{screen}");
    assert!(screen.contains("· you → Neighbour "), "{screen}");
    assert!(screen.contains("→ Hana Honest (taught Neighbour"), "{screen}");
    assert!(screen.contains("rated 4.6/5: 5★ 6 · 4★ 4"), "{screen}");
}

fn draw(state: &AppState) -> String {
    use agora::tui::{Keymap, Screen, Theme};
    let keys = Keymap::new(agora::config::Config::defaults().tui.keys);
    let theme = Theme::new(agora::config::Theme::Mono);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 50)).unwrap();
    terminal.draw(|frame| frame.render_widget(&Screen { state, keys: &keys, theme: &theme }, frame.area())).unwrap();
    terminal
        .backend()
        .buffer()
        .content()
        .chunks(200)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}
