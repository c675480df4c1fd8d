//! What was refused, and how the log hears of it. Each refusal is logged
//! at debug level; at info level a summary goes out at most once a minute
//! (how many, from how many peers, the commonest reason), so a flood of
//! bad messages cannot grow the log by a line each.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::{Core, Timer};
use crate::identity::PublicKey;
use crate::node::Event;

const SUMMARY_EVERY: SignedDuration = SignedDuration::from_mins(1);
/// Distinct peers and reasons counted per summary; the rest are lumped.
const MAX_COUNTED: usize = 1000;
/// Refusal events passed to the client per summary period.
const MAX_EVENTS: usize = 100;

#[derive(Debug, Default)]
pub struct Refusals {
    total: u64,
    by_peer: BTreeMap<PublicKey, u64>,
    by_reason: BTreeMap<String, u64>,
    events: usize,
    pending: bool,
}

impl Core {
    /// Notes that something `from` sent was refused for `reason`.
    pub(super) fn refused(&mut self, from: PublicKey, reason: &str, now: Timestamp) {
        tracing::debug!(peer = %from.fingerprint(), "refused: {}", printable(reason));
        let r = &mut self.refusals;
        r.total += 1;
        if r.by_peer.len() < MAX_COUNTED || r.by_peer.contains_key(&from) {
            *r.by_peer.entry(from).or_default() += 1;
        }
        let kind = reason_kind(reason);
        if r.by_reason.len() < MAX_COUNTED || r.by_reason.contains_key(kind) {
            *r.by_reason.entry(kind.to_owned()).or_default() += 1;
        }
        let tell = r.events < MAX_EVENTS;
        r.events += usize::from(tell);
        let first = !r.pending;
        r.pending = true;
        if tell {
            self.emit(Event::Rejected { from, reason: printable(reason) });
        }
        if first {
            self.wake(now.saturating_add(SUMMARY_EVERY).unwrap_or(now), Timer::Refusals);
        }
    }

    pub(super) fn log_refusals(&mut self, _now: Timestamp) {
        let r = std::mem::take(&mut self.refusals);
        if r.total == 0 {
            return;
        }
        let common = r.by_reason.iter().max_by_key(|(_, n)| **n).map(|(k, n)| format!("{k} ({n})")).unwrap_or_default();
        tracing::info!(
            refused = r.total,
            peers = r.by_peer.len(),
            "refused {} message(s) from {} peer(s) in the last minute; most often: {common}",
            r.total,
            r.by_peer.len()
        );
    }
}

/// The stable part of a reason (up to a colon or a digit), so that
/// reasons differing only in a number count as one.
fn reason_kind(reason: &str) -> &str {
    let end = reason.find([':', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']).unwrap_or(reason.len());
    let kind = reason[..end].trim();
    if kind.is_empty() { "other" } else { kind }
}

/// Longest reason passed on, in characters.
const MAX_REASON_CHARS: usize = 300;

/// A reason as it may be shown: peers write some of these words, so
/// control and invisible formatting characters (which could repaint a
/// terminal or reorder what is shown) are escaped ([`crate::text`]), and
/// the length is bounded.
pub(crate) fn printable(reason: &str) -> String {
    let cut: String = reason.chars().take(MAX_REASON_CHARS).collect();
    let mut out = crate::text::escape(&cut).into_owned();
    if reason.chars().count() > MAX_REASON_CHARS {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn reasons_lose_escapes_and_length() {
        let shown = super::printable("bad \x1b]0;pwned\x07 \u{202e}gnp.exe \u{9b}2J");
        assert!(!shown.chars().any(crate::text::needs_escape), "{shown:?}");
        assert_eq!(super::printable(&"x".repeat(1000)).chars().count(), 301);
    }
}
