//! `agora serve` with a community's own relay, signed by the community's
//! own certificate authority, on loopback: the relay is down when the node
//! starts, so the first ticket carries only local addresses and the node
//! says once that it is offline from relays; when the relay comes up the
//! node trusts it through `relay_ca`, says it is online and prints its
//! ticket again, now with the relay. A node without `relay_ca` never
//! trusts that relay. Real processes, a real iroh relay server.

#[path = "common/serving.rs"]
mod serving;

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::net::Ticket;
use iroh_relay::server::{CertConfig, QuicConfig, RelayConfig, Server, ServerConfig, TlsConfig};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serving::{Serving, home};

fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A certificate authority of the community's own (PEM) and the TLS
/// settings of a relay whose certificate it signed for 127.0.0.1.
fn private_ca() -> (String, rustls::ServerConfig) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
    let leaf = leaf.signed_by(&key, &ca).unwrap();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let tls = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![leaf.der().clone()], key)
        .unwrap();
    (ca.pem(), tls)
}

/// The relay on 127.0.0.1 at these ports (HTTP, HTTPS, QUIC address
/// discovery), with QUIC address discovery on as the README asks.
async fn relay((http, https, quic): (u16, u16, u16), tls: rustls::ServerConfig) -> Server {
    let mut relay = RelayConfig::new(SocketAddr::from((Ipv4Addr::LOCALHOST, http)));
    relay.tls = Some(TlsConfig::new((Ipv4Addr::LOCALHOST, https), CertConfig::Manual { server_config: tls }));
    let mut config = ServerConfig::default();
    config.relay = Some(relay);
    config.quic = Some(QuicConfig::new((Ipv4Addr::LOCALHOST, quic)));
    Server::spawn(config).await.expect("the relay starts")
}

/// A home whose node uses only the relay at `url`, trusting `ca` if given.
fn home_with_relay(name: &str, url: &str, ca: Option<&str>) -> tempfile::TempDir {
    let dir = home(name);
    let mut config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    // No public address lookup: nothing leaves this machine.
    config = config.replace("relay = \"disabled\"", &format!("relay = \"{url}\"\naddress_lookup = \"none\""));
    if let Some(ca) = ca {
        std::fs::write(dir.path().join("community-ca.pem"), ca).unwrap();
        config = config.replace("[network]\n", "[network]\nrelay_ca = \"community-ca.pem\"\n");
    }
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    dir
}

fn relays_in(ticket: &str) -> Vec<String> {
    let ticket: Ticket = ticket.parse().unwrap_or_else(|e| panic!("{e}: {ticket}"));
    ticket.addr.relay_urls().map(|u| u.to_string()).collect()
}

/// Every line `serve` printed in the next `span`.
fn lines_during(serving: &Serving, span: Duration) -> Vec<String> {
    let end = Instant::now() + span;
    let mut lines = Vec::new();
    while let Some(line) = serving.next_line_before(end) {
        lines.push(line);
    }
    lines
}

fn wait_for_in(serving: &Serving, text: &str, seen: &mut Vec<String>) -> String {
    serving.wait_for_recording(text, seen)
}

#[test]
fn a_community_relay_with_its_own_ca_is_trusted_and_the_ticket_printed_again_once_it_answers() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let ports = (free_tcp_port(), free_tcp_port(), free_udp_port());
    let url = format!("https://127.0.0.1:{}", ports.1);
    let (ca, tls) = private_ca();
    let trusting = home_with_relay("Ada", &url, Some(&ca));
    let stranger = home_with_relay("Grace", &url, None);

    // The relay is down: the ticket has no relay, and the node says once
    // that it is offline however often iroh tries again meanwhile.
    let ada = Serving::start(trusting.path());
    assert!(relays_in(&ada.ticket).is_empty(), "no relay answered yet: {}", ada.ticket);
    let mut seen = Vec::new();
    wait_for_in(&ada, "relays: offline from relays", &mut seen);
    seen.extend(lines_during(&ada, Duration::from_secs(4)));
    assert_relay_quiet(&seen);

    // The relay comes up with a certificate from the community's CA.
    let _relay = runtime.block_on(relay(ports, tls));
    let mut seen = Vec::new();
    let online = wait_for_in(&ada, "relays: online through", &mut seen);
    assert!(online.contains(&format!("127.0.0.1:{}", ports.1)), "{online}");
    let ticket = wait_for_in(&ada, "ticket: ", &mut seen);
    let relays = relays_in(&ticket[ticket.find("ticket: ").unwrap() + 8..]);
    assert_eq!(relays.len(), 1, "{ticket}");
    assert!(relays[0].contains(&format!("127.0.0.1:{}", ports.1)), "{relays:?}");

    // Without the CA the same relay is never trusted.
    let grace = Serving::start(stranger.path());
    let mut seen = Vec::new();
    wait_for_in(&grace, "relays: offline from relays", &mut seen);
    seen.extend(lines_during(&grace, Duration::from_secs(3)));
    assert!(!seen.iter().any(|l| l.contains("online through")), "{seen:#?}");
    assert_relay_quiet(&seen);

    ada.stop("-TERM");
    grace.stop("-TERM");
    drop(runtime);
}

/// While a relay is unreachable the operator reads at most one line about
/// it, not one (or two) per retry.
fn assert_relay_quiet(lines: &[String]) {
    let relay_lines: Vec<_> = lines.iter().filter(|l| l.to_lowercase().contains("relay")).collect();
    assert!(relay_lines.len() <= 1, "one line per change, not per retry: {relay_lines:#?}");
}
