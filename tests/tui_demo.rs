//! `agora --demo` in a pseudo-terminal: the welcome form can be skipped,
//! the invented peers' listings fill Discover, a proposal gets an answer,
//! and quitting stops everything cleanly. Loopback only.

mod common;
#[path = "common/pty.rs"]
mod pty;

use pty::Tui;

#[test]
fn the_demo_is_a_living_marketplace() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("config.toml"), "[profile]\ntime_zone = \"UTC\"\n[tui]\nmouse = false\n").unwrap();
    let mut tui = Tui::start_with_args("demo", home.path(), &["--demo"]);
    tui.wait_for("Welcome to agora");
    tui.keys("\x1b");
    tui.wait_gone("Welcome to agora");
    tui.wait_for("Inês Carval");
    // Find the Rust offer, propose on it with the suggested time.
    tui.keys("/rust from zero");
    tui.keys("\r");
    tui.wait_for(" 1 of ");
    // The first proposal asks for the name it will carry.
    tui.keys("p");
    tui.wait_for("First, the name you sign with");
    tui.keys("Sam\r");
    tui.wait_for("Sam");
    tui.keys("p");
    tui.wait_for("Propose a session");
    tui.keys("\t\t\tA first look at ownership\r");
    tui.wait_for("Proposed");
    tui.keys("2");
    // The persona answers on its own (accepting or countering).
    tui.wait_for_any(&["agreed", "Needs your answer"]);
    tui.quit();
    assert!(home.path().join("demo").is_dir(), "the demo peers kept their stores in the given home");
}
