//! Two nodes meet through a local iroh relay server (on 127.0.0.1), with
//! direct addresses withheld from the ticket: the internet path, offline.

mod common;

use std::sync::Arc;
use std::time::Duration;

use agora::config::RelayMode;
use agora::net::{NetOptions, Ticket};
use agora::node::{Event, Node, NodeConfig, RelayStatus};
use agora::store::Store;
use common::identity;
use iroh::EndpointAddr;
use jiff::Timestamp;

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listings_travel_through_a_relay_when_no_direct_address_is_known() {
    let (_map, relay_url, _server) = iroh::test_utils::run_relay_server().await.unwrap();
    let options = NetOptions {
        relay: RelayMode::Custom(relay_url.to_string()),
        relay_tls: Some(iroh::tls::CaTlsConfig::insecure_skip_verify()),
        ..NetOptions::loopback()
    };
    let spawn = |seed: u8, bootstrap: Vec<Ticket>| {
        let options = options.clone();
        async move {
            let dir = tempfile::tempdir().unwrap();
            let store = Arc::new(Store::open(&dir.path().join("store.redb")).unwrap());
            let mut config = NodeConfig::loopback(&["agora"]);
            config.net = options;
            config.bootstrap = bootstrap;
            let node = tokio::time::timeout(WAIT, Node::spawn(identity(seed), store, config)).await.unwrap().unwrap();
            (node, dir)
        }
    };
    let (teacher, _d1) = spawn(1, Vec::new()).await;
    teacher.publish_listing(common::offer("Rust over a relay", "rust", Timestamp::now())).await.unwrap();

    // Only the endpoint id and the relay: no IP addresses at all.
    let relay_only = Ticket {
        addr: EndpointAddr::new(teacher.addr().id).with_relay_url(relay_url),
        communities: vec!["agora".into()],
    };
    assert_eq!(relay_only.addr.ip_addrs().count(), 0);
    let (learner, _d2) = spawn(2, vec![relay_only]).await;

    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let seen = learner.store().seen_listings(Timestamp::now()).unwrap();
        if seen.iter().any(|l| l.value().title == "Rust over a relay") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the listing never came through the relay");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deadline = tokio::time::Instant::now() + WAIT;
    while !matches!(learner.relays(), RelayStatus::Online(_)) {
        assert!(tokio::time::Instant::now() < deadline, "never online: {}", learner.relays());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for node in [teacher, learner] {
        tokio::time::timeout(Duration::from_secs(3), node.shutdown()).await.unwrap();
    }
}

/// A relay that cannot be reached (nothing listens on its port) leaves the
/// node usable on loopback at once and, after the grace period, reported
/// as offline from relays rather than waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_relay_is_reported_and_loopback_peers_still_work() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::loopback(&["agora"]);
    config.net.relay = RelayMode::Custom(format!("http://{closed}"));
    let store = Arc::new(Store::open(&dir.path().join("a.redb")).unwrap());
    let stranded = tokio::time::timeout(WAIT, Node::spawn(identity(1), store, config)).await.unwrap().unwrap();
    let mut events = stranded.subscribe();
    assert_eq!(stranded.relays(), RelayStatus::Connecting);
    stranded.publish_listing(common::offer("Still here", "rust", Timestamp::now())).await.unwrap();

    let mut config = NodeConfig::loopback(&["agora"]);
    config.bootstrap = vec![stranded.ticket()];
    let store = Arc::new(Store::open(&dir.path().join("b.redb")).unwrap());
    let neighbor = tokio::time::timeout(WAIT, Node::spawn(identity(2), store, config)).await.unwrap().unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    while neighbor.store().seen_listings(Timestamp::now()).unwrap().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "the loopback peer never got the listing");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let offline = tokio::time::timeout(WAIT, async {
        loop {
            match events.recv().await {
                Ok(Event::Relays(status @ RelayStatus::Offline(_))) => return status,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => panic!("the node stopped"),
                _ => {}
            }
        }
    })
    .await
    .expect("reported offline from relays");
    assert_eq!(stranded.relays(), offline);
    assert!(offline.to_string().starts_with("offline from relays"), "{offline}");
    for node in [stranded, neighbor] {
        tokio::time::timeout(Duration::from_secs(3), node.shutdown()).await.unwrap();
    }
}
