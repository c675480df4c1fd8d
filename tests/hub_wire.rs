//! A hub on the wire, between real iroh endpoints on loopback (no relays,
//! no lookups): a presentation bound to another verifier or to a minute
//! long gone is refused, one bound to this hub now is validated; a request
//! over 2 MiB is refused with the reason and the hub goes on serving the
//! same connection; clients that open requests and never finish them
//! cannot hold the hub's turns past the request timeout.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_presentation_bound_to_this_hub_and_this_minute_is_validated() {
    use agora::endorse::data_integrity::Cryptosuite;
    use agora::endorse::presentation::{Binding, present};
    let dir = tempfile::tempdir().unwrap();
    let (router, addr) = hub(dir.path(), Duration::from_secs(20)).await;
    let hub_key = common::identity(5).public();
    let (teacher, lea) = (common::identity(1), common::identity(2));
    let record = common::cosigned(&common::endorsement(&teacher, &lea, 0), &teacher, &lea);
    let skill = record.endorsement().skill.clone();
    let now = jiff::Timestamp::now();
    let learner = client(2).await;
    let ask = |binding: Binding| {
        let presentation = present(&lea, std::slice::from_ref(&record), Cryptosuite::Jcs, &binding, now).unwrap();
        let request = HubRequest { presentation, ask: Ask::Skill(skill.clone()) };
        let (learner, addr) = (learner.clone(), addr.clone());
        async move { tokio::time::timeout(WAIT, hub::ask(&learner, addr, &request)).await.unwrap().unwrap() }
    };
    // Made for another verifier (its domain), or for this hub long ago.
    let elsewhere = Binding { domain: Some("did:key:z6MkElsewhere".into()), ..hub::binding_for(&hub_key, now) };
    let why = refusal(ask(elsewhere).await);
    assert!(why.contains("domain"), "{why}");
    let long_ago = hub::binding_for(&hub_key, now.saturating_sub(jiff::SignedDuration::from_hours(1)).unwrap());
    let why = refusal(ask(long_ago).await);
    assert!(why.contains("current challenge"), "{why}");
    // Bound to this hub, now: validated, about Lea, with her session as evidence.
    match ask(hub::binding_for(&hub_key, now)).await {
        HubReply::Validation(bytes) => {
            let validation = agora::endorse::validation::verify(&bytes, jiff::Timestamp::now()).unwrap();
            assert_eq!(validation.learner.key, lea.public());
            assert_eq!(validation.evidence, [record.endorsement().id.clone()]);
        }
        HubReply::Refused(why) => panic!("refused: {why}"),
    }
    tokio::time::timeout(WAIT, router.shutdown()).await.unwrap().unwrap();
}
