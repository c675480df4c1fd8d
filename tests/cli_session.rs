//! A tutor who never opens the client: two real `agora serve` processes in
//! homes of their own, on loopback, and every step of a session taken with
//! `agora session` commands, from a proposal to one endorsement both hold
//! byte for byte, with the exit codes and JSON scripts rely on.

#[path = "common/serving.rs"]
mod serving;

use std::path::Path;

use serving::{Serving, agora_env, eventually, home};

/// Runs `args` in `home` with the shared test clock; returns (exit code, stdout, stderr).
fn run(home: &Path, clock: &Path, args: &[&str]) -> (i32, String, String) {
    let out = agora_env(home, args, &[("AGORA_TEST_CLOCK_FILE", clock)]);
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

fn ok(home: &Path, clock: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(home, clock, args);
    assert_eq!(code, 0, "agora {args:?}: {err}{out}");
    out
}

/// The processes read the clock file again at most every 100 ms.
fn settle_clock() {
    std::thread::sleep(std::time::Duration::from_millis(300));
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.lines().next().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_whole_session_from_the_command_line_ends_in_one_endorsement() {
    let (a, g) = (home("Ada"), home("Grace"));
    let clock = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(clock.path(), "0").unwrap();
    let env = [("AGORA_TEST_CLOCK_FILE", clock.path())];
    let (ada, grace) = (a.path(), g.path());
    ok(ada, clock.path(), &["listing", "add", "offer", "--skill", "rust", "--title", "Rust with Ada"]);
    let ada_node = Serving::start_env(ada, &env);
    let grace_node = Serving::start_env(grace, &env);
    ok(grace, clock.path(), &["connect", &ada_node.ticket]);
    eventually("the listing reaches Grace", || {
        ok(grace, clock.path(), &["listings", "--json"]).contains("Rust with Ada")
    });
    let listing = json(&ok(grace, clock.path(), &["listings", "--json"]))["id"].as_str().unwrap().to_owned();

    // No agora runs in a third home: the command says so, exit code 2.
    let nobody = home("Nobody");
    let (code, _, err) = run(nobody.path(), clock.path(), &["session", "accept", "abcd"]);
    assert_eq!(code, 2, "{err}");

    // Grace proposes for ten minutes from now (times in her zone, UTC here).
    let at = jiff::Timestamp::now().saturating_add(jiff::SignedDuration::from_mins(10)).unwrap();
    let at = at.strftime("%Y-%m-%d %H:%M").to_string();
    let proposed = json(&ok(
        grace,
        clock.path(),
        &["session", "propose", &listing[..8], "--at", &at, "--minutes", "60", "--topic", "Lifetimes", "--json"],
    ));
    assert_eq!((proposed["state"].as_str(), proposed["your_move"].as_bool()), (Some("proposed"), Some(false)));
    let id = proposed["id"].as_str().unwrap()[..8].to_owned();
    eventually("Ada sees it is her move", || {
        ok(ada, clock.path(), &["session", "list", "--json"]).contains("\"your_move\":true")
    });
    // Grace cannot accept her own proposal: refused by the rules, exit 1.
    let (code, _, err) = run(grace, clock.path(), &["session", "accept", &id]);
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("refused:"), "{err}");
    assert_eq!(json(&ok(ada, clock.path(), &["session", "accept", &id, "--json"]))["state"], "agreed");

    // A quarter of an hour on, Ada starts it; an hour on, Grace completes it.
    std::fs::write(clock.path(), "900000").unwrap();
    settle_clock();
    eventually("Grace sees it agreed", || {
        ok(grace, clock.path(), &["session", "show", &id]).contains("state     agreed")
    });
    ok(ada, clock.path(), &["session", "start", &id]);
    std::fs::write(clock.path(), "4500000").unwrap();
    settle_clock();
    eventually("Grace sees it started", || ok(grace, clock.path(), &["session", "show", &id]).contains("in progress"));
    ok(grace, clock.path(), &["session", "complete", &id]);
    ok(grace, clock.path(), &["session", "review", &id, "--rating", "5", "--words", "Clear and patient"]);
    eventually("Ada sees it completed", || ok(ada, clock.path(), &["session", "show", &id]).contains("completed"));
    ok(ada, clock.path(), &["session", "attest", &id, "--covered", "Lifetimes", "--showed", "A borrow-checked parser"]);

    // Ada reads the whole record, Grace's words too, and signs what she read.
    eventually("the record waits for Ada", || {
        !json(&ok(ada, clock.path(), &["session", "show", &id, "--json"]))["record"].is_null()
    });
    let shown = ok(ada, clock.path(), &["session", "show", &id]);
    assert!(shown.contains("Clear and patient") && shown.contains("A borrow-checked parser"), "{shown}");
    let record = json(&ok(ada, clock.path(), &["session", "show", &id, "--json"]))["record"].clone();
    let digest = record["digest"].as_str().unwrap().to_owned();
    // Without a terminal and without the digest, nothing is signed.
    let (code, _, err) = run(ada, clock.path(), &["session", "approve", &id]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = run(ada, clock.path(), &["session", "approve", &id, "--digest", &"0".repeat(64)]);
    assert_eq!(code, 1, "a digest of another record is refused: {err}");
    ok(ada, clock.path(), &["session", "approve", &id, "--digest", &digest]);

    // Grace reads the draft: the same record; she signs it.
    eventually("the draft waits for Grace", || {
        !json(&ok(grace, clock.path(), &["session", "show", &id, "--json"]))["record"].is_null()
    });
    let draft = json(&ok(grace, clock.path(), &["session", "show", &id, "--json"]))["record"].clone();
    assert_eq!(draft, record, "both read the same record");
    ok(grace, clock.path(), &["session", "approve", &id, "--digest", &digest, "--json"]);
    eventually("both hold the endorsement", || {
        ok(ada, clock.path(), &["endorsements", "list"]).contains("taught")
            && ok(grace, clock.path(), &["endorsements", "list"]).contains("learned")
    });
    let list = ok(ada, clock.path(), &["endorsements", "list"]);
    let endorsement = list.lines().nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    let (fa, fg) = (a.path().join("e.json"), g.path().join("e.json"));
    ok(ada, clock.path(), &["endorsements", "export", &endorsement, "--out", fa.to_str().unwrap()]);
    ok(grace, clock.path(), &["endorsements", "export", &endorsement, "--out", fg.to_str().unwrap()]);
    assert_eq!(std::fs::read(&fa).unwrap(), std::fs::read(&fg).unwrap(), "both hold identical bytes");
    assert!(ok(grace, clock.path(), &["verify", fg.to_str().unwrap()]).contains("VALID"));
    assert!(json(&ok(grace, clock.path(), &["session", "show", &id, "--json"]))["endorsed"].as_bool().unwrap());

    grace_node.stop("-INT");
    ada_node.stop("-INT");
}
