//! Directory convergence at scale, on the simulator: N node cores with
//! the real gossip protocol, links of 20–80 ms and 1% loss (configurable),
//! some of them publishing a listing at once. Prints how long until every
//! peer holds every listing (virtual time), the spread (50/90/99%), and the
//! bytes each peer sent, for each swarm size asked for. The raw baseline
//! from the same run: when the gossip layer alone had handed every listing
//! frame it delivered (`gossip`, before anything is verified or stored),
//! and how many (peer, listing) pairs it never delivered, which
//! anti-entropy then has to bring (`missed`).
//!
//! ```sh
//! cargo run --release --example sim_swarm -- --peers 100,1000,10000 --listings 10
//! ```

#[path = "common/swarm.rs"]
mod swarm;

use std::time::{Duration, Instant};

use agora::node::Event;
use agora::node::core::Command;
use agora::sim::{Links, PeerOptions, Sim};
use jiff::Timestamp;
use swarm::{identity, listing};

struct Args {
    peers: Vec<usize>,
    listings: usize,
    loss: f64,
    seed: u64,
    within: Duration,
}

fn args() -> Args {
    let mut args = Args { peers: vec![1000], listings: 10, loss: 0.01, seed: 1, within: Duration::from_secs(600) };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--peers" => args.peers = value.split(',').filter_map(|v| v.parse().ok()).collect(),
            "--listings" => args.listings = value.parse().unwrap_or(10),
            "--loss" => args.loss = value.parse().unwrap_or(0.01),
            "--seed" => args.seed = value.parse().unwrap_or(1),
            "--within" => args.within = Duration::from_secs(value.parse().unwrap_or(600)),
            other => eprintln!("ignoring {other}"),
        }
    }
    args
}

fn main() {
    let args = args();
    println!(
        "{:>7} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>11} {:>11} {:>9}",
        "peers", "listings", "t50", "t90", "t99", "t100", "gossip", "missed", "KiB/peer", "max KiB", "wall"
    );
    for &n in &args.peers {
        run(n, &args);
    }
}

fn run(n: usize, args: &Args) {
    let wall = Instant::now();
    let base: Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
    let mut links = Links::new(args.seed).with_loss(args.loss);
    let mut sim = Sim::new(Links::new(args.seed ^ 0xabcd).with_loss(args.loss), base);
    for i in 0..n {
        // Each newcomer joins through up to three peers already there.
        let bootstrap = if i == 0 { vec![] } else { (0..3.min(i)).map(|_| links.pick(i)).collect() };
        sim.add_peer(identity(i), PeerOptions { bootstrap, ..PeerOptions::default() });
        if i % 50 == 49 {
            sim.run_for(Duration::from_millis(200));
        }
    }
    sim.run_for(Duration::from_secs(20));
    let sent_before: Vec<u64> = (0..n).map(|p| sim.bytes_sent(p)).collect();
    let events_before: Vec<usize> = (0..n).map(|p| sim.events(p).len()).collect();
    let authors: Vec<usize> = (0..args.listings).map(|_| links.pick(n)).collect();
    let start = sim.elapsed();
    sim.watch_broadcasts();
    for (k, author) in authors.iter().enumerate() {
        let listing = listing(k, sim.now(), None);
        sim.command(*author, Command::Publish(listing)).expect("published");
    }
    // (peer, listing) pairs still missing; a peer holds its own at once.
    let mut held = vec![0usize; n];
    for author in &authors {
        held[*author] += 1;
    }
    let total = n * args.listings;
    let mut done: usize = held.iter().sum();
    let mut marks: Vec<(f64, Option<Duration>)> = vec![(0.5, None), (0.9, None), (0.99, None), (1.0, None)];
    let mut scanned = events_before.clone();
    while sim.elapsed() - start < args.within && done < total {
        sim.run_for(Duration::from_millis(50));
        for p in 0..n {
            let events = sim.events(p);
            for (_, event) in &events[scanned[p]..] {
                if let Event::ListingUpdated { .. } = event {
                    held[p] += 1;
                    done += 1;
                }
            }
            scanned[p] = events.len();
        }
        for (share, at) in &mut marks {
            if at.is_none() && done as f64 >= *share * total as f64 {
                *at = Some(sim.elapsed() - start);
            }
        }
    }
    let sent: Vec<u64> = (0..n).map(|p| sim.bytes_sent(p) - sent_before[p]).collect();
    let mean = sent.iter().sum::<u64>() as f64 / n as f64 / 1024.0;
    let max = *sent.iter().max().unwrap_or(&0) as f64 / 1024.0;
    let show = |d: Option<Duration>| d.map_or_else(|| "-".into(), |d| format!("{:.2}s", d.as_secs_f64()));
    // The listing frames: broadcast by an author at the start.
    let frames: Vec<_> =
        sim.spreads().into_iter().filter(|s| s.sent_at == start && authors.contains(&s.origin)).collect();
    let gossip_last = frames.iter().map(|s| s.last_at - start).max();
    let missed: usize = frames.iter().map(|s| (n - 1).saturating_sub(s.reached)).sum();
    println!(
        "{:>7} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9} {:>11.1} {:>11.1} {:>8.1}s",
        n,
        args.listings,
        show(marks[0].1),
        show(marks[1].1),
        show(marks[2].1),
        show(marks[3].1),
        show(gossip_last),
        missed,
        mean,
        max,
        wall.elapsed().as_secs_f64()
    );
    if done < total {
        println!("        {} of {} (peer, listing) pairs missing after {:?}", total - done, total, args.within);
    }
}
