//! The simulated links between peers, and the trace of a run.
//!
//! Each pair of peers gets a latency drawn once from a range; every
//! message adds jitter on top (so two messages on separate streams can
//! arrive in the other order). Loss is packet loss under QUIC: a lost
//! message is sent again after a probe timeout, so it arrives late, not
//! never (each further loss adds another timeout). A partition drops
//! everything between its groups until healed; a request that gets no
//! answer fails after the shell's timeout. All draws come from one seeded
//! generator.

use std::collections::BTreeMap;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng as _, RngExt as _, SeedableRng};
use sha2::{Digest, Sha256};

use crate::identity::PublicKey;
use crate::node::core::Input;

pub struct Links {
    rng: StdRng,
    /// Latency of a link, drawn once per pair from this range.
    pub latency: (Duration, Duration),
    /// Added to each message, drawn anew every time.
    pub jitter: Duration,
    /// The chance that a message's packet is lost (and sent again).
    pub loss: f64,
    fixed: BTreeMap<(PublicKey, PublicKey), Duration>,
    groups: Option<BTreeMap<PublicKey, usize>>,
    /// The last arrival on each directed connection (gossip is one ordered
    /// stream per pair, as on a QUIC connection).
    last_arrival: BTreeMap<(PublicKey, PublicKey), Duration>,
}

impl Links {
    /// Links of 20–80 ms with up to 5 ms of jitter and no loss.
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            latency: (Duration::from_millis(20), Duration::from_millis(80)),
            jitter: Duration::from_millis(5),
            loss: 0.0,
            fixed: BTreeMap::new(),
            groups: None,
            last_arrival: BTreeMap::new(),
        }
    }

    pub fn with_latency(mut self, min: Duration, max: Duration) -> Self {
        self.latency = (min, max.max(min));
        self
    }

    pub fn with_jitter(mut self, jitter: Duration) -> Self {
        self.jitter = jitter;
        self
    }

    pub fn with_loss(mut self, loss: f64) -> Self {
        self.loss = loss.clamp(0.0, 1.0);
        self
    }

    pub fn draw_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A number in `0..n`, for tests that pick at random (from the seed).
    pub fn pick(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { self.rng.random_range(0..n) }
    }

    /// The link's latency plus this message's jitter.
    pub fn latency(&mut self, a: PublicKey, b: PublicKey) -> Duration {
        let pair = if a < b { (a, b) } else { (b, a) };
        let (min, max) = self.latency;
        let base = match self.fixed.get(&pair) {
            Some(base) => *base,
            None => {
                let span = (max - min).as_micros() as u64;
                let base = min + Duration::from_micros(if span == 0 { 0 } else { self.rng.random_range(0..=span) });
                self.fixed.insert(pair, base);
                base
            }
        };
        let jitter = self.jitter.as_micros() as u64;
        base + Duration::from_micros(if jitter == 0 { 0 } else { self.rng.random_range(0..=jitter) })
    }

    /// When a message sent at `now` from `from` reaches `to`, or `None`
    /// when a partition cuts it off.
    pub fn carry(&mut self, from: PublicKey, to: PublicKey, now: Duration) -> Option<Duration> {
        if let Some(groups) = &self.groups
            && groups.get(&from) != groups.get(&to)
        {
            return None;
        }
        let latency = self.latency(from, to);
        // QUIC's probe timeout: about three round trips, at least 200 ms.
        let resend = (latency * 6).max(Duration::from_millis(200));
        let mut at = now + latency;
        let mut tries = 0;
        while self.loss > 0.0 && tries < 8 && self.rng.random_bool(self.loss) {
            at += resend;
            tries += 1;
        }
        Some(at)
    }

    /// Like [`Self::carry`], but in order: a message on the same directed
    /// connection never overtakes the one before it.
    pub fn carry_in_order(&mut self, from: PublicKey, to: PublicKey, now: Duration) -> Option<Duration> {
        let at = self.carry(from, to, now)?;
        Some(self.after_last(from, to, at))
    }

    /// When the end of a connection reaches `to`: after everything sent on
    /// it before (whatever loss and partitions say).
    pub fn close_in_order(&mut self, from: PublicKey, to: PublicKey, now: Duration) -> Duration {
        let at = now + self.latency(from, to);
        self.after_last(from, to, at)
    }

    fn after_last(&mut self, from: PublicKey, to: PublicKey, at: Duration) -> Duration {
        let last = self.last_arrival.entry((from, to)).or_insert(Duration::ZERO);
        let at = at.max(*last + Duration::from_micros(1));
        *last = at;
        at
    }

    /// Cuts the network into `groups`; peers in none form one more group.
    pub fn partition(&mut self, groups: &[Vec<PublicKey>]) {
        let mut map = BTreeMap::new();
        for (i, group) in groups.iter().enumerate() {
            for key in group {
                map.insert(*key, i + 1);
            }
        }
        self.groups = Some(map);
    }

    pub fn heal(&mut self) {
        self.groups = None;
    }
}

/// A fingerprint of everything a run did, in order: two runs from the same
/// seed have the same trace, or the simulator is not deterministic.
#[derive(Clone, Default)]
pub struct Trace {
    hash: Sha256,
    steps: u64,
}

impl Trace {
    pub fn input(&mut self, at: Duration, peer: usize, input: &Input) {
        self.steps += 1;
        self.hash.update((at.as_micros() as u64).to_be_bytes());
        self.hash.update((peer as u64).to_be_bytes());
        describe(&mut self.hash, input);
    }

    pub fn note(&mut self, at: Duration, what: &str) {
        self.hash.update((at.as_micros() as u64).to_be_bytes());
        self.hash.update(what.as_bytes());
    }

    /// Inputs handled so far.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    pub fn fingerprint(&self) -> String {
        self.hash.clone().finalize().iter().take(12).map(|b| format!("{b:02x}")).collect()
    }
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Trace({} steps, {})", self.steps, self.fingerprint())
    }
}

fn describe(hash: &mut Sha256, input: &Input) {
    let bytes: &[u8] = match input {
        Input::Command(_, command) => {
            hash.update(format!("command {command:?}").as_bytes());
            &[]
        }
        Input::Gossip(messages) => {
            hash.update(b"gossip");
            for m in messages {
                hash.update(m.delivered_from.as_bytes());
                hash.update(Sha256::digest(&m.content));
            }
            &[]
        }
        Input::NeighborUp(p) => {
            hash.update(b"up");
            p.as_bytes()
        }
        Input::NeighborDown(p) => {
            hash.update(b"down");
            p.as_bytes()
        }
        Input::Lagged => b"lagged",
        Input::NetworkBack => b"network back",
        Input::Session { from, bytes, .. } => {
            hash.update(b"session");
            hash.update(from.as_bytes());
            bytes
        }
        Input::Delivered { to, outcome, .. } => {
            hash.update(b"delivered");
            hash.update(to.as_bytes());
            outcome_bytes(outcome)
        }
        Input::Directory { from, bytes, .. } => {
            hash.update(b"directory");
            hash.update(from.as_bytes());
            bytes
        }
        Input::DirectoryAnswer { from, outcome, .. } => {
            hash.update(b"answer");
            hash.update(from.as_bytes());
            outcome_bytes(outcome)
        }
        Input::Portfolio { from, .. } => {
            hash.update(b"portfolio");
            from.as_bytes()
        }
        Input::Timer(timer) => {
            hash.update(format!("timer {timer:?}").as_bytes());
            &[]
        }
    };
    hash.update(Sha256::digest(bytes));
}

fn outcome_bytes(outcome: &crate::node::core::Outcome) -> &[u8] {
    match outcome {
        crate::node::core::Outcome::Answered(bytes) => bytes,
        crate::node::core::Outcome::Failed(reason) => reason.as_bytes(),
    }
}
