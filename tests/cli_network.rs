//! The real binary as separate processes with separate homes, on loopback:
//! one runs `agora serve`, the other meets it with `agora connect TICKET`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn home(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[profile]\nname = \"{name}\"\ntime_zone = \"UTC\"\n[network]\nbind = \"127.0.0.1\"\nrelay = \"disabled\"\nlan_discovery = false\n"
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    dir
}

fn agora(home: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_agora")).args(args).env("AGORA_HOME", home).output().unwrap();
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    output
}

#[test]
fn serve_then_connect_brings_the_listing_across() {
    let (a, b) = (home("Ada"), home("Grace"));
    let add = agora(a.path(), &["listing", "add", "offer", "--skill", "rust", "--title", "Rust from Ada"]);
    assert!(add.status.success(), "{}", String::from_utf8_lossy(&add.stderr));

    let mut serve = Command::new(env!("CARGO_BIN_EXE_agora"))
        .arg("serve")
        .env("AGORA_HOME", a.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (lines_tx, lines) = mpsc::channel();
    let stdout = serve.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let ticket = loop {
        let line = lines.recv_timeout(WAIT).expect("serve prints its ticket");
        if let Some(ticket) = line.strip_prefix("ticket: ") {
            break ticket.to_owned();
        }
    };
    let shown = agora(a.path(), &["ticket", "--qr"]);
    assert!(shown.status.success(), "{}", String::from_utf8_lossy(&shown.stderr));
    assert!(String::from_utf8_lossy(&shown.stdout).starts_with(&ticket));
    assert_eq!(agora(b.path(), &["ticket"]).status.code(), Some(2), "no node runs in B's home");

    let connect = agora(b.path(), &["connect", &ticket]);
    let said = String::from_utf8_lossy(&connect.stdout).into_owned();
    assert!(connect.status.success(), "{said}{}", String::from_utf8_lossy(&connect.stderr));
    assert!(said.starts_with("Connected to"), "{said}");
    let listed = String::from_utf8_lossy(&agora(b.path(), &["listing", "list", "--all"]).stdout).into_owned();
    assert!(listed.contains("Rust from Ada"), "{listed}");

    // Ctrl-C stops serve cleanly.
    Command::new("kill").args(["-INT", &serve.id().to_string()]).status().unwrap();
    let (done_tx, done) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(serve.wait());
    });
    let status = done.recv_timeout(WAIT).expect("serve exits after Ctrl-C").unwrap();
    assert!(status.success());
    assert!(!a.path().join("ticket").exists(), "the ticket file goes with the node");
}
