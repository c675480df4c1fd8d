//! The real client in a pseudo-terminal under abuse: a storm of resizes
//! (down to tiny and back), a 1 MB bracketed paste into the search box and
//! a flood of listings from a peer. It neither panics nor freezes: it still
//! answers keys and quits cleanly.

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::sync::Arc;

use agora::node::{Node, NodeConfig};
use agora::store::Store;
use common::identity;
use iroh::EndpointAddr;
use pty::Tui;

fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resizes_a_huge_paste_and_a_flood_leave_it_responsive() {
    let home = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = format!(
        "[profile]\nname = \"Ada\"\ntime_zone = \"UTC\"\n[network]\nbind = \"127.0.0.1\"\nport = {port}\n\
         relay = \"disabled\"\nlan_discovery = false\n[tui]\nmouse = false\n"
    );
    std::fs::write(home.path().join("config.toml"), config).unwrap();
    common::write_key(home.path(), &identity(1));
    let mut tui = Tui::start("Ada", home.path());
    tui.wait_for("Discover");

    for i in 0..200u16 {
        let (rows, cols) = if i % 2 == 0 { (2 + i % 7, 5 + i % 13) } else { (24 + i % 20, 80 + i % 60) };
        tui.resize(rows, cols);
    }
    tui.resize(30, 110);
    tui.keys("/");
    let paste = format!("\x1b[200~{}\x1b[201~", "rust ".repeat(200_000));
    tui.keys(&paste);
    tui.keys("\r");
    tui.wait_for("0 of 0");

    // A peer floods it with listings, as fast as it can sign them.
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("flood.redb")).unwrap());
    let mut config = NodeConfig::loopback(&["agora"]);
    let addr = EndpointAddr::new(iroh::PublicKey::from_bytes(identity(1).public().as_bytes()).unwrap())
        .with_ip_addr(format!("127.0.0.1:{port}").parse().unwrap());
    config.bootstrap = vec![agora::net::Ticket { addr, communities: vec!["agora".into()] }];
    let flooder = Node::spawn(identity(9), store, config).await.unwrap();
    for n in 0..300 {
        let _ = flooder.publish_listing(common::offer(&format!("Flood {n}"), "spam", jiff::Timestamp::now())).await;
    }
    tui.keys("\x1b");
    tui.wait_for("Flood");
    tui.keys("2");
    tui.wait_for("No sessions yet");
    tui.keys("1");
    tui.wait_for("search:");
    tokio::time::timeout(std::time::Duration::from_secs(3), flooder.shutdown()).await.unwrap();
    tui.quit();
}
