//! Directory figures: keeping 10k listings from others in one batch, spread
//! over the open directory and 9 communities (each checked against its
//! place's cap, with the reconciliation and expiry indexes kept in step),
//! with room to spare and with every place full (half of them make room),
//! next to the raw cost of writing the same bytes into one redb table.
//!
//! `cargo bench --bench directory`.

#[path = "../tests/common/mod.rs"]
mod common;

use agora::community::CommunityId;
use agora::market::{Id16, Listing, Placement};
use agora::store::Store;
use agora::wire::{Verified, seal};
use divan::Bencher;

const COUNT: u32 = 10_000;
const PLACES: u32 = 10;

fn main() {
    divan::main();
}

/// `COUNT` listings by 100 authors, each later one expiring later.
fn listings() -> Vec<Verified<Listing>> {
    let authors: Vec<_> = (1..=100u8).map(common::identity).collect();
    (0..COUNT)
        .map(|n| {
            let mut listing = common::offer(&format!("Listing {n}"), "rust", common::now());
            let mut id = [0u8; 16];
            id[..4].copy_from_slice(&n.to_be_bytes());
            listing.id = Id16(id);
            listing.expires_at =
                common::now().saturating_add(jiff::SignedDuration::from_secs(3600 + n as i64)).unwrap();
            listing.placement = match n % PLACES {
                0 => None,
                k => Some(Placement { community: CommunityId([k as u8; 32]), invitation: None }),
            };
            seal(&authors[n as usize % authors.len()], &listing, common::now()).unwrap()
        })
        .collect()
}

fn keep_all(bencher: Bencher, cap: usize) {
    let pool = listings();
    bencher
        .with_inputs(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("store.redb")).unwrap();
            (dir, store)
        })
        .bench_local_values(|(dir, store)| {
            let batch = store.directory_batch().unwrap();
            for listing in &pool {
                batch.put_seen_listing(listing, cap).unwrap();
            }
            batch.commit().unwrap();
            (dir, store)
        });
}

/// Every listing finds room in its place.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn keep_10k_listings_in_10_places(bencher: Bencher) {
    keep_all(bencher, COUNT as usize);
}

/// Each place holds 500: the second half of each place's listings each
/// push out that place's soonest-expiring one.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn keep_10k_listings_in_10_full_places(bencher: Bencher) {
    keep_all(bencher, (COUNT / PLACES / 2) as usize);
}

/// Baseline: the same 10k envelopes inserted by key into one table, in
/// one transaction, with nothing else kept.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn raw_redb_10k_inserts(bencher: Bencher) {
    const RAW: redb::TableDefinition<&[u8; 48], &[u8]> = redb::TableDefinition::new("raw");
    let pool = listings();
    bencher
        .with_inputs(|| {
            let dir = tempfile::tempdir().unwrap();
            let db = redb::Database::create(dir.path().join("raw.redb")).unwrap();
            (dir, db)
        })
        .bench_local_values(|(dir, db)| {
            let tx = db.begin_write().unwrap();
            {
                let mut table = tx.open_table(RAW).unwrap();
                for listing in &pool {
                    let mut key = [0u8; 48];
                    key[..32].copy_from_slice(listing.author().as_bytes());
                    key[32..].copy_from_slice(&listing.value().id.0);
                    table.insert(&key, listing.bytes()).unwrap();
                }
            }
            tx.commit().unwrap();
            (dir, db)
        });
}
