//! The redb store: what goes in comes out, latest versions win, and a
//! second process cannot open it.

mod common;

use agora::market::{
    Action, Availability, Format, Id16, Level, Listing, ListingKind, ListingWithdrawal, NegotiationEvent, Price,
    Profile, Terms,
};
use agora::store::{Applied, PeerRecord, SCHEMA_VERSION, Store, StoreError};
use agora::wire::seal;
use common::{cosigned, endorsement, identity, now, ts};

fn listing(id: u8, version: u32, expires: &str) -> Listing {
    Listing {
        id: Id16([id; 16]),
        version,
        kind: ListingKind::Request,
        title: format!("Calculus help v{version}"),
        skills: vec!["calculus".into()],
        level: Level::Intermediate,
        description: String::new(),
        format: Format::Either { area: "Lisbon".into() },
        price: Price::Money { centi_per_hour: 2500, currency: "EUR".into() },
        availability: Availability { time_zone: "Europe/Lisbon".into(), windows: vec![] },
        expires_at: ts(expires),
        placement: None,
    }
}

/// The learner proposes an hour on calculus, on the teacher's listing.
fn proposal(id: Id16, teacher: &agora::identity::Identity, learner: &agora::identity::Identity) -> NegotiationEvent {
    let terms =
        Terms { start: ts("2026-11-26T18:00:00Z"), duration_minutes: 60, price: Price::Free, topic: "Limits".into() };
    common::proposal(id, &teacher.public(), &learner.public(), "calculus", terms)
}

fn temp_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store.redb")).unwrap();
    (dir, store)
}

#[test]
fn records_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    let me = identity(1);
    {
        let store = Store::open(&path).unwrap();
        let profile = Profile {
            name: "Ada".into(),
            bio: "Teaches Rust".into(),
            languages: vec!["en".into()],
            time_zone: "UTC".into(),
        };
        store.put_profile(&seal(&me, &profile, now()).unwrap()).unwrap();
        store.put_own_listing(&seal(&me, &listing(1, 1, "2027-01-01T00:00:00Z"), now()).unwrap()).unwrap();
        store
            .put_peer(&PeerRecord { key: identity(2).public(), name: "Grace".into(), last_seen: now(), blocked: false })
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.profile().unwrap().unwrap().value().name, "Ada");
    assert_eq!(store.own_listings().unwrap().len(), 1);
    assert_eq!(store.peer(&identity(2).public()).unwrap().unwrap().name, "Grace");
    assert_eq!(store.peers().unwrap().len(), 1);
}

#[test]
fn a_second_open_is_refused_with_a_clear_error() {
    let (dir, _store) = temp_store();
    let err = Store::open(&dir.path().join("store.redb")).err().unwrap();
    assert!(matches!(err, StoreError::AlreadyInUse(_)), "{err:?}");
    assert!(err.to_string().contains("already in use"));
}

#[test]
fn a_store_from_a_newer_agora_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    drop(Store::open(&path).unwrap());
    {
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(redb::TableDefinition::<&str, u64>::new("meta"))
            .unwrap()
            .insert("schema_version", SCHEMA_VERSION + 1)
            .unwrap();
        tx.commit().unwrap();
    }
    let err = Store::open(&path).err().unwrap();
    assert!(matches!(err, StoreError::NewerSchema { found, .. } if found == SCHEMA_VERSION + 1), "{err:?}");
}

#[test]
fn seen_listings_keep_the_latest_version_and_honour_withdrawals() {
    let (_dir, store) = temp_store();
    let author = identity(2);
    let v2 = seal(&author, &listing(1, 2, "2027-01-01T00:00:00Z"), now()).unwrap();
    let v1 = seal(&author, &listing(1, 1, "2027-01-01T00:00:00Z"), now()).unwrap();
    assert!(store.put_seen_listing(&v2).unwrap());
    assert!(!store.put_seen_listing(&v1).unwrap(), "an older version must not replace a newer one");
    assert_eq!(store.seen_listings(now()).unwrap()[0].value().version, 2);

    // The same id from another author is another listing.
    let other = seal(&identity(3), &listing(1, 1, "2027-01-01T00:00:00Z"), now()).unwrap();
    assert!(store.put_seen_listing(&other).unwrap());
    assert_eq!(store.seen_listings(now()).unwrap().len(), 2);

    store.put_withdrawal(&seal(&author, &ListingWithdrawal { id: Id16([1; 16]), version: 2 }, now()).unwrap()).unwrap();
    assert_eq!(store.seen_listings(now()).unwrap().len(), 1);
    assert!(!store.put_seen_listing(&v2).unwrap(), "a withdrawn version cannot come back");
    let v3 = seal(&author, &listing(1, 3, "2027-01-01T00:00:00Z"), now()).unwrap();
    assert!(store.put_seen_listing(&v3).unwrap(), "a newer version after a withdrawal is a re-listing");
}

#[test]
fn a_directory_batch_is_kept_whole_on_commit_and_not_at_all_when_dropped() {
    let (_dir, store) = temp_store();
    let author = identity(2);
    let first = seal(&author, &listing(1, 1, "2027-01-01T00:00:00Z"), now()).unwrap();
    let second = seal(&author, &listing(2, 1, "2027-01-01T00:00:00Z"), now()).unwrap();

    let dropped = store.directory_batch().unwrap();
    assert!(dropped.put_seen_listing(&first, usize::MAX).unwrap().is_kept());
    drop(dropped);
    assert!(store.seen_listings(now()).unwrap().is_empty(), "a dropped batch leaves nothing behind");

    let batch = store.directory_batch().unwrap();
    assert!(batch.put_seen_listing(&first, usize::MAX).unwrap().is_kept());
    assert!(batch.put_seen_listing(&second, usize::MAX).unwrap().is_kept());
    assert_eq!(batch.seen_listing_count(&author.public(), &Id16([2; 16])).unwrap(), (2, true));
    let withdrawal = seal(&author, &ListingWithdrawal { id: Id16([1; 16]), version: 1 }, now()).unwrap();
    assert!((batch.put_withdrawal(&withdrawal, usize::MAX, usize::MAX).unwrap() == agora::store::Withdrawn::News));
    assert!(!batch.put_seen_listing(&first, usize::MAX).unwrap().is_kept(), "the batch sees its own withdrawal");
    batch.commit().unwrap();
    let held = store.seen_listings(now()).unwrap();
    assert_eq!(held.iter().map(|l| l.value().id).collect::<Vec<_>>(), vec![Id16([2; 16])]);
}

#[test]
fn expired_listings_are_hidden_and_pruned() {
    let (_dir, store) = temp_store();
    let old = seal(&identity(2), &listing(1, 1, "2026-11-20T00:00:00Z"), ts("2026-11-01T00:00:00Z")).unwrap();
    let fresh = seal(&identity(2), &listing(2, 1, "2027-01-01T00:00:00Z"), now()).unwrap();
    store.put_seen_listing(&old).unwrap();
    store.put_seen_listing(&fresh).unwrap();
    assert_eq!(store.seen_listings(now()).unwrap().len(), 1);
    assert_eq!(store.prune_expired(now()).unwrap(), 1);
    assert_eq!(store.prune_expired(now()).unwrap(), 0);
}

#[test]
fn own_listing_withdrawal_is_recorded() {
    let (_dir, store) = temp_store();
    let me = identity(1);
    store.put_own_listing(&seal(&me, &listing(4, 1, "2027-01-01T00:00:00Z"), now()).unwrap()).unwrap();
    let withdrawal = seal(&me, &ListingWithdrawal { id: Id16([4; 16]), version: 1 }, now()).unwrap();
    assert!(store.withdraw_own_listing(&withdrawal).unwrap());
    assert!(store.own_listings().unwrap().is_empty());
    assert!(!store.withdraw_own_listing(&withdrawal).unwrap());
}

#[test]
fn negotiation_state_and_log_are_written_together() {
    let (_dir, store) = temp_store();
    let (teacher, learner) = (identity(1), identity(2));
    let id = Id16([5; 16]);
    let propose = proposal(id, &teacher, &learner);
    store.apply_negotiation_event(&teacher.public(), &seal(&learner, &propose, now()).unwrap(), None).unwrap();
    // An illegal step changes nothing.
    let bad = NegotiationEvent { negotiation: id, seq: 1, action: Action::Accept };
    let err =
        store.apply_negotiation_event(&teacher.public(), &seal(&learner, &bad, now()).unwrap(), None).unwrap_err();
    assert!(matches!(err, StoreError::Negotiation(_)));
    assert_eq!(store.negotiation_log(&id).unwrap().len(), 1);
    let accept = seal(&teacher, &bad, now()).unwrap();
    let Applied::New(state, _) = store.apply_negotiation_event(&teacher.public(), &accept, None).unwrap() else {
        panic!("new step expected")
    };
    assert!(
        matches!(store.apply_negotiation_event(&teacher.public(), &accept, None).unwrap(), Applied::Duplicate(_)),
        "replays are idempotent"
    );
    assert_eq!(store.negotiation(&id).unwrap().unwrap(), state);
    let log = store.negotiation_log(&id).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].author(), teacher.public());
    assert_eq!(store.negotiations().unwrap().len(), 1);
}

#[test]
fn endorsements_are_indexed_and_immutable() {
    let (_dir, store) = temp_store();
    let (teacher, learner, other) = (identity(1), identity(2), identity(3));
    let first = cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner);
    let second = cosigned(&endorsement(&other, &learner, 1), &other, &learner);
    assert!(store.put_endorsement(&first).unwrap());
    assert!(!store.put_endorsement(&first).unwrap(), "storing the same bytes twice is a no-op");
    store.put_endorsement(&second).unwrap();

    let id = &first.endorsement().id;
    assert_eq!(store.endorsement_bytes(id).unwrap().unwrap(), first.bytes());
    assert_eq!(store.endorsement_summary(id).unwrap().unwrap(), *first.endorsement());
    assert_eq!(store.endorsements().unwrap().len(), 2);
    assert_eq!(store.endorsements_with(&learner.public()).unwrap().len(), 2);
    assert_eq!(store.endorsements_with(&teacher.public()).unwrap(), vec![id.clone()]);
    assert_eq!(store.endorsements_for_skill("rust").unwrap(), vec![id.clone()]);
    assert_eq!(store.resolve_endorsement_id(&id["urn:uuid:".len()..][..8]).unwrap(), None, "prefix shared by both ids");
    assert_eq!(store.resolve_endorsement_id(id).unwrap().as_ref(), Some(id));

    // Same id, different contents: refused, the original kept.
    let mut altered = endorsement(&teacher, &learner, 0);
    altered.rating = 5;
    let altered = cosigned(&altered, &teacher, &learner);
    assert!(store.put_endorsement(&altered).is_err());
    assert_eq!(store.endorsement_bytes(id).unwrap().unwrap(), first.bytes());
}

#[test]
fn when_both_step_at_once_the_closing_step_wins_on_both_sides() {
    let (teacher, learner) = (identity(1), identity(2));
    let id = Id16([6; 16]);
    let propose = seal(&learner, &proposal(id, &teacher, &learner), now()).unwrap();
    let accept = seal(&teacher, &NegotiationEvent { negotiation: id, seq: 1, action: Action::Accept }, now()).unwrap();
    let withdraw = seal(
        &learner,
        &NegotiationEvent { negotiation: id, seq: 1, action: Action::Cancel { reason: "changed my mind".into() } },
        now(),
    )
    .unwrap();
    let (_d1, teacher_side) = temp_store();
    let (_d2, learner_side) = temp_store();
    let (t_key, l_key) = (teacher.public(), learner.public());
    teacher_side.apply_negotiation_event(&t_key, &propose, None).unwrap();
    learner_side.apply_negotiation_event(&l_key, &propose, None).unwrap();
    // Each applies its own step first, then receives the other's.
    teacher_side.apply_negotiation_event(&t_key, &accept, None).unwrap();
    learner_side.apply_negotiation_event(&l_key, &withdraw, None).unwrap();
    assert!(matches!(teacher_side.apply_negotiation_event(&t_key, &withdraw, None).unwrap(), Applied::New(..)));
    assert!(learner_side.apply_negotiation_event(&l_key, &accept, None).is_err(), "the accept loses to the cancel");
    let (t, l) = (teacher_side.negotiation(&id).unwrap().unwrap(), learner_side.negotiation(&id).unwrap().unwrap());
    assert_eq!(t, l);
    assert!(t.phase.is_closed(), "once closed by one side, closed on both");
    let bytes = |s: &Store| s.negotiation_log(&id).unwrap().iter().map(|e| e.bytes().to_vec()).collect::<Vec<_>>();
    assert_eq!(bytes(&teacher_side), bytes(&learner_side));
}

#[test]
fn others_profiles_keep_the_latest_signed() {
    let (_dir, store) = temp_store();
    let ada = identity(3);
    let profile = |bio: &str| Profile {
        name: "Ada".into(),
        bio: bio.into(),
        languages: vec!["en".into()],
        time_zone: "Europe/London".into(),
    };
    let older = seal(&ada, &profile("first"), ts("2026-11-20T10:00:00Z")).unwrap();
    let newer = seal(&ada, &profile("second"), ts("2026-11-21T10:00:00Z")).unwrap();
    for (envelope, kept) in [(&newer, true), (&older, false), (&newer, false)] {
        let batch = store.directory_batch().unwrap();
        assert_eq!(batch.put_peer_profile(envelope, now(), usize::MAX).unwrap(), kept);
        batch.commit().unwrap();
    }
    assert_eq!(store.peer_profiles().unwrap()[&ada.public()].bio, "second");
}
