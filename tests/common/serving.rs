//! Real `agora` processes in homes of their own, on loopback: a home
//! with a config for tests, running a command, and `agora serve` with its
//! stdout lines. Included by the tests that run the binary (examples
//! cannot see its path).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const WAIT: Duration = Duration::from_secs(30);

pub fn home(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[profile]\nname = \"{name}\"\ntime_zone = \"UTC\"\n[network]\nbind = \"127.0.0.1\"\nrelay = \"disabled\"\nlan_discovery = false\n"
    );
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    dir
}

pub fn agora(home: &Path, args: &[&str]) -> Output {
    agora_env(home, args, &[])
}

/// [`agora`] with more environment variables (a test clock, say).
pub fn agora_env(home: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_agora"));
    command.args(args).env("AGORA_HOME", home);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
    output
}

/// Runs `args` and returns its stdout, failing the test if it fails.
pub fn ok(home: &Path, args: &[&str]) -> String {
    let output = agora(home, args);
    assert!(output.status.success(), "agora {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Polls `check` until it holds, failing after [`WAIT`].
pub fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `agora serve` running in a home, its stdout lines on a channel.
pub struct Serving {
    child: Child,
    lines: mpsc::Receiver<String>,
    pub ticket: String,
}

impl Serving {
    pub fn start(home: &Path) -> Self {
        Self::start_env(home, &[])
    }

    pub fn start_env(home: &Path, env: &[(&str, &Path)]) -> Self {
        Self::start_with(home, &[], env)
    }

    /// `agora serve ARGS…` with `env` set.
    pub fn start_with(home: &Path, args: &[&str], env: &[(&str, &Path)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_agora"));
        command.arg("serve").args(args).env("AGORA_HOME", home).stdout(Stdio::piped()).stderr(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap();
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
    pub fn wait_for(&self, prefix: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| panic!("serve never said `{prefix}…`"));
            if line.starts_with(prefix) {
                return line;
            }
        }
    }

    /// Waits for a line containing `text`, keeping every line read on the
    /// way (that one included) in `seen`.
    pub fn wait_for_recording(&self, text: &str, seen: &mut Vec<String>) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let line =
                self.next_line_before(deadline).unwrap_or_else(|| panic!("serve never said `{text}`: {seen:#?}"));
            seen.push(line.clone());
            if line.contains(text) {
                return line;
            }
        }
    }

    /// The next line, if one comes before `deadline`.
    pub fn next_line_before(&self, deadline: Instant) -> Option<String> {
        self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())).ok()
    }

    /// Sends `signal` and waits for a clean exit.
    pub fn stop(mut self, signal: &str) {
        Command::new("kill").args([signal, &self.child.id().to_string()]).status().unwrap();
        let (done_tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done_tx.send(self.child.wait());
        });
        let status = done.recv_timeout(WAIT).expect("serve exits after the signal").unwrap();
        assert!(status.success(), "serve exited with {status}");
    }
}
