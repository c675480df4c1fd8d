//! Trust-weighted reputation against a Sybil ring: fifty fresh identities
//! endorsing each other with perfect ratings and long sessions, one of them
//! with a single session in the viewer's neighbourhood, next to an honest
//! tutor with ten sessions taught to the viewer's own counterparts.

mod common;

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
    }
}

#[test]
fn a_sybil_ring_earns_little_and_the_honest_tutor_ranks_first() {
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
