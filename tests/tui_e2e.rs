//! The real `agora` binary in two pseudo-terminals, with separate homes, on
//! loopback: the learner finds the teacher's listing and proposes, the
//! teacher accepts, they start and complete the session, both endorse it,
//! and then both homes hold the same endorsement, which `agora verify`
//! accepts. The screens are read back through a VT100 parser.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agora::identity::multibase_secret;
use agora::net::Ticket;
use common::identity;
use iroh::EndpointAddr;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const WAIT: Duration = Duration::from_secs(40);
const ROWS: u16 = 30;
const COLS: u16 = 110;

/// One `agora` screen in a pseudo-terminal.
struct Tui {
    name: &'static str,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
}

impl Tui {
    fn start(name: &'static str, home: &Path) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_agora"));
        command.env("AGORA_HOME", home);
        command.env("TERM", "xterm-256color");
        command.env_remove("AGORA_LOG");
        let child = pty.slave.spawn_command(command).expect("agora starts");
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZero::new(ROWS).unwrap(),
            std::num::NonZero::new(COLS).unwrap(),
            0,
        )));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let parser = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        // The master must outlive the child; leak it for the test's length.
        std::mem::forget(pty.master);
        Self { name, child, writer, screen }
    }

    fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`.
    fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.contents().contains(text) {
            assert!(Instant::now() < deadline, "{}'s screen never showed `{text}`:\n{}", self.name, self.contents());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn keys(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    fn quit(mut self) {
        self.keys("q");
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{} exited with {status:?}", self.name);
                return;
            }
            assert!(Instant::now() < deadline, "{} did not quit", self.name);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

fn agora(home: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_agora")).args(args).env("AGORA_HOME", home).output().unwrap();
    assert!(out.status.success(), "agora {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn home(name: &str, seed: u8, port: u16, bootstrap: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bootstrap = bootstrap.map(|t| format!("bootstrap = [\"{t}\"]\n")).unwrap_or_default();
    let config = format!(
        "[profile]\nname = \"{name}\"\ntime_zone = \"UTC\"\n[network]\nbind = \"127.0.0.1\"\nport = {port}\n\
         relay = \"disabled\"\nlan_discovery = false\n{bootstrap}[tui]\nmouse = false\n"
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    std::fs::write(dir.path().join("identity.key"), format!("{}\n", multibase_secret(&identity(seed)))).unwrap();
    dir
}

fn free_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[test]
fn two_people_agree_meet_and_endorse_through_the_terminal_client() {
    let port = free_port();
    let teacher_addr = EndpointAddr::new(iroh::PublicKey::from_bytes(identity(1).public().as_bytes()).unwrap())
        .with_ip_addr(format!("127.0.0.1:{port}").parse().unwrap());
    let ticket = Ticket { addr: teacher_addr, communities: vec!["agora".into()] }.to_string();
    let ada = home("Ada", 1, port, None);
    let grace = home("Grace", 2, 0, Some(&ticket));
    agora(ada.path(), &["listing", "add", "offer", "--skill", "rust", "--title", "Rust with Ada"]);

    let mut teacher = Tui::start("Ada", ada.path());
    teacher.wait_for("Discover");
    let mut learner = Tui::start("Grace", grace.path());

    // The learner finds the offer and proposes a session ten minutes from now.
    learner.wait_for("Rust with Ada");
    learner.keys("p");
    learner.wait_for("Propose a session");
    let start = jiff::Timestamp::now().saturating_add(jiff::SignedDuration::from_mins(10)).unwrap();
    learner.keys(&"\x7f".repeat(16));
    learner.keys(&start.strftime("%Y-%m-%d %H:%M").to_string());
    learner.keys("\t\t\tOwnership and lifetimes\r");
    learner.wait_for("Proposed");

    // The teacher sees it needs an answer and accepts.
    teacher.keys("2");
    teacher.wait_for("Needs your answer");
    teacher.keys("a");
    teacher.wait_for("Accepted");

    // The learner starts and completes it, then reviews.
    learner.keys("2");
    learner.wait_for("agreed");
    learner.keys("b");
    learner.wait_for("Started");
    learner.keys("f");
    learner.wait_for("Completed");
    learner.wait_for("To endorse");
    learner.keys("s");
    learner.wait_for("your review");
    learner.keys("\tClear and patient\r");
    learner.wait_for("Review signed");

    // The teacher attests; the endorsement is then signed by both.
    teacher.wait_for("To endorse");
    teacher.keys("s");
    teacher.wait_for("your attestation");
    teacher.keys("Ownership, borrowing, lifetimes\tWrote a borrow-checked parser\r");
    teacher.wait_for("Endorsement signed by both");
    learner.wait_for("Endorsement signed by both");

    // Both homes hold the same bytes, and `agora verify` accepts them,
    // read beside the running clients.
    let list = agora(ada.path(), &["endorsements", "list"]);
    assert!(list.contains("taught") && list.contains("rust"), "{list}");
    let id = list.lines().nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let (a_file, g_file) = (ada.path().join("e.json"), grace.path().join("e.json"));
    agora(ada.path(), &["endorsements", "export", &id, "--out", a_file.to_str().unwrap()]);
    agora(grace.path(), &["endorsements", "export", &id, "--out", g_file.to_str().unwrap()]);
    assert_eq!(std::fs::read(&a_file).unwrap(), std::fs::read(&g_file).unwrap(), "both hold identical bytes");
    assert!(agora(grace.path(), &["verify", g_file.to_str().unwrap()]).contains("VALID"));

    learner.quit();
    teacher.quit();
}
