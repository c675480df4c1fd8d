//! What gossip alone achieves: for each frame a core broadcast, when it
//! was sent and when each other peer's gossip layer handed it up. A raw
//! baseline for figures (how fast the protocol spreads a frame) next to
//! what the cores make of it (verified and stored). Off unless asked for.

use std::collections::BTreeMap;
use std::time::Duration;

use sha2::{Digest, Sha256};

/// One broadcast frame's spread.
#[derive(Clone, Debug)]
pub struct Spread {
    /// The peer that broadcast it.
    pub origin: usize,
    pub sent_at: Duration,
    /// Peers whose gossip layer delivered it, and the last such moment.
    pub reached: usize,
    pub last_at: Duration,
}

#[derive(Default)]
pub(super) struct Broadcasts(BTreeMap<[u8; 32], Spread>);

impl Broadcasts {
    pub(super) fn sent(&mut self, origin: usize, frame: &[u8], at: Duration) {
        let spread = Spread { origin, sent_at: at, reached: 0, last_at: at };
        self.0.entry(Sha256::digest(frame).into()).or_insert(spread);
    }

    pub(super) fn delivered(&mut self, frame: &[u8], at: Duration) {
        if let Some(spread) = self.0.get_mut(&<[u8; 32]>::from(Sha256::digest(frame))) {
            spread.reached += 1;
            spread.last_at = spread.last_at.max(at);
        }
    }

    pub(super) fn spreads(&self) -> impl Iterator<Item = &Spread> {
        self.0.values()
    }
}
