//! Real iroh endpoints and gossip on loopback (relays off, explicit
//! addresses): listings spread to every peer, late joiners catch up through
//! anti-entropy, withdrawals reach everyone, garbage is refused.

mod common;

use std::sync::Arc;
use std::time::Duration;

use agora::node::{Event, Node, NodeConfig};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_peer_leaves_the_directory_and_stays_out() {
    let a = peer(1, &[]).await;
    let b = peer(2, &[&a]).await;
    let c = peer(3, &[&a]).await;
    b.node.publish_listing(common::offer("Before the block", "rust", Timestamp::now())).await.unwrap();
    until(&[&a], "B's first listing at A", |s| holds(s, "Before the block")).await;

    assert_eq!(a.node.set_blocked(b.node.id(), true).await.unwrap(), 1, "one listing of B's dropped");
    assert!(!holds(a.node.store(), "Before the block"));
    assert!(a.node.set_blocked(a.node.id(), true).await.is_err(), "no blocking oneself");

    b.node.publish_listing(common::offer("After the block from B", "rust", Timestamp::now())).await.unwrap();
    c.node.publish_listing(common::offer("After the block from C", "rust", Timestamp::now())).await.unwrap();
    until(&[&c], "B's new listing reached C", |s| holds(s, "After the block from B")).await;
    until(&[&a], "C's new listing reached A", |s| holds(s, "After the block from C")).await;
    assert!(!holds(a.node.store(), "After the block from B"), "A took a listing from a blocked peer");
    assert!(a.node.store().peer(&b.node.id()).unwrap().is_some_and(|p| p.blocked), "the block is kept");

    for p in [a, b, c] {
        tokio::time::timeout(Duration::from_secs(2), p.node.shutdown()).await.expect("shutdown within bound");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_listing_leaves_every_directory_without_a_tombstone() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("store.redb")).unwrap());
    let mut config = NodeConfig::loopback(&["agora"]);
    config.sync_every = Duration::from_millis(250);
    let author = tokio::time::timeout(WAIT, Node::spawn(identity(1), store, config)).await.unwrap().unwrap();
    let author = Peer { node: author, _dir: dir };
    let watcher = peer(2, &[&author]).await;
    let mut events = watcher.node.subscribe();

    let mut short_lived = common::offer("Gone in three seconds", "rust", Timestamp::now());
    short_lived.expires_at = Timestamp::now().saturating_add(jiff::SignedDuration::from_secs(3)).unwrap();
    author.node.publish_listing(short_lived).await.unwrap();
    until(&[&watcher], "the listing arrived", |s| holds(s, "Gone in three seconds")).await;
    until(&[&watcher], "the listing expired at the watcher", |s| !holds(s, "Gone in three seconds")).await;
    let deadline = tokio::time::Instant::now() + WAIT;
    while !author.node.store().own_listings().unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the author let go of its expired listing");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Every copy expired at the same moment: nothing needs withdrawing, so
    // no tombstone is signed, sent or kept.
    let quiet = tokio::time::timeout(Duration::from_secs(2), async {
        loop {
            if let Ok(Event::ListingWithdrawn { .. }) = events.recv().await {
                return;
            }
        }
    })
    .await;
    assert!(quiet.is_err(), "no withdrawal was broadcast for an expired listing");

    for p in [author, watcher] {
        tokio::time::timeout(Duration::from_secs(2), p.node.shutdown()).await.expect("shutdown within bound");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_listing_leaves_every_directory_and_comes_back_when_resumed() {
    let author = peer(1, &[]).await;
    let watcher = peer(2, &[&author]).await;
    let listing = author.node.publish_listing(common::offer("Sometimes on", "rust", Timestamp::now())).await.unwrap();
    let id = listing.value().id;
    until(&[&watcher], "the listing arrived", |s| holds(s, "Sometimes on")).await;

    assert!(author.node.pause_listing(id).await.unwrap());
    until(&[&watcher], "the pause reached the watcher", |s| !holds(s, "Sometimes on")).await;
    assert!(author.node.store().own_listings().unwrap().is_empty());
    assert_eq!(author.node.store().paused_listings().unwrap().len(), 1, "kept here");

    assert!(author.node.resume_listing(id).await.unwrap());
    until(&[&watcher], "the resumed listing is back", |s| holds(s, "Sometimes on")).await;
    let back = watcher.node.store().seen_listings(Timestamp::now()).unwrap();
    assert_eq!(back[0].value().version, 2, "its next version, past the tombstone");
    assert!(author.node.store().paused_listings().unwrap().is_empty());

    for p in [author, watcher] {
        tokio::time::timeout(Duration::from_secs(2), p.node.shutdown()).await.expect("shutdown within bound");
    }
}
