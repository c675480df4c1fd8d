//! A hostile peer on loopback: garbage, oversized frames, forged signatures
//! and a flood. Each is refused, and an honest peer is unaffected.

mod common;

use std::sync::Arc;
use std::time::Duration;

use agora::market::{Id16, Price, Terms};
use agora::net::{Ack, DIRECTORY_ALPN, MAX_SESSION_MESSAGE_BYTES, NetOptions, SESSION_ALPN, SessionMessage, bind};
use agora::node::{Node, NodeConfig};
use agora::store::Store;
use agora::wire::seal;
use common::identity;
use jiff::{SignedDuration, Timestamp};

const WAIT: Duration = Duration::from_secs(15);

async fn node(seed: u8, bootstrap: Option<&Node>) -> (Node, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("store.redb")).unwrap());
    let mut config = NodeConfig::loopback(&["agora"]);
    config.bootstrap = bootstrap.map(|b| vec![b.ticket()]).unwrap_or_default();
    (tokio::time::timeout(WAIT, Node::spawn(identity(seed), store, config)).await.unwrap().unwrap(), dir)
}

/// Sends raw bytes on one stream and returns the ack, if the node sent one.
async fn send_raw(connection: &iroh::endpoint::Connection, bytes: &[u8]) -> Option<Ack> {
    let work = async {
        let (mut send, mut recv) = connection.open_bi().await.ok()?;
        send.write_all(bytes).await.ok()?;
        send.finish().ok()?;
        let answer = recv.read_to_end(4096).await.ok()?;
        postcard::from_bytes::<Ack>(&answer).ok()
    };
    tokio::time::timeout(WAIT, work).await.expect("the node answers or closes in time")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_forgeries_and_floods_are_refused_and_honest_peers_carry_on() {
    let (victim, _d1) = node(1, None).await;
    let attacker_key = identity(66);
    let (attacker, _) = bind(&attacker_key, &NetOptions::loopback()).await.unwrap();
    let connection = tokio::time::timeout(WAIT, attacker.connect(victim.addr(), SESSION_ALPN)).await.unwrap().unwrap();

    // Garbage.
    assert_eq!(
        send_raw(&connection, b"\xff\x00 definitely not postcard").await,
        Some(Ack::Refused("malformed session message".into()))
    );

    // A forged negotiation step: valid envelope, one signature bit flipped.
    let terms = Terms {
        start: Timestamp::now().saturating_add(SignedDuration::from_hours(2)).unwrap(),
        duration_minutes: 60,
        price: Price::Free,
        topic: "x".into(),
    };
    let propose = common::proposal(Id16([9; 16]), &victim.id(), &attacker_key.public(), "rust", terms);
    let mut forged = seal(&attacker_key, &propose, Timestamp::now()).unwrap().bytes().to_vec();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let message = postcard::to_stdvec(&SessionMessage::Negotiation(forged)).unwrap();
    match send_raw(&connection, &message).await {
        Some(Ack::Refused(reason)) => assert!(reason.contains("signature"), "{reason}"),
        other => panic!("forgery not refused: {other:?}"),
    }
    assert!(victim.store().negotiations().unwrap().is_empty());

    // An oversized message: the node stops reading; no ack, no crash.
    let huge = vec![0u8; MAX_SESSION_MESSAGE_BYTES + 10];
    assert_eq!(send_raw(&connection, &huge).await, None);

    // A flood on a fresh connection: past the burst, the node asks to wait
    // (a rate is no reason to drop a message for good).
    let connection = tokio::time::timeout(WAIT, attacker.connect(victim.addr(), SESSION_ALPN)).await.unwrap().unwrap();
    let mut refused_by_rate = 0;
    for _ in 0..150 {
        if let Some(Ack::Later(reason)) = send_raw(&connection, b"junk").await
            && reason.contains("rate")
        {
            refused_by_rate += 1;
        }
    }
    assert!(refused_by_rate > 0, "the flood was never throttled");

    // Garbage on the directory protocol.
    if let Ok(Ok(directory)) = tokio::time::timeout(WAIT, attacker.connect(victim.addr(), DIRECTORY_ALPN)).await {
        let _ = send_raw(&directory, &[0xde, 0xad, 0xbe, 0xef]).await;
    }

    // An honest peer still gets through, and its listing arrives.
    let (honest, _d2) = node(2, Some(&victim)).await;
    honest.publish_listing(common::offer("Honest offer", "rust", Timestamp::now())).await.unwrap();
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        let seen = victim.store().seen_listings(Timestamp::now()).unwrap();
        if seen.iter().any(|l| l.value().title == "Honest offer") {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the honest listing never arrived");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    attacker.close().await;
    for n in [victim, honest] {
        tokio::time::timeout(Duration::from_secs(2), n.shutdown()).await.unwrap();
    }
}
