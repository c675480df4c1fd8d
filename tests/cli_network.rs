//! The real binary as separate processes with separate homes, on loopback:
//! `agora serve` in one home, and the scriptable commands run beside it
//! (reading its store while it writes, and asking it to publish, withdraw
//! and connect over its control socket).

#[path = "common/serving.rs"]
mod serving;

use serving::{Serving, agora, eventually, home, ok};

#[test]
fn serve_then_connect_brings_the_listing_across() {
    let (a, b) = (home("Ada"), home("Grace"));
    ok(a.path(), &["listing", "add", "offer", "--skill", "rust", "--title", "Rust from Ada"]);
    let serving = Serving::start(a.path());
    let shown = ok(a.path(), &["ticket", "--qr"]);
    assert!(shown.starts_with(&serving.ticket));
    assert_eq!(agora(b.path(), &["ticket"]).status.code(), Some(2), "no node runs in B's home");

    let said = ok(b.path(), &["connect", &serving.ticket]);
    assert!(said.starts_with("Connected to"), "{said}");
    let listed = ok(b.path(), &["listings", "--json"]);
    let line: serde_json::Value = serde_json::from_str(listed.lines().next().expect("one listing")).unwrap();
    assert_eq!(line["title"], "Rust from Ada");
    assert_eq!(line["author_name"], "Ada");
    assert_eq!(line["mine"], false);

    serving.stop("-INT");
    assert!(!a.path().join("control.sock").exists(), "the control socket goes with the node");
}

#[test]
fn scripts_work_beside_a_running_node_and_contacts_are_kept() {
    let (a, b) = (home("Ada"), home("Grace"));
    let ada = Serving::start(a.path());

    // Writes go through the running node; reads follow its commits.
    let said = ok(a.path(), &["listing", "add", "offer", "--skill", "rust", "--title", "Ownership, gently"]);
    assert!(said.starts_with("Published offer"), "{said}");
    let mine = ok(a.path(), &["listings", "--mine", "--json"]);
    assert!(mine.contains("Ownership, gently"), "{mine}");
    assert_eq!(ok(a.path(), &["sessions", "--json"]), "");
    assert!(ok(a.path(), &["sessions"]).contains("no sessions yet"));
    assert!(ok(a.path(), &["endorsements", "list"]).contains("no endorsements yet"));
    ok(a.path(), &["listing", "add", "request", "--skill", "latin", "--title", "Latin for a reader"]);
    let id = ok(a.path(), &["listings", "--mine", "--skill", "latin", "--json"]);
    let id: serde_json::Value = serde_json::from_str(id.trim()).unwrap();
    let id = id["id"].as_str().unwrap()[..8].to_owned();
    assert!(ok(a.path(), &["listing", "remove", &id]).starts_with("Withdrew request"));
    assert!(!ok(a.path(), &["listings", "--mine"]).contains("Latin"));

    // A second running node meets the first through its control socket.
    let grace = Serving::start(b.path());
    let said = ok(b.path(), &["connect", &ada.ticket]);
    assert!(said.contains("will keep this contact"), "{said}");
    eventually("Grace's node holds Ada's listing", || {
        ok(b.path(), &["listings", "--skill", "rust", "--json"]).contains("Ownership, gently")
    });
    // Ada's node learned Grace's signed profile; Ada blocks her by name.
    eventually("Ada knows Grace by name", || ok(a.path(), &["peers", "--json"]).contains("\"name\":\"Grace\""));
    assert!(ok(a.path(), &["block", "Grace"]).starts_with("Blocked"));
    assert!(ok(a.path(), &["peers", "--json"]).contains("\"blocked\":true"));
    assert!(ok(a.path(), &["unblock", "Grace"]).starts_with("Unblocked"));
    assert_eq!(agora(a.path(), &["block", "Nobody"]).status.code(), Some(2));
    grace.stop("-TERM");

    // Restarted with no bootstrap in its config, it dials the kept contact.
    let grace = Serving::start(b.path());
    grace.wait_for("synced with");
    grace.stop("-TERM");
    ada.stop("-TERM");
}

/// The UDP ports a ticket names.
fn ports(ticket: &str) -> Vec<u16> {
    let ticket: agora::net::Ticket = ticket.parse().unwrap();
    ticket.addr.ip_addrs().map(|a| a.port()).collect()
}

#[test]
fn a_home_keeps_its_port_so_kept_tickets_stay_right_after_a_restart() {
    let a = home("Ada");
    let first = Serving::start(a.path());
    let port = ports(&first.ticket)[0];
    assert_ne!(port, 0);
    first.stop("-INT");
    assert_eq!(std::fs::read_to_string(a.path().join("port")).unwrap(), port.to_string(), "kept in the home");
    let again = Serving::start(a.path());
    assert_eq!(ports(&again.ticket), [port], "the same port, so the same ticket works");
    again.stop("-INT");
    // Someone else took it meanwhile: another port, kept from then on.
    let squatter = std::net::UdpSocket::bind(("127.0.0.1", port)).unwrap();
    let moved = Serving::start(a.path());
    let new_port = ports(&moved.ticket)[0];
    assert_ne!(new_port, port);
    moved.stop("-INT");
    drop(squatter);
    assert_eq!(std::fs::read_to_string(a.path().join("port")).unwrap(), new_port.to_string());
}
