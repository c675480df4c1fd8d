//! The demo runs behind real time. Skipping ahead moves its clock
//! forward, and a record signed at a skipped-to moment must not be dated
//! in the real future, or `agora verify` and wallets refuse it ("the
//! current date time is before validFrom"). So the demo starts [`LAG`]
//! behind today, every skip uses up some of that, and no skip goes past
//! today. How far behind it runs is kept in the demo's folder, so a demo
//! started again carries on from where its clock was, never earlier.

use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};

use crate::node::Clock;

/// How far behind today a new demo starts.
pub const LAG: SignedDuration = SignedDuration::from_hours(24 * 30);

fn file(dir: &Path) -> PathBuf {
    dir.join("clock_behind_ms")
}

/// Sets `clock` to run behind real time by the lag kept in `dir` (or
/// [`LAG`] for a new demo), whatever offset it had.
pub fn apply(dir: &Path, clock: &Clock) {
    let behind = std::fs::read_to_string(file(dir))
        .ok()
        .and_then(|text| text.trim().parse::<i64>().ok())
        .map(SignedDuration::from_millis)
        .filter(|lag| !lag.is_negative() && *lag <= LAG)
        .unwrap_or(LAG);
    let wanted = Timestamp::now().saturating_sub(behind).unwrap_or_else(|_| Timestamp::now());
    clock.advance(wanted.duration_since(clock.now()));
}

/// Writes down how far behind real time `clock` runs now.
pub fn keep(dir: &Path, clock: &Clock) {
    let behind = Timestamp::now().duration_since(clock.now()).max(SignedDuration::ZERO);
    if let Err(e) = crate::files::replace(&file(dir), behind.as_millis().to_string().as_bytes()) {
        tracing::warn!("keeping the demo's clock: {e}");
    }
}

/// Whether the demo's clock may be moved to `at`: never past today.
pub fn may_skip_to(at: Timestamp) -> bool {
    at <= Timestamp::now()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn behind(clock: &Clock) -> SignedDuration {
        Timestamp::now().duration_since(clock.now())
    }

    #[test]
    fn a_new_demo_runs_a_month_behind_and_a_restart_carries_on_where_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let clock = Clock::default();
        apply(dir.path(), &clock);
        assert!((behind(&clock) - LAG).abs() < SignedDuration::from_secs(5), "{:?}", behind(&clock));
        // Applied again (the same clock handed to a second start): no double lag.
        apply(dir.path(), &clock);
        assert!((behind(&clock) - LAG).abs() < SignedDuration::from_secs(5));
        // A skip of 3 days is kept; a new clock starts where it was.
        clock.advance(SignedDuration::from_hours(72));
        keep(dir.path(), &clock);
        let again = Clock::default();
        apply(dir.path(), &again);
        let expected = LAG - SignedDuration::from_hours(72);
        assert!((behind(&again) - expected).abs() < SignedDuration::from_secs(5), "{:?}", behind(&again));
        // A damaged or hostile file falls back to a new demo's lag.
        std::fs::write(dir.path().join("clock_behind_ms"), "-99999999999").unwrap();
        apply(dir.path(), &again);
        assert!((behind(&again) - LAG).abs() < SignedDuration::from_secs(5));
    }

    #[test]
    fn no_skip_goes_past_today() {
        let now = Timestamp::now();
        assert!(may_skip_to(now.saturating_sub(SignedDuration::from_hours(1)).unwrap()));
        assert!(!may_skip_to(now.saturating_add(SignedDuration::from_mins(5)).unwrap()));
    }
}
