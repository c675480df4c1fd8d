//! Real iroh endpoints and gossip on loopback (relays off, explicit
//! addresses): listings spread to every peer, late joiners catch up through
//! anti-entropy, withdrawals reach everyone, garbage is refused.

mod common;

use std::sync::Arc;
use std::time::Duration;

use agora::node::{Node, NodeConfig};
use agora::store::Store;
use common::identity;
use jiff::Timestamp;

const WAIT: Duration = Duration::from_secs(15);

struct Peer {
    node: Node,
    _dir: tempfile::TempDir,
}

async fn peer(seed: u8, bootstrap: &[&Peer]) -> Peer {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("store.redb")).unwrap());
    let mut config = NodeConfig::loopback(&["agora"]);
    config.bootstrap = bootstrap.iter().map(|p| p.node.ticket()).collect();
    let node = tokio::time::timeout(WAIT, Node::spawn(identity(seed), store, config)).await.unwrap().unwrap();
    Peer { node, _dir: dir }
}

/// Polls until every peer's directory satisfies `ok`, or fails after WAIT.
async fn until(peers: &[&Peer], what: &str, ok: impl Fn(&Store) -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if peers.iter().all(|p| ok(p.node.store())) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn holds(store: &Store, title: &str) -> bool {
    store.seen_listings(Timestamp::now()).unwrap().iter().any(|l| l.value().title == title)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_reach_every_peer_including_a_late_joiner_and_withdrawals_follow() {
    let a = peer(1, &[]).await;
    let b = peer(2, &[&a]).await;
    let c = peer(3, &[&a]).await;
    let offer = a.node.publish_listing(common::offer("Rust from A", "rust", Timestamp::now())).await.unwrap();
    b.node.publish_listing(common::offer("Calculus from B", "calculus", Timestamp::now())).await.unwrap();
    until(&[&b, &c], "A's listing at B and C", |s| holds(s, "Rust from A")).await;
    until(&[&a, &c], "B's listing at A and C", |s| holds(s, "Calculus from B")).await;

    // D joins late through C only, after the broadcasts: anti-entropy brings it up to date.
    let d = peer(4, &[&c]).await;
    until(&[&d], "both listings at the late joiner", |s| holds(s, "Rust from A") && holds(s, "Calculus from B")).await;

    assert!(a.node.withdraw_listing(offer.value().id).await.unwrap());
    until(&[&b, &c, &d], "withdrawal everywhere", |s| !holds(s, "Rust from A")).await;

    for p in [a, b, c, d] {
        tokio::time::timeout(Duration::from_secs(2), p.node.shutdown()).await.expect("shutdown within bound");
    }
}
