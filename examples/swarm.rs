//! A swarm of real agora nodes on loopback (relays off): each publishes one
//! listing; prints how long until every peer holds every listing (watched
//! through each node's events, confirmed in every store), and the traffic
//! per peer.
//!
//! `cargo run --release --example swarm -- --peers 100`

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use agora::identity::Identity;
use agora::market::{Availability, Format, Id16, Level, Listing, ListingKind, Price};
use agora::node::{Event, Node, NodeConfig};
use agora::store::Store;
use jiff::{SignedDuration, Timestamp};
use tokio::sync::broadcast::error::RecvError;

const BOOTSTRAP_FANOUT: usize = 3;
const GIVE_UP: Duration = Duration::from_secs(60);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let peers: usize =
        std::env::args().skip_while(|a| a != "--peers").nth(1).map(|n| n.parse()).transpose()?.unwrap_or(25);
    let dir = tempfile::tempdir()?;
    let started = Instant::now();
    let mut nodes: Vec<Node> = Vec::with_capacity(peers);
    for i in 0..peers {
        let store = Arc::new(Store::open(&dir.path().join(format!("peer{i}.redb")))?);
        let mut config = NodeConfig::loopback(&["agora"]);
        // Each peer knows a few earlier ones, like people passing tickets around.
        config.bootstrap = (1..=BOOTSTRAP_FANOUT).filter_map(|k| i.checked_sub(k)).map(|j| nodes[j].ticket()).collect();
        let mut seed = [0u8; 32];
        seed[..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        nodes.push(Node::spawn(Identity::from_secret_bytes(&seed), store, config).await?);
    }
    let bound = started.elapsed();
    let watches: Vec<Arc<Watch>> = nodes.iter().map(|node| Watch::start(node, peers - 1)).collect();
    let publish = Instant::now();
    for (i, node) in nodes.iter().enumerate() {
        node.publish_listing(listing(i)).await?;
    }
    let publishing = publish.elapsed();
    let mut converged = None;
    let mut last_report = Instant::now();
    while publish.elapsed() < GIVE_UP {
        let done: Vec<Instant> = watches.iter().filter_map(|w| w.complete_at.get().copied()).collect();
        // Events say every peer is complete; the stores must agree.
        if done.len() == peers && held(&nodes).iter().all(|&n| n == peers - 1) {
            converged = done.iter().max().map(|last| last.duration_since(publish));
            break;
        }
        if last_report.elapsed() > Duration::from_secs(5) {
            eprintln!("  {}/{peers} peers complete after {:.1?}", done.len(), publish.elapsed());
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    if converged.is_none() {
        eprintln!("  listings held per peer: {:?}", held(&nodes));
    }
    let traffic: Vec<(u64, u64)> = nodes.iter().map(Node::traffic).collect();
    let sent: u64 = traffic.iter().map(|t| t.0).sum();
    let received: u64 = traffic.iter().map(|t| t.1).sum();
    let pulls: usize = watches.iter().map(|w| w.pulls.load(Ordering::Relaxed)).sum();
    println!("peers                 {peers}");
    println!("bind + join           {bound:.2?} for all peers");
    println!("publish               {publishing:.2?} until the last publish returned");
    match converged {
        Some(t) => println!("converged             100% in {t:.2?} after the first publish started"),
        None => println!("converged             NOT within {GIVE_UP:?}"),
    }
    println!("directory pulls       {:.1} per peer", pulls as f64 / peers as f64);
    println!(
        "UDP sent / received   {:.1} KiB / {:.1} KiB per peer",
        sent as f64 / 1024.0 / peers as f64,
        received as f64 / 1024.0 / peers as f64
    );
    let shutdown = Instant::now();
    let all: Vec<_> = nodes.into_iter().map(|n| tokio::spawn(n.shutdown())).collect();
    for handle in all {
        let _ = tokio::time::timeout(Duration::from_secs(5), handle).await;
    }
    println!("shutdown              {:.2?} for all peers, in parallel", shutdown.elapsed());
    Ok(())
}

/// One node seen from outside, through its events: how many directory
/// pulls it made, and when it first held every other peer's listing.
struct Watch {
    pulls: AtomicUsize,
    complete_at: OnceLock<Instant>,
}

impl Watch {
    /// Listens to `node` until it shuts down. Listing events are emitted
    /// once the listing is stored, so they mark the moment it is held,
    /// without polling every store.
    fn start(node: &Node, others: usize) -> Arc<Self> {
        let watch = Arc::new(Watch { pulls: AtomicUsize::new(0), complete_at: OnceLock::new() });
        let (mut events, store, me) = (node.subscribe(), node.store().clone(), watch.clone());
        tokio::spawn(async move {
            let mut held = HashSet::new();
            loop {
                match events.recv().await {
                    Ok(Event::Synced { .. }) => {
                        me.pulls.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(Event::ListingUpdated { author, id }) => {
                        held.insert((author, id));
                    }
                    Ok(_) => {}
                    // Events were missed: count from the store instead.
                    Err(RecvError::Lagged(_)) => {
                        let listings = store.seen_listings(Timestamp::now()).unwrap_or_default();
                        held = listings.iter().map(|l| (l.author(), l.value().id)).collect();
                    }
                    Err(RecvError::Closed) => break,
                }
                if held.len() >= others {
                    me.complete_at.get_or_init(Instant::now);
                }
            }
        });
        watch
    }
}

/// How many listings from others each node's store holds.
fn held(nodes: &[Node]) -> Vec<usize> {
    let now = Timestamp::now();
    nodes.iter().map(|n| n.store().seen_listings(now).map(|l| l.len()).unwrap_or(0)).collect()
}

fn listing(i: usize) -> Listing {
    Listing {
        id: Id16::random().expect("randomness"),
        version: 1,
        kind: if i.is_multiple_of(2) { ListingKind::Offer } else { ListingKind::Request },
        title: format!("Listing from peer {i}"),
        skills: vec![["rust", "calculus", "spanish", "guitar"][i % 4].into()],
        level: Level::Any,
        description: "A realistic description of a session, long enough to matter on the wire. ".repeat(3),
        format: Format::Online,
        price: Price::Free,
        availability: Availability { time_zone: "UTC".into(), windows: vec![] },
        expires_at: Timestamp::now().saturating_add(SignedDuration::from_hours(24)).expect("in range"),
        placement: None,
    }
}
