//! Whether this node reaches its relays, the internet path to peers behind
//! NATs. Start-up never waits for them: LAN and loopback peers work at
//! once, and after a grace period without any relay the node reports
//! itself "offline from relays" rather than hanging.

use std::time::Duration;

use iroh::{Endpoint, Watcher as _};
use tokio::sync::{broadcast, watch};

use super::Event;

/// How long to try before calling the relays unreachable.
pub const GRACE: Duration = Duration::from_secs(5);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelayStatus {
    /// Relays are switched off in the config (LAN and direct addresses only).
    Off,
    /// Trying to reach a relay.
    Connecting,
    /// Connected to this home relay.
    Online(String),
    /// No relay reachable: only LAN and direct addresses work.
    Offline(String),
}

impl std::fmt::Display for RelayStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RelayStatus::Off => f.write_str("relays off (LAN and direct addresses only)"),
            RelayStatus::Connecting => f.write_str("connecting to a relay"),
            RelayStatus::Online(url) => write!(f, "online through {url}"),
            RelayStatus::Offline(reason) => write!(f, "offline from relays ({reason})"),
        }
    }
}

/// Follows the endpoint's home relay and reports each change as an
/// [`Event::Relays`]; the task ends with the endpoint.
pub(super) fn follow(
    endpoint: &Endpoint,
    relays_on: bool,
    events: broadcast::Sender<Event>,
) -> (watch::Receiver<RelayStatus>, Option<tokio::task::JoinHandle<()>>) {
    if !relays_on {
        return (watch::channel(RelayStatus::Off).1, None);
    }
    let (status, receiver) = watch::channel(RelayStatus::Connecting);
    let mut relays = endpoint.home_relay_status();
    let task = tokio::spawn(async move {
        let grace = tokio::time::sleep(GRACE);
        tokio::pin!(grace);
        let mut grace_over = false;
        loop {
            let next = classify(&relays.get(), grace_over);
            if !status.borrow().same_state(&next) {
                tracing::info!("relays: {next}");
                status.send_replace(next.clone());
                let _ = events.send(Event::Relays(next));
            }
            tokio::select! {
                changed = relays.updated() => if changed.is_err() { break },
                _ = &mut grace, if !grace_over => grace_over = true,
            }
        }
    });
    (receiver, Some(task))
}

impl RelayStatus {
    /// Whether `other` is the same state as far as a person cares: the
    /// reason a relay is unreachable may change with every retry, and
    /// "offline" is said once, not once per retry.
    pub fn same_state(&self, other: &RelayStatus) -> bool {
        match (self, other) {
            (RelayStatus::Offline(_), RelayStatus::Offline(_)) => true,
            _ => self == other,
        }
    }
}

fn classify(relays: &[iroh::endpoint::RelayStatus], grace_over: bool) -> RelayStatus {
    if let Some(online) = relays.iter().find(|r| r.is_connected()) {
        return RelayStatus::Online(online.url().to_string());
    }
    if !grace_over {
        return RelayStatus::Connecting;
    }
    let reason = relays.iter().find_map(|r| r.last_error().map(|e| e.to_string()));
    RelayStatus::Offline(reason.unwrap_or_else(|| "no relay reachable".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offline_is_one_state_whatever_the_reason_of_each_retry() {
        let refused = RelayStatus::Offline("connection refused".into());
        let timed_out = RelayStatus::Offline("timed out".into());
        assert!(refused.same_state(&timed_out));
        assert!(!refused.same_state(&RelayStatus::Connecting));
        let a = RelayStatus::Online("https://a.example/".into());
        assert!(!a.same_state(&RelayStatus::Online("https://b.example/".into())));
        assert!(a.same_state(&a.clone()));
    }
}
