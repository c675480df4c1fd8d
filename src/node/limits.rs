//! Abuse limits, per peer: how fast it may send, how many negotiations it
//! may keep open with us, how many listings it may hold in our directory,
//! and whether it is blocked. Over a limit, the peer's message is dropped
//! with a logged reason; the node stays responsive for everyone else.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::identity::PublicKey;

#[derive(Clone, Debug)]
pub struct Limits {
    /// Sustained messages per second from one peer, and the burst allowed.
    pub messages_per_second: f64,
    pub burst: f64,
    /// Negotiations not yet closed that one peer may have with us.
    pub open_negotiations: usize,
    /// Live listings from one author kept in the directory.
    pub listings_per_author: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { messages_per_second: 20.0, burst: 100.0, open_negotiations: 20, listings_per_author: 50 }
    }
}

/// Token buckets, one per peer.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: HashMap<PublicKey, (f64, Instant)>,
}

/// Buckets untouched this long are forgotten, so the map stays small.
const FORGET_AFTER: Duration = Duration::from_secs(600);

impl RateLimiter {
    /// Takes one token for `peer`; false when the peer is over its rate.
    pub fn allow(&mut self, peer: PublicKey, limits: &Limits, now: Instant) -> bool {
        if self.buckets.len() > 10_000 {
            self.buckets.retain(|_, (_, seen)| now.duration_since(*seen) < FORGET_AFTER);
        }
        let (tokens, last) = self.buckets.entry(peer).or_insert((limits.burst, now));
        let refill = now.duration_since(*last).as_secs_f64() * limits.messages_per_second;
        *tokens = (*tokens + refill).min(limits.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_throttles_then_refills() {
        let limits = Limits { messages_per_second: 10.0, burst: 5.0, ..Limits::default() };
        let peer = PublicKey::from([1; 32]);
        let mut limiter = RateLimiter::default();
        let t0 = Instant::now();
        assert_eq!((0..10).filter(|_| limiter.allow(peer, &limits, t0)).count(), 5);
        assert!(!limiter.allow(peer, &limits, t0));
        assert!(limiter.allow(peer, &limits, t0 + Duration::from_millis(150)));
        let other = PublicKey::from([2; 32]);
        assert!(limiter.allow(other, &limits, t0), "one peer's flood does not throttle another");
    }
}
