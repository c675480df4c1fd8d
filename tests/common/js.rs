//! The reference JavaScript VC stack (tests/interop/verify.mjs, Digital
//! Bazaar's packages from npm) as a test helper: whether it is installed,
//! and running it on files. Included by the tests that use it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Run {
    pub success: bool,
    pub lines: Vec<Value>,
    pub stderr: String,
}

/// Runs `command` to completion or kills it after `timeout`, returning
/// (exited successfully, stdout, stderr).
fn run_with_timeout(mut command: Command, timeout: Duration) -> std::io::Result<(bool, String, String)> {
    let mut child = command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not finish within {timeout:?}; killed it");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Ok((status.success(), stdout.join().unwrap(), stderr.join().unwrap()))
}

/// Whether node and the npm packages are there. If not: fails under
/// `CI=true`, otherwise says so loudly and lets the test return.
pub fn js_ready() -> bool {
    let mut version = Command::new("node");
    version.arg("--version");
    let node = run_with_timeout(version, Duration::from_secs(10));
    let installed = Path::new(ROOT).join("tests/interop/node_modules/@digitalbazaar/vc/package.json").exists();
    let missing = match node {
        Ok((true, _, _)) if installed => return true,
        Ok((true, _, _)) => "tests/interop/node_modules is not installed",
        _ => "`node` is not on PATH or does not run",
    };
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("CI=true but {missing}: CI must have node (v20+) and run `npm ci --prefix tests/interop`");
    }
    // Straight to stderr, past the test harness's capture, and once.
    static SAID: std::sync::Once = std::sync::Once::new();
    SAID.call_once(|| {
        let line = format!("\nSKIPPED: JavaScript interop tests: {missing} (run npm ci --prefix tests/interop)\n");
        let _ = std::io::stderr().write_all(line.as_bytes());
    });
    false
}

/// Runs the JS verifier on `files` as of `now`, and parses its one JSON
/// line per file.
pub fn verify_at(files: &[PathBuf], now: jiff::Timestamp, args: &[&str]) -> Run {
    let mut command = Command::new("node");
    command.arg(Path::new(ROOT).join("tests/interop/verify.mjs")).arg("--now").arg(now.to_string());
    command.args(args).args(files);
    let (success, stdout, stderr) = run_with_timeout(command, TIMEOUT).expect("node runs");
    let lines: Vec<Value> = stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: not a JSON line: {line}\n{stderr}")))
        .collect();
    assert_eq!(lines.len(), files.len(), "one line per file\n{stdout}\n{stderr}");
    for (line, file) in lines.iter().zip(files) {
        assert_eq!(line["file"], json!(file.to_str().unwrap()), "lines in file order");
    }
    Run { success, lines, stderr }
}
