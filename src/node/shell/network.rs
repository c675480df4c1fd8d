//! Tells the core when the way out may be back: a relay answers again
//! after being unreachable, or this node's own addresses change (a network
//! came up, a laptop woke from sleep and got a new address). iroh
//! reconnects its relay and re-probes paths by itself; this makes agora
//! act on it at once (mail tried again, known peers asked to be gossip
//! neighbours) instead of at the next heal round.

use std::collections::BTreeSet;
use std::net::SocketAddr;

use iroh::{Endpoint, Watcher as _};
use tokio::sync::{mpsc, watch};

use super::ToShell;
use crate::node::relays::RelayStatus;

/// Follows the relay status and the endpoint's direct addresses until
/// either ends or the shell is gone.
pub(in crate::node) fn watch(
    endpoint: &Endpoint,
    mut relays: watch::Receiver<RelayStatus>,
    inbox: mpsc::Sender<ToShell>,
) -> tokio::task::JoinHandle<()> {
    let mut addrs = endpoint.watch_addr();
    tokio::spawn(async move {
        let mut online = is_online(&relays.borrow());
        let mut direct = direct_addrs(&addrs.get());
        // With relays off the status never changes: only addresses are watched.
        let mut relays_open = true;
        loop {
            let back = tokio::select! {
                changed = relays.changed(), if relays_open => {
                    if changed.is_err() {
                        relays_open = false;
                        continue;
                    }
                    let now_online = is_online(&relays.borrow());
                    let back = now_online && !online;
                    online = now_online;
                    back
                }
                changed = addrs.updated() => {
                    let Ok(addr) = changed else { break };
                    let now = direct_addrs(&addr);
                    let back = !now.is_empty() && now != direct;
                    direct = now;
                    back
                }
            };
            if back {
                tracing::debug!("the network may be back; trying peers again");
                if inbox.send(ToShell::NetworkBack).await.is_err() {
                    break;
                }
            }
        }
    })
}

fn is_online(status: &RelayStatus) -> bool {
    matches!(status, RelayStatus::Online(_))
}

fn direct_addrs(addr: &iroh::EndpointAddr) -> BTreeSet<SocketAddr> {
    addr.ip_addrs().copied().collect()
}
