//! What a node costs when nothing happens: a directory of 10,000 listings
//! from 10,000 authors, two loopback neighbours that pulled it, then CPU
//! time and resident memory over a quiet stretch (in slices, so a periodic
//! spike shows). Prints the store file size too. All three nodes share
//! this process, so the figures are for the three together.
//!
//! `cargo run --release --example idle -- [quiet seconds, default 30]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::identity::Identity;
use agora::market::{Availability, Format, Id16, Level, Listing, ListingKind, Price};
use agora::node::{Node, NodeConfig};
use agora::store::Store;
use agora::wire::{open, seal};
use jiff::{SignedDuration, Timestamp};

const AUTHORS: u32 = 10_000;
const SLICE: Duration = Duration::from_secs(5);
/// Linux reports CPU time in ticks of 1/100 s to user space.
const TICKS_PER_SECOND: f64 = 100.0;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let quiet = Duration::from_secs(std::env::args().nth(1).map_or(Ok(30), |s| s.parse())?);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("store.redb");
    let store = Arc::new(Store::open(&path)?);
    let started = Instant::now();
    let now = Timestamp::now();
    for n in 0..AUTHORS {
        // Signed by its author, then taken the way bytes from a peer are.
        let signed = seal(&author(n), &listing(n, now), now)?;
        store.put_seen_listing(&open::<Listing>(signed.bytes(), now)?)?;
    }
    println!("inserted {AUTHORS} listings in {:.1} s", started.elapsed().as_secs_f64());

    let hub =
        Node::spawn(Identity::from_secret_bytes(&[0xa0; 32]), store.clone(), NodeConfig::loopback(&["agora"])).await?;
    let mut neighbours = Vec::new();
    for seed in [0xa1u8, 0xa2] {
        let home = dir.path().join(format!("neighbour-{seed}.redb"));
        let mut config = NodeConfig::loopback(&["agora"]);
        config.bootstrap = vec![hub.ticket()];
        neighbours
            .push(Node::spawn(Identity::from_secret_bytes(&[seed; 32]), Arc::new(Store::open(&home)?), config).await?);
    }
    let pulled = Instant::now();
    let synced = async {
        for neighbour in &neighbours {
            while neighbour.store().seen_listings(Timestamp::now())?.len() < AUTHORS as usize {
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
        anyhow::Ok(())
    };
    tokio::time::timeout(Duration::from_secs(300), synced).await??;
    println!("both neighbours hold the directory after {:.1} s", pulled.elapsed().as_secs_f64());
    tokio::time::sleep(SLICE).await;

    let (rss_before, cpu_before) = (rss_kib()?, cpu_seconds()?);
    let quiet_start = Instant::now();
    let mut last = cpu_before;
    while quiet_start.elapsed() < quiet {
        tokio::time::sleep(SLICE.min(quiet.saturating_sub(quiet_start.elapsed()))).await;
        let cpu = cpu_seconds()?;
        println!(
            "  {:>5.1} s: {:>5.2} % of one core in this slice, RSS {:.1} MiB",
            quiet_start.elapsed().as_secs_f64(),
            100.0 * (cpu - last) / SLICE.as_secs_f64(),
            rss_kib()? as f64 / 1024.0
        );
        last = cpu;
    }
    let elapsed = quiet_start.elapsed().as_secs_f64();
    let (rss_after, cpu_after) = (rss_kib()?, cpu_seconds()?);
    println!(
        "idle over {elapsed:.0} s: CPU {:.2} % of one core ({:.2} s), RSS {:.1} MiB -> {:.1} MiB ({:+.1} MiB)",
        100.0 * (cpu_after - cpu_before) / elapsed,
        cpu_after - cpu_before,
        rss_before as f64 / 1024.0,
        rss_after as f64 / 1024.0,
        (rss_after as f64 - rss_before as f64) / 1024.0
    );
    println!(
        "store file: {:.1} MiB ({} bytes)",
        std::fs::metadata(&path)?.len() as f64 / 1048576.0,
        std::fs::metadata(&path)?.len()
    );
    let (sent, received) = hub.traffic();
    println!("hub traffic so far: {sent} bytes sent, {received} received");

    let shutdowns = neighbours.into_iter().chain([hub]).map(|n| tokio::spawn(n.shutdown()));
    for done in shutdowns {
        let _ = tokio::time::timeout(Duration::from_secs(3), done).await;
    }
    Ok(())
}

fn author(n: u32) -> Identity {
    let mut secret = [0x5au8; 32];
    secret[..4].copy_from_slice(&n.to_le_bytes());
    Identity::from_secret_bytes(&secret)
}

fn listing(n: u32, now: Timestamp) -> Listing {
    let mut id = [0u8; 16];
    id[..4].copy_from_slice(&n.to_le_bytes());
    Listing {
        id: Id16(id),
        version: 1,
        kind: if n.is_multiple_of(3) { ListingKind::Request } else { ListingKind::Offer },
        title: format!("Lessons in topic {n}"),
        skills: vec![["rust", "calculus", "french", "piano"][n as usize % 4].into()],
        level: Level::Any,
        description: "An hour at a time, online, with exercises between sessions.".into(),
        format: Format::Online,
        price: Price::Free,
        availability: Availability { time_zone: "UTC".into(), windows: vec![] },
        expires_at: now.saturating_add(SignedDuration::from_hours(48)).expect("in range"),
        placement: None,
    }
}

/// User plus system CPU time of this process so far.
fn cpu_seconds() -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat")?;
    // Fields after the command name (which ends at the last ')'): utime is
    // the 14th field of the line, stime the 15th.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    Ok(ticks as f64 / TICKS_PER_SECOND)
}

fn rss_kib() -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or_else(|| anyhow::anyhow!("no VmRSS"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}
