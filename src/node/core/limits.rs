//! Rates and caps: how fast a peer may send, how much a stranger can make
//! this node store. Every limit here is checked before the work it guards.
//!
//! Rates are token buckets on the core's clock. Gossip is limited twice:
//! by author (after the signature says who that is) and, more loosely, by
//! the neighbour relaying it, so a flood from a third party costs that
//! third party, not the honest neighbour passing it on; session messages
//! and directory rounds are limited per peer on their own buckets. The
//! bucket maps are bounded: past [`MAX_TRACKED`] peers, newcomers share
//! one bucket until old ones are forgotten.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};

use crate::identity::PublicKey;

#[derive(Clone, Debug)]
pub struct Limits {
    /// Sustained messages per second from one author or peer, and the burst.
    pub messages_per_second: f64,
    pub burst: f64,
    /// The same for everything one gossip neighbour relays.
    pub relayed_per_second: f64,
    pub relayed_burst: f64,
    /// Directory rounds one peer may ask of this node.
    pub directory_per_second: f64,
    pub directory_burst: f64,
    /// Negotiations not yet closed that one peer may have with us.
    pub open_negotiations: usize,
    /// ... and one we never had an agreed session with.
    pub open_negotiations_per_stranger: usize,
    /// Open negotiations with strangers, all together.
    pub stranger_negotiations: usize,
    /// Negotiations never agreed with strangers kept, open or closed (the
    /// closed ones are forgotten a day later).
    pub stranger_negotiations_kept: usize,
    /// Chat messages kept per negotiation, and from a stranger before
    /// anything is agreed.
    pub chat_per_negotiation: usize,
    pub stranger_chat: usize,
    /// Live listings from one author kept in the directory.
    pub listings_per_author: usize,
    /// Listings from others kept at once in each place: the open directory,
    /// and each community joined (`storage.max_seen_listings`).
    pub max_seen_listings: usize,
    /// Withdrawals kept per author and in all.
    pub withdrawals_per_author: usize,
    pub max_withdrawals: usize,
    /// Others' profiles kept.
    pub max_profiles: usize,
    /// Messages waiting for one peer in the outbox.
    pub outbox_per_peer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            messages_per_second: 20.0,
            burst: 100.0,
            relayed_per_second: 400.0,
            relayed_burst: 2000.0,
            directory_per_second: 5.0,
            directory_burst: 40.0,
            open_negotiations: 20,
            open_negotiations_per_stranger: 3,
            stranger_negotiations: 100,
            stranger_negotiations_kept: 1000,
            chat_per_negotiation: 1000,
            stranger_chat: 20,
            listings_per_author: 50,
            max_seen_listings: 10_000,
            withdrawals_per_author: 100,
            max_withdrawals: 20_000,
            max_profiles: 20_000,
            outbox_per_peer: 1000,
        }
    }
}

/// Peers tracked per bucket map before newcomers share one bucket.
pub const MAX_TRACKED: usize = 20_000;
/// Buckets untouched this long are forgotten.
const FORGET_AFTER: SignedDuration = SignedDuration::from_mins(10);

/// Token buckets, one per peer, bounded in number.
#[derive(Debug)]
pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: HashMap<PublicKey, (f64, Timestamp)>,
    shared: (f64, Timestamp),
}

impl RateLimiter {
    pub fn new(per_second: f64, burst: f64) -> Self {
        Self { per_second, burst, buckets: HashMap::new(), shared: (burst, Timestamp::UNIX_EPOCH) }
    }

    /// Takes one token for `peer`; false when the peer is over its rate.
    pub fn allow(&mut self, peer: PublicKey, now: Timestamp) -> bool {
        let (per_second, burst) = (self.per_second, self.burst);
        let full = self.buckets.len() >= MAX_TRACKED && !self.buckets.contains_key(&peer);
        let bucket = if full { &mut self.shared } else { self.buckets.entry(peer).or_insert((burst, now)) };
        let elapsed = now.duration_since(bucket.1).as_secs_f64().max(0.0);
        bucket.0 = (bucket.0 + elapsed * per_second).min(burst);
        bucket.1 = bucket.1.max(now);
        if bucket.0 >= 1.0 {
            bucket.0 -= 1.0;
            true
        } else {
            false
        }
    }

    /// Forgets buckets idle long enough to be full again anyway.
    pub fn forget_idle(&mut self, now: Timestamp) {
        self.buckets.retain(|_, (_, seen)| now.duration_since(*seen) < FORGET_AFTER);
    }

    pub fn tracked(&self) -> usize {
        self.buckets.len()
    }
}

/// The core's rate limiters.
#[derive(Debug)]
pub struct Limiters {
    pub by_author: RateLimiter,
    pub by_neighbor: RateLimiter,
    pub session: RateLimiter,
    pub directory: RateLimiter,
}

impl Limiters {
    pub fn new(limits: &Limits) -> Self {
        Self {
            by_author: RateLimiter::new(limits.messages_per_second, limits.burst),
            by_neighbor: RateLimiter::new(limits.relayed_per_second, limits.relayed_burst),
            session: RateLimiter::new(limits.messages_per_second, limits.burst),
            directory: RateLimiter::new(limits.directory_per_second, limits.directory_burst),
        }
    }

    pub fn forget_idle(&mut self, now: Timestamp) {
        for limiter in [&mut self.by_author, &mut self.by_neighbor, &mut self.session, &mut self.directory] {
            limiter.forget_idle(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_millisecond(ms).unwrap()
    }

    #[test]
    fn bursts_then_throttles_then_refills() {
        let mut limiter = RateLimiter::new(10.0, 5.0);
        let peer = PublicKey::from([1; 32]);
        assert_eq!((0..10).filter(|_| limiter.allow(peer, at(0))).count(), 5);
        assert!(!limiter.allow(peer, at(0)));
        assert!(limiter.allow(peer, at(150)));
        let other = PublicKey::from([2; 32]);
        assert!(limiter.allow(other, at(150)), "one peer's flood does not throttle another");
    }

    #[test]
    fn the_map_stays_bounded_and_newcomers_share_a_bucket() {
        let mut limiter = RateLimiter::new(1.0, 2.0);
        for i in 0..(MAX_TRACKED as u32 + 500) {
            let mut key = [0u8; 32];
            key[..4].copy_from_slice(&i.to_be_bytes());
            limiter.allow(PublicKey::from(key), at(0));
        }
        assert_eq!(limiter.tracked(), MAX_TRACKED);
        // The shared bucket is spent: another newcomer waits.
        assert!(!limiter.allow(PublicKey::from([0xee; 32]), at(0)));
        limiter.forget_idle(at(11 * 60 * 1000));
        assert_eq!(limiter.tracked(), 0);
    }
}
