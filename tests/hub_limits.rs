//! A hub's limits on the wire, between real iroh endpoints on loopback
//! (no relays, no lookups): a request over 2 MiB is refused with the
//! reason and the hub goes on serving the same connection, and clients
//! that open requests and never finish them cannot hold the hub's turns
//! past the request timeout.

mod common;

use std::sync::Arc;
use std::time::Duration;

use agora::community::hub::Policy;
use agora::net::{NetOptions, bind};
use agora::node::Clock;
use agora::node::hub::{
    self, Ask, HUB_ALPN, HubProtocol, HubReply, HubRequest, HubSettings, MAX_CONCURRENT, MAX_HUB_REPLY_BYTES,
    MAX_HUB_REQUEST_BYTES,
};
use agora::store::Store;

const WAIT: Duration = Duration::from_secs(30);

/// A hub on loopback that gives each request `timeout` to arrive.
async fn hub(dir: &std::path::Path, timeout: Duration) -> (iroh::protocol::Router, iroh::EndpointAddr) {
    let identity = common::identity(5);
    let store = Arc::new(Store::open(&dir.join("store.redb")).unwrap());
    let (endpoint, _) = bind(&identity, &NetOptions::loopback()).await.unwrap();
    let policy = Policy { min_sessions: 1, min_hours: 0.0, min_teachers: 1 };
    let settings = HubSettings { name: "Kreuzberg Library".into(), policy, automatic: true };
    let protocol = HubProtocol::new(identity, store, settings, Clock::default()).with_request_timeout(timeout);
    let router = iroh::protocol::Router::builder(endpoint.clone()).accept(HUB_ALPN, protocol).spawn();
    (router, endpoint.addr())
}

async fn client(seed: u8) -> iroh::Endpoint {
    bind(&common::identity(seed), &NetOptions::loopback()).await.unwrap().0
}

/// A request the hub reads in full and refuses: its presentation is not one.
fn honest_but_empty() -> HubRequest {
    HubRequest { presentation: b"{}".to_vec(), ask: Ask::Skill("rust".into()) }
}

fn refusal(reply: HubReply) -> String {
    match reply {
        HubReply::Refused(why) => why,
        HubReply::Validation(_) => panic!("a validation for nothing"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_the_limit_is_refused_and_the_connection_still_served() {
    let dir = tempfile::tempdir().unwrap();
    let (router, addr) = hub(dir.path(), Duration::from_secs(20)).await;
    let learner = client(2).await;
    let asked = async {
        let connection = learner.connect(addr.clone(), HUB_ALPN).await.unwrap();
        let (mut send, mut recv) = connection.open_bi().await.unwrap();
        // The hub stops reading at the limit (what is still in flight may
        // or may not be taken by then).
        let _ = send.write_all(&vec![7u8; MAX_HUB_REQUEST_BYTES + 64 * 1024]).await;
        let _ = send.finish();
        let answer = recv.read_to_end(MAX_HUB_REPLY_BYTES).await.unwrap();
        let why = refusal(postcard::from_bytes(&answer).unwrap());
        // The same connection is still served.
        let (mut send, mut recv) = connection.open_bi().await.unwrap();
        send.write_all(&postcard::to_stdvec(&honest_but_empty()).unwrap()).await.unwrap();
        send.finish().unwrap();
        let next = refusal(postcard::from_bytes(&recv.read_to_end(MAX_HUB_REPLY_BYTES).await.unwrap()).unwrap());
        (why, next)
    };
    let (why, next) = tokio::time::timeout(WAIT, asked).await.expect("the hub answers in time");
    assert_eq!(why, "the request is larger than 2 MiB");
    assert!(next.starts_with("the presentation does not verify"), "{next}");
    tokio::time::timeout(WAIT, router.shutdown()).await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_never_finish_cannot_hold_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let (router, addr) = hub(dir.path(), Duration::from_secs(1)).await;
    let stallers = client(3).await;
    // More stalled requests than the hub considers at once, each on its
    // own connection, each a few bytes and never finished.
    let mut held = Vec::new();
    for _ in 0..MAX_CONCURRENT + 2 {
        let connection = tokio::time::timeout(WAIT, stallers.connect(addr.clone(), HUB_ALPN)).await.unwrap().unwrap();
        let (mut send, recv) = connection.open_bi().await.unwrap();
        send.write_all(b"\x00\x01\x02").await.unwrap();
        held.push((connection, send, recv));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    // An honest learner is still answered: the stalled turns time out.
    let learner = client(2).await;
    let reply = tokio::time::timeout(WAIT, hub::ask(&learner, addr, &honest_but_empty()))
        .await
        .expect("the hub answers despite the stalled requests")
        .unwrap();
    assert!(refusal(reply).starts_with("the presentation does not verify"));
    drop(held);
    tokio::time::timeout(WAIT, router.shutdown()).await.unwrap().unwrap();
}
