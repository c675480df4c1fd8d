//! Reputation over a graph of 10,000 co-signed sessions among 2,000 people:
//! building the graph and the viewer's personalized PageRank; the client's
//! whole outlook (deduplicating, graph, ranks) and one person's standing
//! (statistics and the paths that explain it); next to a single pass
//! summing the same endorsements' hours (the floor).
//!
//! `cargo bench --bench reputation`.

use agora::endorse::reputation::{Outlook, TrustGraph};
use agora::endorse::{Endorsement, Party};
use agora::identity::{Identity, PublicKey};
use divan::{Bencher, black_box};
use jiff::{SignedDuration, Timestamp};

const PEOPLE: u32 = 2_000;
const SESSIONS: u32 = 10_000;

fn main() {
    divan::main();
}

fn people() -> Vec<PublicKey> {
    (0..PEOPLE)
        .map(|n| {
            let mut seed = [7u8; 32];
            seed[..4].copy_from_slice(&n.to_le_bytes());
            Identity::from_secret_bytes(&seed).public()
        })
        .collect()
}

/// Sessions between pseudo-random pairs (a fixed linear congruential walk).
fn sessions(people: &[PublicKey]) -> Vec<Endorsement> {
    let mut state: u64 = 42;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let start: Timestamp = "2026-10-01T10:00:00Z".parse().unwrap();
    (0..SESSIONS)
        .map(|n| {
            let (t, l) = (next() % people.len(), next() % people.len());
            let end = start.saturating_add(SignedDuration::from_mins(30 + (n % 4) as i64 * 30)).unwrap();
            Endorsement {
                id: format!("urn:uuid:00000000-0000-4000-8000-{n:012x}"),
                teacher: Party { key: people[t], name: String::new() },
                learner: Party { key: people[l], name: String::new() },
                skill: "rust".into(),
                start,
                end,
                covered: String::new(),
                rating: (n % 5 + 1) as u8,
                review: String::new(),
                attestation: String::new(),
                issued: end,
                alignments: Vec::new(),
            }
        })
        .collect()
}

#[divan::bench]
fn trust_10k_sessions(bencher: Bencher) {
    let people = people();
    let all = sessions(&people);
    let seeds = &people[..8];
    bencher.bench_local(|| black_box(TrustGraph::from_endorsements(&all).trust(black_box(seeds))));
}

/// What the client does when new endorsements arrive: the viewer's
/// outlook over all of them (8 of them as the viewer's own).
#[divan::bench]
fn outlook_10k_sessions(bencher: Bencher) {
    let people = people();
    let all = sessions(&people);
    let own: Vec<Endorsement> = all.iter().filter(|e| e.learner.key == people[0]).cloned().collect();
    bencher.bench_local(|| black_box(Outlook::new(people[0], &own, &all, &[])));
}

/// What the client does when a listing is selected: one standing.
#[divan::bench]
fn standing_in_10k_sessions(bencher: Bencher) {
    let people = people();
    let all = sessions(&people);
    let own: Vec<Endorsement> = all.iter().filter(|e| e.learner.key == people[0]).cloned().collect();
    let outlook = Outlook::new(people[0], &own, &all, &[]);
    let now: Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
    bencher.bench_local(|| black_box(outlook.standing(black_box(&people[1234]), now)));
}

/// The floor: one pass over the endorsements.
#[divan::bench]
fn sum_hours_10k_baseline(bencher: Bencher) {
    let people = people();
    let all = sessions(&people);
    bencher.bench_local(|| black_box(all.iter().map(|e| e.minutes()).sum::<i64>()));
}
