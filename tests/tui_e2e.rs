//! The real `agora` binary in two pseudo-terminals, with separate homes, on
//! loopback: the learner finds the teacher's listing and proposes, the
//! teacher accepts, they start and complete the session, both endorse it,
//! and then both homes hold the same endorsement, which `agora verify`
//! accepts. The screens are read back through a VT100 parser.

mod common;
#[path = "common/pty.rs"]
mod pty;

use std::path::Path;
use std::process::Command;

use agora::net::Ticket;
use common::identity;
use iroh::EndpointAddr;
use pty::Tui;

/// Runs a command on `home`, on the test's shared clock.
fn agora(home: &Path, clock: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(args)
        .env("AGORA_HOME", home)
        .env("AGORA_TEST_CLOCK_FILE", clock)
        .output()
        .unwrap();
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
    common::write_key(dir.path(), &identity(seed));
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
    // Every process follows one clock file, so the test can let the time
    // pass that a session must last before it can be completed.
    let clock = tempfile::NamedTempFile::new().unwrap();
    let ada = home("Ada", 1, port, None);
    let grace = home("Grace", 2, 0, Some(&ticket));
    agora(ada.path(), clock.path(), &["listing", "add", "offer", "--skill", "rust", "--title", "Rust with Ada"]);

    let env = [("AGORA_TEST_CLOCK_FILE", clock.path())];
    let mut teacher = Tui::start_with("Ada", ada.path(), &[], &env);
    teacher.wait_for("Discover");
    let mut learner = Tui::start_with("Grace", grace.path(), &[], &env);

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
    teacher.wait_for("Upcoming");

    // The learner starts and completes it, then reviews.
    learner.keys("2");
    learner.wait_for("agreed (you learn)");
    learner.keys("b");
    learner.wait_for("in progress");
    // Completing at once is refused (too early); an hour later it is not.
    learner.keys("f");
    learner.wait_for("too early to complete");
    std::fs::write(clock.path(), "3600000").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    learner.keys("f");
    // Completing leads straight to the endorsement form.
    learner.wait_for("your review");
    learner.keys("\tClear and patient\r");
    learner.wait_for("Review sent");

    // The teacher attests, reads the whole record (the learner's words
    // too) and signs it; the learner reads the draft and signs it.
    teacher.wait_for("To endorse");
    teacher.keys("s");
    teacher.wait_for("your attestation");
    teacher.keys("Ownership, borrowing, lifetimes\tWrote a borrow-checked parser\r");
    teacher.wait_for("read the record");
    teacher.keys("a");
    teacher.wait_for("Sign this record?");
    teacher.wait_for("Clear and patient");
    teacher.keys("\r");
    teacher.wait_for("Signed the record");
    learner.wait_for("read the record");
    learner.keys("a");
    learner.wait_for("Wrote a borrow-checked parser");
    learner.keys("y");
    teacher.wait_for("Endorsement signed by both");
    learner.wait_for("Endorsement signed by both");

    // Both homes hold the same bytes, and `agora verify` accepts them,
    // read beside the running clients.
    let list = agora(ada.path(), clock.path(), &["endorsements", "list"]);
    assert!(list.contains("taught") && list.contains("rust"), "{list}");
    let id = list.lines().nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let (a_file, g_file) = (ada.path().join("e.json"), grace.path().join("e.json"));
    agora(ada.path(), clock.path(), &["endorsements", "export", &id, "--out", a_file.to_str().unwrap()]);
    agora(grace.path(), clock.path(), &["endorsements", "export", &id, "--out", g_file.to_str().unwrap()]);
    assert_eq!(std::fs::read(&a_file).unwrap(), std::fs::read(&g_file).unwrap(), "both hold identical bytes");
    assert!(agora(grace.path(), clock.path(), &["verify", g_file.to_str().unwrap()]).contains("VALID"));

    // The learner presents it from the Portfolio screen, bound to a
    // verifier's challenge, and the verifier's `agora verify` accepts it.
    learner.keys("4");
    learner.wait_for("n presents your endorsements");
    learner.keys("n");
    learner.wait_for("Present your endorsements");
    learner.keys("\t\tn-0nce\r");
    // The notice names the file written ("signed by you" alone is also
    // the Portfolio's hint line, on screen before the file exists).
    learner.wait_for("presentation-");
    let presented = std::fs::read_dir(grace.path().join("exports"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| path.file_name().unwrap().to_string_lossy().starts_with("presentation-"))
        .expect("the presentation in the export folder");
    let report = agora(grace.path(), clock.path(), &["verify", presented.to_str().unwrap(), "--challenge", "n-0nce"]);
    assert!(report.contains("VALID: signed by the holder; its credential verifies"), "{report}");

    // A listing added from the command line beside the running client
    // shows in it (the node tells the client; nothing waits for a poll).
    teacher.keys("3");
    agora(ada.path(), clock.path(), &["listing", "add", "request", "--skill", "latin", "--title", "Latin by the fire"]);
    teacher.wait_for("Latin by the fire");

    learner.quit();
    teacher.quit();
}
