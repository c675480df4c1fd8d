//! The terminal client's figures, measured on the real binary in a
//! pseudo-terminal with 10,000 listings in its directory: time from launch
//! to the first frame (from the client's own log line), resident memory
//! once settled, and CPU while idle. Median of several launches.
//!
//! `cargo build --release && cargo run --release --example client_figures -- --runs 5`
//! (the 10k-listing home is built once, under `target/client-figures-home`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use agora::identity::{Identity, multibase_secret};
use agora::market::{Availability, Format, Id16, Level, Listing, ListingKind, Price};
use agora::store::Store;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};

const LISTINGS: usize = 10_000;
const IDLE: Duration = Duration::from_secs(10);

fn main() -> anyhow::Result<()> {
    let runs: usize =
        std::env::args().skip_while(|a| a != "--runs").nth(1).map(|n| n.parse()).transpose()?.unwrap_or(5);
    let home = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/client-figures-home");
    if !home.join("store.redb").exists() {
        build_home(&home)?;
    }
    let binary = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/agora");
    anyhow::ensure!(binary.exists(), "build the release binary first: cargo build --release");
    let (mut first, mut rss, mut cpu) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let figures = launch(&binary, &home)?;
        eprintln!("run {run}: first frame {} ms, {:.1} MiB, idle CPU {:.2} %", figures.0, figures.1, figures.2);
        first.push(figures.0 as f64);
        rss.push(figures.1);
        cpu.push(figures.2);
    }
    println!("listings in the directory   {LISTINGS}");
    println!("first frame after launch    {:.0} ms (median of {runs})", median(&mut first));
    println!("resident memory, settled    {:.1} MiB", median(&mut rss));
    println!("idle CPU over {:>2} s          {:.2} % of one core", IDLE.as_secs(), median(&mut cpu));
    Ok(())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values[values.len() / 2]
}

fn build_home(home: &Path) -> anyhow::Result<()> {
    eprintln!("building a home with {LISTINGS} listings (once)…");
    std::fs::create_dir_all(home)?;
    std::fs::write(
        home.join("config.toml"),
        "[profile]\nname = \"Ada\"\ntime_zone = \"UTC\"\n[network]\nbind = \"127.0.0.1\"\nrelay = \"disabled\"\n\
         lan_discovery = false\n[tui]\nmouse = false\n",
    )?;
    // agora refuses a key file other users can read.
    let key = home.join("identity.key");
    agora::files::replace(&key, format!("{}\n", multibase_secret(&Identity::from_secret_bytes(&[1; 32]))).as_bytes())?;
    let store = Store::open(&home.join("store.redb"))?;
    let now = jiff::Timestamp::now();
    let skills = ["rust", "calculus", "spanish", "guitar", "python", "chemistry", "drawing", "latin"];
    for i in 0..LISTINGS {
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&((i / 40) as u64 + 100).to_le_bytes());
        let author = Identity::from_secret_bytes(&seed);
        let listing = Listing {
            id: Id16((i as u128 + 1).to_be_bytes()),
            version: 1,
            kind: if i % 3 == 0 { ListingKind::Request } else { ListingKind::Offer },
            title: format!("{} for beginners, group {}", skills[i % 8], i / 8),
            skills: vec![skills[i % 8].into()],
            level: Level::Beginner,
            description: "Small steps, real exercises, questions welcome.".into(),
            format: Format::Online,
            price: Price::Free,
            availability: Availability { time_zone: "UTC".into(), windows: vec![] },
            expires_at: now.saturating_add(jiff::SignedDuration::from_hours(24 * 60))?,
            placement: None,
        };
        store.put_seen_listing(&agora::wire::seal(&author, &listing, now)?)?;
    }
    Ok(())
}

/// One launch: (first frame ms, settled RSS MiB, idle CPU %).
fn launch(binary: &Path, home: &Path) -> anyhow::Result<(u64, f64, f64)> {
    for old in log_files(home) {
        let _ = std::fs::remove_file(old);
    }
    let pty = native_pty_system().openpty(PtySize { rows: 40, cols: 120, pixel_width: 0, pixel_height: 0 })?;
    let mut command = CommandBuilder::new(binary);
    command.env("AGORA_HOME", home);
    command.env("TERM", "xterm-256color");
    let mut child = pty.slave.spawn_command(command)?;
    let pid = child.process_id().ok_or_else(|| anyhow::anyhow!("no pid"))?;
    let mut reader = pty.master.try_clone_reader()?;
    std::thread::spawn(move || {
        let mut sink = [0u8; 8192];
        while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
    });
    let mut writer = pty.master.take_writer()?;
    let deadline = Instant::now() + Duration::from_secs(30);
    let first = loop {
        let text: String = log_files(home).iter().filter_map(|f| std::fs::read_to_string(f).ok()).collect();
        if let Some(ms) = text.lines().find_map(|l| l.split("first frame ").nth(1)?.split(' ').next()?.parse().ok()) {
            break ms;
        }
        anyhow::ensure!(Instant::now() < deadline, "no first frame logged");
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_secs(3));
    let rss = rss_mib(pid)?;
    let before = cpu_ticks(pid)?;
    std::thread::sleep(IDLE);
    let used = cpu_ticks(pid)? - before;
    use std::io::Write as _;
    writer.write_all(b"q")?;
    child.wait()?;
    Ok((first, rss, used as f64 / 100.0 / IDLE.as_secs_f64() * 100.0))
}

/// The client's daily log files, `agora.YYYY-MM-DD.log`.
fn log_files(home: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(home) else { return Vec::new() };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("agora.") && n.ends_with(".log"))
        })
        .collect()
}

fn rss_mib(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmRSS"))?;
    Ok(kib / 1024.0)
}

/// User + system CPU time of `pid`, in clock ticks (100 a second on Linux).
fn cpu_ticks(pid: u32) -> anyhow::Result<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    Ok(fields.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0))
}
