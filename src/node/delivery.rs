//! Carrying out the outbox: one message in flight per peer, oldest first,
//! retried with backoff until the peer acks it. Survives restarts because
//! the outbox lives in the store.

use iroh::EndpointId;

use super::actor::{Actor, Internal, key};
use super::{Event, session};
use crate::net::Ack;
use crate::store::OutboxKey;

impl Actor {
    pub(super) fn deliver_due(&mut self) {
        let now = self.config.clock.now();
        let Ok(queued) = self.store.outbox() else { return };
        let mut seen = std::collections::HashSet::new();
        for (key, entry) in queued {
            let peer = match EndpointId::from_bytes(entry.to.as_bytes()) {
                Ok(peer) => peer,
                Err(_) => {
                    let _ = self.store.outbox_done(&key);
                    continue;
                }
            };
            // Only the oldest message per peer may go, so steps arrive in order.
            if !seen.insert(peer) || self.delivering.contains(&peer) || entry.next_attempt > now {
                continue;
            }
            self.delivering.insert(peer);
            let endpoint = self.endpoint.clone();
            let back = self.internal_tx.clone();
            tokio::spawn(async move {
                let result = session::deliver(&endpoint, peer, &entry.message).await;
                let _ = back.send(Internal::Delivered { key, to: peer, result }).await;
            });
        }
    }

    pub(super) fn delivered(&mut self, outbox_key: OutboxKey, to: EndpointId, result: anyhow::Result<Ack>) {
        self.delivering.remove(&to);
        let outcome = match result {
            Ok(Ack::Taken) => {
                self.emit(Event::Delivered(key(to)));
                self.store.outbox_done(&outbox_key)
            }
            Ok(Ack::Refused(reason)) => {
                tracing::info!(peer = %to, "peer refused a message: {reason}");
                self.emit(Event::DeliveryRefused { to: key(to), reason });
                self.store.outbox_done(&outbox_key)
            }
            Err(e) => {
                tracing::debug!(peer = %to, "delivery failed, will retry: {e:#}");
                self.store.outbox_retry_later(&outbox_key, self.config.clock.now())
            }
        };
        if let Err(e) = outcome {
            tracing::warn!("outbox: {e}");
        }
        self.deliver_due();
    }
}
