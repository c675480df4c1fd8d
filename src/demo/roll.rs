//! Deterministic dice: a persona's choices derive from a hash of who it is
//! and what it answers, so a run can be replayed and tests can rely on it.

use std::time::Duration;

use sha2::{Digest, Sha256};

/// A number from 0 to `u64::MAX`, fixed by `parts`.
pub fn roll(parts: &[&[u8]]) -> u64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    let hash = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    u64::from_le_bytes(first)
}

/// True with probability `p` (0 to 1) for this roll.
pub fn chance(p: f64, roll: u64) -> bool {
    p >= 1.0 || (roll as f64 / u64::MAX as f64) < p
}

/// A delay between `secs[0]` and `secs[1]` seconds, times `pace`.
pub fn delay(secs: [u32; 2], pace: f64, roll: u64) -> Duration {
    let [low, high] = [secs[0].min(secs[1]), secs[0].max(secs[1])];
    let span_ms = u64::from(high - low) * 1000;
    let ms = u64::from(low) * 1000 + if span_ms == 0 { 0 } else { roll % (span_ms + 1) };
    Duration::from_millis((ms as f64 * pace.clamp(0.0, 100.0)) as u64)
}

/// Picks an index by weight; `None` when all weights are zero.
pub fn weighted(weights: &[u32], roll: u64) -> Option<usize> {
    let total: u64 = weights.iter().map(|w| u64::from(*w)).sum();
    if total == 0 {
        return None;
    }
    let mut point = roll % total;
    for (i, w) in weights.iter().enumerate() {
        if point < u64::from(*w) {
            return Some(i);
        }
        point -= u64::from(*w);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rolls_are_stable_and_bounded() {
        assert_eq!(roll(&[b"a", b"bc"]), roll(&[b"a", b"bc"]));
        assert_ne!(roll(&[b"a", b"bc"]), roll(&[b"ab", b"c"]));
        for r in [0, 1, u64::MAX / 2, u64::MAX] {
            let d = delay([3, 8], 1.0, r);
            assert!(d >= Duration::from_secs(3) && d <= Duration::from_secs(8));
            assert_eq!(weighted(&[0, 2, 0], r), Some(1));
        }
        assert_eq!(weighted(&[0, 0], 7), None);
        assert_eq!(delay([3, 8], 0.0, 5), Duration::ZERO);
        assert!(chance(1.0, u64::MAX - 1) && !chance(0.0, 0));
    }
}
