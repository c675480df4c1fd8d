//! A writer killed with SIGKILL at random moments leaves a store that opens
//! and holds only whole records.
//!
//! The parent test re-runs this test binary as a child (`writer_child`),
//! which writes endorsements, listings and negotiation steps in a loop until
//! it is killed. After each kill the parent opens the store and checks
//! every record and index.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use agora::endorse::verify;
use agora::market::{Availability, Format, Id16, Level, Listing, ListingKind, NegotiationEvent, Price, Terms};
use agora::store::Store;
use agora::wire::seal;
use common::{cosigned, endorsement, identity, now, ts};

const STORE_ENV: &str = "AGORA_CRASH_TEST_STORE";
const KILLS: u32 = 40;

/// The child: writes until killed. Does nothing unless started by the parent.
#[test]
#[ignore = "run by store_survives_sigkill_at_random_moments as a subprocess"]
fn writer_child() {
    let Ok(path) = std::env::var(STORE_ENV) else { return };
    let store = Store::open(path.as_ref()).unwrap();
    let (teacher, learner) = (identity(1), identity(2));
    let mut n = store.endorsements().unwrap().len() as u32;
    loop {
        store.put_endorsement(&cosigned(&endorsement(&teacher, &learner, n), &teacher, &learner)).unwrap();
        store.put_own_listing(&seal(&teacher, &big_listing(n), now()).unwrap()).unwrap();
        let id = Id16([(n % 251) as u8; 16]);
        let seq = store.negotiation(&id).unwrap().map_or(0, |s| s.seq);
        if seq == 0 {
            store
                .apply_negotiation_event(
                    &teacher.public(),
                    &seal(&learner, &propose(id, &teacher, &learner), now()).unwrap(),
                    None,
                )
                .unwrap();
        }
        n += 1;
    }
}

fn big_listing(n: u32) -> Listing {
    Listing {
        id: Id16([(n % 64) as u8; 16]),
        version: n,
        kind: ListingKind::Offer,
        title: format!("Listing version {n}"),
        skills: vec!["rust".into()],
        level: Level::Any,
        description: "x".repeat(1400),
        format: Format::Online,
        price: Price::Free,
        availability: Availability { time_zone: "UTC".into(), windows: vec![] },
        expires_at: ts("2027-01-01T00:00:00Z"),
        placement: None,
    }
}

fn propose(id: Id16, teacher: &agora::identity::Identity, learner: &agora::identity::Identity) -> NegotiationEvent {
    let terms =
        Terms { start: ts("2026-12-01T10:00:00Z"), duration_minutes: 60, price: Price::Free, topic: "t".into() };
    common::proposal(id, &teacher.public(), &learner.public(), "rust", terms)
}

#[test]
fn store_survives_sigkill_at_random_moments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    drop(Store::open(&path).unwrap());
    let exe = std::env::current_exe().unwrap();
    let mut seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    eprintln!("kill-test seed {seed}");
    let mut previous = 0;
    let mut grew = 0;
    let mut checked = std::collections::HashSet::new();
    for round in 0..KILLS {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let wait = Duration::from_millis(20 + seed % 180);
        let mut child = Command::new(&exe)
            .args(["writer_child", "--exact", "--ignored", "--test-threads=1", "--nocapture"])
            .env(STORE_ENV, &path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(wait);
        child.kill().unwrap(); // SIGKILL
        let started = Instant::now();
        child.wait().unwrap();
        assert!(started.elapsed() < Duration::from_secs(10), "child did not die");

        let count = check_whole(&path, round, &mut checked);
        if count > previous {
            grew += 1;
        }
        assert!(count >= previous, "round {round}: committed endorsements disappeared");
        previous = count;
    }
    assert!(grew >= KILLS / 4, "the writer made progress in only {grew} of {KILLS} rounds");
}

/// Opens the store and checks every record and index (endorsements not
/// verified in an earlier round); returns the number of endorsements.
fn check_whole(path: &std::path::Path, round: u32, checked: &mut std::collections::HashSet<String>) -> usize {
    let store = Store::open(path).unwrap_or_else(|e| panic!("round {round}: store does not open: {e}"));
    let summaries = store.endorsements().unwrap();
    for summary in summaries.iter().filter(|s| checked.insert(s.id.clone())) {
        let bytes = store.endorsement_bytes(&summary.id).unwrap().expect("summary without document");
        let verified = verify(&bytes, ts("2100-01-01T00:00:00Z"))
            .unwrap_or_else(|e| panic!("round {round}: partial endorsement: {e}"));
        assert_eq!(verified.endorsement(), summary);
        assert!(store.endorsements_with(&summary.learner.key).unwrap().contains(&summary.id));
        assert!(store.endorsements_for_skill(&summary.skill).unwrap().contains(&summary.id));
    }
    for listing in store.own_listings().unwrap() {
        assert_eq!(listing.value().description.len(), 1400);
    }
    for negotiation in store.negotiations().unwrap() {
        assert_eq!(store.negotiation_log(&negotiation.id).unwrap().len() as u32, negotiation.seq);
    }
    summaries.len()
}
