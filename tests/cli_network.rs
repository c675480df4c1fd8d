//! The real binary as separate processes with separate homes, on loopback:
//! `agora serve` in one home, and the scriptable commands run beside it
//! (reading its store while it writes, and asking it to publish, withdraw
//! and connect over its control socket).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

/// Runs `args` and returns its stdout, failing the test if it fails.
fn ok(home: &Path, args: &[&str]) -> String {
    let output = agora(home, args);
    assert!(output.status.success(), "agora {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Polls `check` until it holds, failing after [`WAIT`].
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `agora serve` running in a home, its stdout lines on a channel.
struct Serving {
    child: Child,
    lines: mpsc::Receiver<String>,
    ticket: String,
}

impl Serving {
    fn start(home: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
            .arg("serve")
            .env("AGORA_HOME", home)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (lines_tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut serving = Self { child, lines, ticket: String::new() };
        serving.ticket = serving.wait_for("ticket: ").trim_start_matches("ticket: ").to_owned();
        serving
    }

    /// Waits for a line starting with `prefix` and returns it.
    fn wait_for(&self, prefix: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| panic!("serve never said `{prefix}…`"));
            if line.starts_with(prefix) {
                return line;
            }
        }
    }

    /// Sends `signal` and waits for a clean exit.
    fn stop(mut self, signal: &str) {
        Command::new("kill").args([signal, &self.child.id().to_string()]).status().unwrap();
        let (done_tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done_tx.send(self.child.wait());
        });
        let status = done.recv_timeout(WAIT).expect("serve exits after the signal").unwrap();
        assert!(status.success(), "serve exited with {status}");
    }
}

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
