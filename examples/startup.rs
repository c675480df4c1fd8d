//! How long a node takes to start: from `Node::spawn` until it returns
//! (bound), until a loopback peer that dials its ticket is a gossip
//! neighbour, and until that peer has pulled the node's directory. Runs
//! with the loopback config and with the product's default network config
//! (relays, DNS lookups and mDNS on), which must not wait on the internet.
//! Prints medians of several runs.
//!
//! `cargo run --release --example startup -- [runs, default 7]`

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::config::Config;
use agora::identity::Identity;
use agora::node::{Event, Node, NodeConfig};
use agora::store::Store;
use jiff::Timestamp;

/// Longer than any start-up should take; hitting it is a finding.
const LIMIT: Duration = Duration::from_secs(30);

struct Timings {
    bound: Duration,
    neighbour: Duration,
    pulled: Duration,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(7), |s| s.parse())?;
    for (name, config) in [
        ("loopback, relays off", NodeConfig::loopback(&["agora"])),
        ("default config (relays on, no internet here)", NodeConfig::from_config(&Config::defaults())?),
    ] {
        let mut all = Vec::new();
        for run in 0..runs {
            let timings = start_once(config.clone(), run as u8).await?;
            all.push(timings);
        }
        let median = |pick: fn(&Timings) -> Duration| {
            let mut values: Vec<Duration> = all.iter().map(pick).collect();
            values.sort();
            values[values.len() / 2]
        };
        println!(
            "{name}: median of {runs}: bound {:.1} ms, first neighbour {:.1} ms, directory pulled {:.1} ms",
            ms(median(|t| t.bound)),
            ms(median(|t| t.neighbour)),
            ms(median(|t| t.pulled)),
        );
        let worst = all.iter().map(|t| t.pulled).max().unwrap_or_default();
        println!("  slowest run to a pulled directory: {:.1} ms", ms(worst));
    }
    Ok(())
}

/// Starts a node with `config` holding one listing, then a loopback peer
/// that bootstraps from its ticket.
async fn start_once(config: NodeConfig, run: u8) -> anyhow::Result<Timings> {
    let dir = tempfile::tempdir()?;
    let store = Arc::new(Store::open(&dir.path().join("node.redb"))?);
    let started = Instant::now();
    let node = tokio::time::timeout(LIMIT, Node::spawn(Identity::from_secret_bytes(&[0x10 + run; 32]), store, config))
        .await??;
    let bound = started.elapsed();
    node.publish_listing(common::offer("Rust for beginners", "rust", Timestamp::now())).await?;

    let mut peer_config = NodeConfig::loopback(&["agora"]);
    peer_config.bootstrap = vec![node.ticket()];
    let peer_store = Arc::new(Store::open(&dir.path().join("peer.redb"))?);
    let peer = Node::spawn(Identity::from_secret_bytes(&[0x80 + run; 32]), peer_store, peer_config).await?;
    let mut events = peer.subscribe();
    let (mut neighbour, mut pulled) = (None, None);
    let watch = async {
        while let Ok(event) = events.recv().await {
            match event {
                Event::NeighborUp(_) if neighbour.is_none() => neighbour = Some(started.elapsed()),
                Event::Synced { received, .. } if received > 0 => {
                    pulled = Some(started.elapsed());
                    break;
                }
                _ => {}
            }
        }
    };
    if tokio::time::timeout(LIMIT, watch).await.is_err() {
        anyhow::bail!("run {run}: no contact within {LIMIT:?} (neighbour: {neighbour:?})");
    }
    let timings = Timings { bound, neighbour: neighbour.unwrap_or(LIMIT), pulled: pulled.unwrap_or(LIMIT) };
    for n in [peer, node] {
        let _ = tokio::time::timeout(Duration::from_secs(3), n.shutdown()).await;
    }
    Ok(timings)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
