//! Communities at scale, on the simulator: N peers spread over C
//! communities (each peer joins K of them; a few join all), L listings
//! published in each community at once. Prints, per community, how long
//! until every member holds every listing placed there (virtual time:
//! t50/t90/t100 over its members' (member, listing) pairs) and how many
//! copies leaked to peers outside it (must be 0); then the directory a
//! peer keeps (listings and their bytes) when it joined K communities
//! against one that joined all C, and the bytes each peer sent (median).
//!
//! The raw baseline from the same run: the same listings published in the
//! open directory instead, which every peer keeps. Charters are put in the
//! members' stores as if fetched (their spread is measured elsewhere);
//! members join through their cores, so they join each community's topic.
//!
//! ```sh
//! cargo run --release --example sim_communities -- --peers 1000 --communities 10 --per-peer 2 --listings 10
//! ```

#[path = "common/swarm.rs"]
mod swarm;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use agora::community::{Admission, Charter, CommunityId, Curriculum};
use agora::market::Id16;
use agora::node::core::Command;
use agora::sim::{Links, PeerOptions, Sim};
use agora::wire::seal;
use jiff::Timestamp;
use swarm::{identity, listing};

struct Args {
    peers: usize,
    communities: usize,
    per_peer: usize,
    everywhere: usize,
    listings: usize,
    seed: u64,
    within: Duration,
}

fn args() -> Args {
    let mut args = Args {
        peers: 1000,
        communities: 10,
        per_peer: 2,
        everywhere: 10,
        listings: 10,
        seed: 7,
        within: Duration::from_secs(900),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        let number = value.parse().unwrap_or(0);
        match flag.as_str() {
            "--peers" => args.peers = number,
            "--communities" => args.communities = number,
            "--per-peer" => args.per_peer = number,
            "--everywhere" => args.everywhere = number,
            "--listings" => args.listings = number,
            "--seed" => args.seed = number as u64,
            "--within" => args.within = Duration::from_secs(number as u64),
            other => eprintln!("ignoring {other}"),
        }
    }
    args
}

fn main() {
    let args = args();
    println!(
        "{} peers, {} communities, {} per peer ({} in all), {} listings each\n",
        args.peers, args.communities, args.per_peer, args.everywhere, args.listings
    );
    let placed = run(&args, true);
    let open = run(&args, false);
    println!("\ndirectory kept per peer (median over peers; listings, KiB of envelopes):");
    println!("  in {} communities        {:>6} {:>9.1}", args.per_peer, placed.few.0, placed.few.1);
    println!("  in all {}               {:>6} {:>9.1}", args.communities, placed.all.0, placed.all.1);
    println!("  baseline: all open      {:>6} {:>9.1}", open.few.0, open.few.1);
    println!(
        "\nconvergence, every (peer, listing) pair due: placed t100 {}, open baseline t100 {}",
        show(placed.t100),
        show(open.t100)
    );
}

struct Outcome {
    /// Median (listings, KiB) of peers in `per_peer` communities.
    few: (usize, f64),
    /// Median (listings, KiB) of peers in every community.
    all: (usize, f64),
    t100: Option<Duration>,
}

/// Every 50 peers, the network runs a little (joins spread over time).
fn i_am_done(p: usize, n: usize) -> bool {
    p % 50 == 49 || p + 1 == n
}

fn show(d: Option<Duration>) -> String {
    d.map_or_else(|| "-".into(), |d| format!("{:.1}s", d.as_secs_f64()))
}

fn run(args: &Args, placed: bool) -> Outcome {
    let wall = Instant::now();
    let base: Timestamp = "2026-12-01T09:00:00Z".parse().unwrap();
    let (n, c) = (args.peers, args.communities);
    let mut links = Links::new(args.seed);
    let mut sim = Sim::new(Links::new(args.seed ^ 0xabcd).with_loss(0.01), base);
    for i in 0..n {
        let bootstrap = if i == 0 { vec![] } else { (0..3.min(i)).map(|_| links.pick(i)).collect() };
        sim.add_peer(identity(i), PeerOptions { bootstrap, ..PeerOptions::default() });
        if i % 50 == 49 {
            sim.run_for(Duration::from_millis(200));
        }
    }
    // Community k is founded by peer k; its charter is in every member's
    // store from the start (its spread is measured elsewhere).
    let charters: Vec<_> = (0..c)
        .map(|k| {
            let charter = Charter {
                founder: sim.key(k),
                nonce: [k as u8; 16],
                version: 1,
                previous: None,
                name: format!("Community {k}"),
                description: String::new(),
                languages: vec![],
                rules: vec![],
                maintainers: vec![sim.key(k)],
                admission: Admission::Open,
                curriculum: Curriculum::default(),
            };
            seal(&identity(k), &charter, sim.now()).unwrap()
        })
        .collect();
    let ids: Vec<CommunityId> = charters.iter().map(|c| c.value().id()).collect();
    let mut members: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); c];
    for p in 0..n {
        let mut mine: BTreeSet<usize> = BTreeSet::new();
        if p < c {
            mine.insert(p);
        }
        if p >= n - args.everywhere {
            mine.extend(0..c);
        }
        while mine.len() < args.per_peer.min(c) {
            mine.insert(links.pick(c));
        }
        for k in mine {
            members[k].insert(p);
            if placed {
                // The charter as if fetched; joining through the core, so
                // it joins the community's topic too.
                sim.store(p).put_charter(&ids[k], &charters[k]).unwrap();
                sim.peer_mut(p).directory_written_elsewhere();
                sim.command(p, Command::SetJoined(ids[k], true)).expect("joined");
            }
        }
        if i_am_done(p, n) {
            sim.run_for(Duration::from_millis(200));
        }
    }
    sim.run_for(Duration::from_secs(20));
    let start = sim.elapsed();
    let sent_before: Vec<u64> = (0..n).map(|p| sim.bytes_sent(p)).collect();
    // L listings per community, by members of it.
    let mut published: Vec<(usize, usize, Id16)> = Vec::new(); // (community, author, id)
    for (k, community) in ids.iter().enumerate() {
        let authors: Vec<usize> = members[k].iter().copied().collect();
        for l in 0..args.listings {
            let author = authors[links.pick(authors.len())];
            let number = k * args.listings + l;
            let listing = listing(number, sim.now(), placed.then_some(*community));
            let id = listing.id;
            sim.command(author, Command::Publish(listing)).expect("published");
            published.push((k, author, id));
        }
    }
    // Who must hold what: members (placed) or everyone (open).
    let due = |k: usize, p: usize| if placed { members[k].contains(&p) } else { true };
    let mut per_community: Vec<Vec<Option<Duration>>> = vec![Vec::new(); c];
    let mut pending: Vec<(usize, usize, usize, Id16)> = Vec::new(); // (community, peer, author, id)
    for (k, author, id) in &published {
        for p in (0..n).filter(|p| p != author && due(*k, *p)) {
            pending.push((*k, p, *author, *id));
        }
    }
    let total = pending.len();
    let mut t100 = None;
    while sim.elapsed() - start < args.within && !pending.is_empty() {
        sim.run_for(Duration::from_millis(100));
        let now = sim.now();
        let at = sim.elapsed() - start;
        pending.retain(|(k, p, author, id)| {
            let held = sim.store(*p).seen_listing(&sim.key(*author), id, now).unwrap().is_some();
            if held {
                per_community[*k].push(Some(at));
            }
            !held
        });
        if pending.is_empty() {
            t100 = Some(at);
        }
    }
    for (k, _, _, _) in &pending {
        per_community[*k].push(None);
    }
    // Copies outside the community they were placed in.
    let mut leaked = 0;
    if placed {
        let now = sim.now();
        for (k, author, id) in &published {
            for p in (0..n).filter(|p| !members[*k].contains(p)) {
                leaked += usize::from(sim.store(p).seen_listing(&sim.key(*author), id, now).unwrap().is_some());
            }
        }
    }
    let label = if placed { "placed" } else { "open baseline" };
    let mut sent: Vec<u64> = (0..n).map(|p| sim.bytes_sent(p) - sent_before[p]).collect();
    sent.sort_unstable();
    println!(
        "{label}: {} (peer, listing) pairs due, {} missing, leaked outside their community {leaked}, \
         median sent {:.1} KiB/peer, wall {:.1}s",
        total,
        pending.len(),
        sent[n / 2] as f64 / 1024.0,
        wall.elapsed().as_secs_f64()
    );
    if placed {
        println!("{:>10} {:>8} {:>8} {:>8} {:>8}", "community", "members", "t50", "t90", "t100");
        for (k, times) in per_community.iter_mut().enumerate() {
            times.sort_by_key(|t| t.unwrap_or(Duration::MAX));
            let mark = |share: f64| {
                let i = ((times.len() as f64 * share).ceil() as usize).saturating_sub(1);
                times.get(i).copied().flatten()
            };
            println!(
                "{:>10} {:>8} {:>8} {:>8} {:>8}",
                k,
                members[k].len(),
                show(mark(0.5)),
                show(mark(0.9)),
                show(mark(1.0))
            );
        }
    }
    let now = sim.now();
    let kept = |p: usize| -> (usize, f64) {
        let seen = sim.store(p).seen_listings(now).unwrap();
        let own = sim.store(p).own_listings().unwrap();
        let bytes: usize = seen.iter().chain(&own).map(|l| l.bytes().len()).sum();
        (seen.len() + own.len(), bytes as f64 / 1024.0)
    };
    let median = |peers: Vec<usize>| -> (usize, f64) {
        let mut sizes: Vec<(usize, f64)> = peers.into_iter().map(kept).collect();
        sizes.sort_by(|a, b| a.1.total_cmp(&b.1));
        sizes.get(sizes.len() / 2).copied().unwrap_or((0, 0.0))
    };
    let in_all = |p: usize| (0..c).all(|k| members[k].contains(&p));
    let few = median((c..n).filter(|p| !in_all(*p)).collect());
    let all = median((0..n).filter(|p| in_all(*p)).collect());
    Outcome { few, all, t100 }
}
