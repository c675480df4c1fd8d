//! A relay that goes away and comes back, on loopback: a node started while
//! the relay is down knows its peer only through that relay; once the
//! relay is back (on the same address), the node asks its known peers
//! again by itself and the listings flow, with no restart and no new
//! `connect`. Real iroh endpoints and a real iroh relay server.

mod common;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use agora::config::RelayMode;
use agora::net::{NetOptions, Ticket};
use agora::node::{Node, NodeConfig};
use agora::store::Store;
use common::identity;
use iroh::EndpointAddr;
use iroh_relay::server::{CertConfig, QuicConfig, RelayConfig, Server, ServerConfig, TlsConfig};
use jiff::Timestamp;

const WAIT: Duration = Duration::from_secs(60);

fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A relay on 127.0.0.1 at these ports (HTTP, HTTPS, QUIC address
/// discovery), with a fresh self-signed certificate.
async fn relay((http, https, quic): (u16, u16, u16)) -> Server {
    let (_certs, server_config) = iroh_relay::server::testing::self_signed_tls_certs_and_config();
    let mut relay = RelayConfig::new(SocketAddr::from((Ipv4Addr::LOCALHOST, http)));
    relay.tls = Some(TlsConfig::new((Ipv4Addr::LOCALHOST, https), CertConfig::Manual { server_config }));
    let mut config = ServerConfig::default();
    config.relay = Some(relay);
    config.quic = Some(QuicConfig::new((Ipv4Addr::LOCALHOST, quic)));
    Server::spawn(config).await.expect("the relay starts")
}

async fn node(seed: u8, url: &str, bootstrap: Vec<Ticket>, dir: &std::path::Path) -> Node {
    let mut config = NodeConfig::loopback(&["agora"]);
    config.net = NetOptions {
        relay: RelayMode::Custom(url.to_owned()),
        relay_tls: Some(iroh::tls::CaTlsConfig::insecure_skip_verify()),
        ..NetOptions::loopback()
    };
    config.bootstrap = bootstrap;
    let store = Arc::new(Store::open(&dir.join(format!("{seed}.redb"))).unwrap());
    tokio::time::timeout(WAIT, Node::spawn(identity(seed), store, config)).await.unwrap().unwrap()
}

async fn until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !check() {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_started_while_the_relay_is_down_joins_once_it_is_back() {
    // Logs show up when the test fails (or with --nocapture).
    let filter = tracing_subscriber::EnvFilter::new(std::env::var("AGORA_TEST_LOG").unwrap_or_else(|_| "warn".into()));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
    let ports = (free_tcp_port(), free_tcp_port(), free_udp_port());
    let url = format!("https://127.0.0.1:{}", ports.1);
    let dir = tempfile::tempdir().unwrap();
    let first = relay(ports).await;
    let teacher = node(1, &url, Vec::new(), dir.path()).await;
    teacher.publish_listing(common::offer("Before the outage", "rust", Timestamp::now())).await.unwrap();
    // The learner knows the teacher only through the relay: no address.
    let relay_only = Ticket {
        addr: EndpointAddr::new(teacher.addr().id).with_relay_url(url.parse().unwrap()),
        communities: vec!["agora".into()],
    };
    // The relay stops; the learner starts meanwhile: nobody to reach.
    tokio::time::timeout(Duration::from_secs(10), first.shutdown()).await.unwrap().unwrap();
    let learner = node(2, &url, vec![relay_only], dir.path()).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(learner.store().seen_listings(Timestamp::now()).unwrap().is_empty(), "nothing without the relay");

    // The relay comes back on the same address: the learner joins by itself.
    let _second = relay(ports).await;
    let titles = |n: &Node| -> Vec<String> {
        n.store().seen_listings(Timestamp::now()).unwrap().iter().map(|l| l.value().title.clone()).collect()
    };
    until("the learner has the listing from before", || titles(&learner).contains(&"Before the outage".into())).await;
    teacher.publish_listing(common::offer("After the outage", "rust", Timestamp::now())).await.unwrap();
    until("a new listing flows too", || titles(&learner).contains(&"After the outage".into())).await;
    for node in [teacher, learner] {
        tokio::time::timeout(Duration::from_secs(3), node.shutdown()).await.unwrap();
    }
}
