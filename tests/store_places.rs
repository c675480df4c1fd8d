//! Others' listings are capped per place (the open directory, or a
//! community), on a real redb file: a full place makes room only from its
//! own listings, a newer version keeps its slot, a version that moves into
//! a full place is refused without losing the one held, and a store made
//! before places were counted counts them when it opens.

mod common;

use agora::community::CommunityId;
use agora::market::{Id16, Listing, ListingWithdrawal, Placement};
use agora::store::{Kept, Store};
use agora::wire::{Verified, seal};
use common::{identity, now};
use jiff::SignedDuration;

const CAP: usize = 3;

fn listing(n: u8, version: u32, place: Option<CommunityId>, days: i64) -> Verified<Listing> {
    let mut listing = common::offer(&format!("Listing {n} v{version}"), "rust", now());
    listing.id = Id16([n; 16]);
    listing.version = version;
    listing.placement = place.map(|community| Placement { community, invitation: None });
    listing.expires_at = now().saturating_add(SignedDuration::from_hours(24 * days)).unwrap();
    seal(&identity(n), &listing, now()).unwrap()
}

fn put(store: &Store, listing: &Verified<Listing>) -> Kept {
    let batch = store.directory_batch().unwrap();
    let kept = batch.put_seen_listing(listing, CAP).unwrap();
    batch.commit().unwrap();
    kept
}

fn held_in(store: &Store, place: Option<CommunityId>) -> Vec<String> {
    let mut titles: Vec<String> = store
        .seen_listings(now())
        .unwrap()
        .into_iter()
        .filter(|l| l.value().community() == place)
        .map(|l| l.value().title.clone())
        .collect();
    titles.sort();
    titles
}

#[test]
fn each_place_is_capped_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store.redb")).unwrap();
    let (a, b) = (CommunityId([0xa; 32]), CommunityId([0xb; 32]));
    // The open directory and community B fill with listings expiring soon.
    for n in 1..=3 {
        assert_eq!(put(&store, &listing(n, 1, None, 2)), Kept::Kept);
        assert_eq!(put(&store, &listing(10 + n, 1, Some(b), 2)), Kept::Kept);
    }
    // Community A fills with listings that outlive them all, and more come:
    // only A's own soonest-expiring listing gives way.
    for n in 21..=23 {
        assert_eq!(put(&store, &listing(n, 1, Some(a), 30)), Kept::Kept);
    }
    assert_eq!(put(&store, &listing(24, 1, Some(a), 60)), Kept::Kept);
    assert_eq!(put(&store, &listing(25, 1, Some(a), 10)), Kept::Full, "it outlives none of A's");
    assert_eq!(held_in(&store, Some(a)).len(), CAP);
    assert!(held_in(&store, Some(a)).contains(&"Listing 24 v1".to_owned()));
    assert_eq!(held_in(&store, None), ["Listing 1 v1", "Listing 2 v1", "Listing 3 v1"]);
    assert_eq!(held_in(&store, Some(b)), ["Listing 11 v1", "Listing 12 v1", "Listing 13 v1"]);

    // A newer version in the same full place keeps its slot.
    assert_eq!(put(&store, &listing(11, 2, Some(b), 2)), Kept::Kept);
    assert_eq!(held_in(&store, Some(b)), ["Listing 11 v2", "Listing 12 v1", "Listing 13 v1"]);
    // A version moving into a full place where it outlives nothing is
    // refused, and the version held stays where it was.
    assert_eq!(put(&store, &listing(1, 2, Some(b), 1)), Kept::Full);
    assert!(held_in(&store, None).contains(&"Listing 1 v1".to_owned()), "nothing lost");
    // One that outlives B's soonest moves in; the open directory has a slot free again.
    assert_eq!(put(&store, &listing(1, 3, Some(b), 5)), Kept::Kept);
    assert_eq!(held_in(&store, Some(b)).len(), CAP);
    assert_eq!(held_in(&store, None).len(), 2);
    assert_eq!(put(&store, &listing(4, 1, None, 2)), Kept::Kept);

    // A withdrawal frees its place's slot.
    let withdrawal = seal(&identity(4), &ListingWithdrawal { id: Id16([4; 16]), version: 1 }, now()).unwrap();
    assert!(store.put_withdrawal(&withdrawal).unwrap());
    assert_eq!(put(&store, &listing(5, 1, None, 2)), Kept::Kept);
    assert_eq!(put(&store, &listing(6, 1, None, 1)), Kept::Full);
}

#[test]
fn a_store_from_before_places_were_counted_counts_them_when_it_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    let a = CommunityId([0xa; 32]);
    {
        let store = Store::open(&path).unwrap();
        for n in 1..=3 {
            assert_eq!(put(&store, &listing(n, 1, Some(a), 2)), Kept::Kept);
        }
        assert_eq!(put(&store, &listing(4, 1, None, 2)), Kept::Kept);
    }
    // As schema 9 left it: no place tables.
    {
        let db = redb::Database::create(&path).unwrap();
        let tx = db.begin_write().unwrap();
        assert!(tx.delete_table(redb::TableDefinition::<&[u8; 88], ()>::new("place_expiry")).unwrap());
        assert!(tx.delete_table(redb::TableDefinition::<&[u8; 32], u64>::new("place_counts")).unwrap());
        tx.open_table(redb::TableDefinition::<&str, u64>::new("meta")).unwrap().insert("schema_version", 9).unwrap();
        tx.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    // A is full again at once: a listing that outlives nothing there is refused.
    assert_eq!(put(&store, &listing(5, 1, Some(a), 1)), Kept::Full);
    assert_eq!(put(&store, &listing(6, 1, Some(a), 9)), Kept::Kept);
    assert_eq!(held_in(&store, Some(a)).len(), CAP);
    assert_eq!(held_in(&store, None), ["Listing 4 v1"]);
}
