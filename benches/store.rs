//! Store figures: durable single writes, a 10k-endorsement batch write, and
//! opening a portfolio of 10k endorsements.
//!
//! `cargo bench --bench store`.

#[path = "../tests/common/mod.rs"]
mod common;

use agora::endorse::VerifiedEndorsement;
use agora::store::Store;
use divan::{Bencher, black_box};

const PORTFOLIO: u32 = 10_000;

fn main() {
    divan::main();
}

fn records(count: u32, offset: u32) -> Vec<VerifiedEndorsement> {
    let (teacher, learner) = (common::identity(1), common::identity(2));
    (offset..offset + count)
        .map(|n| common::cosigned(&common::endorsement(&teacher, &learner, n), &teacher, &learner))
        .collect()
}

/// One endorsement per durable (fsynced) transaction.
#[divan::bench(sample_count = 50, sample_size = 1)]
fn put_one_endorsement_durably(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("store.redb")).unwrap();
    let pool = records(2000, 0);
    let mut next = 0;
    bencher.bench_local(|| {
        store.put_endorsement(&pool[next % pool.len()]).unwrap();
        next += 1;
    });
}

/// 10k endorsements written in one transaction.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn write_10k_endorsements(bencher: Bencher) {
    let pool = records(PORTFOLIO, 0);
    bencher
        .with_inputs(|| {
            let dir = tempfile::tempdir().unwrap();
            let store = Store::open(&dir.path().join("store.redb")).unwrap();
            (dir, store)
        })
        .bench_local_values(|(dir, store)| {
            store.put_endorsements(&pool).unwrap();
            (dir, store)
        });
}

/// Open the store and load every summary of a 10k portfolio.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn open_portfolio_10k(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.redb");
    {
        let store = Store::open(&path).unwrap();
        store.put_endorsements(&records(PORTFOLIO, 0)).unwrap();
    }
    bencher.bench_local(|| {
        let store = Store::open(black_box(&path)).unwrap();
        let portfolio = store.endorsements().unwrap();
        assert_eq!(portfolio.len(), PORTFOLIO as usize);
        drop(store);
    });
}
