//! Carrying out the outbox: one message in flight per peer, oldest first,
//! retried with backoff until the peer takes it or refuses it for good.
//! A peer that answers "later" is tried again later, like one that could
//! not be reached. Which peers have mail, and when each is due, is kept
//! here, so finding the due messages never scans the outbox.
//!
//! That a message was taken is written down a moment later, with others
//! ([`SETTLE_AFTER`]), so an ack costs no disk sync on the path of the
//! next message; a crash in between only means the message goes again,
//! and every message is idempotent.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::{Core, Outcome, Output, Timer};
use crate::identity::PublicKey;
use crate::market::NegotiationId;
use crate::net::Ack;
use crate::node::Event;
use crate::store::{OutboxKey, Slot, Store};

/// Retry delays double from one second up to this.
pub const MAX_BACKOFF: SignedDuration = SignedDuration::from_secs(60);
/// A peer that says "later" is not asked again sooner than this.
const LATER_AT_LEAST: SignedDuration = SignedDuration::from_secs(5);
/// How long what was delivered waits to be written down.
pub const SETTLE_AFTER: SignedDuration = SignedDuration::from_millis(200);

#[derive(Debug, Default)]
pub struct Delivery {
    mail: BTreeMap<PublicKey, Mail>,
    /// Delivered, not yet removed from the store.
    settled: Vec<OutboxKey>,
    /// Per peer, the last message delivered and not yet removed.
    delivered: BTreeMap<PublicKey, OutboxKey>,
    /// Acknowledged steps not yet written: the highest count per negotiation.
    acked: BTreeMap<NegotiationId, u32>,
}

#[derive(Debug, Default)]
struct Mail {
    /// `None`: due now.
    next_attempt: Option<Timestamp>,
    attempts: u32,
    in_flight: Option<(OutboxKey, Slot)>,
}

impl Delivery {
    /// Every peer with queued mail is due at start.
    pub fn load(&mut self, store: &Store) {
        match store.outbox_peers() {
            Ok(peers) => {
                for peer in peers {
                    self.add(peer);
                }
            }
            Err(e) => tracing::warn!("cannot read the outbox: {e}"),
        }
    }

    /// `peer` has (new) mail.
    pub fn add(&mut self, peer: PublicKey) {
        self.mail.entry(peer).or_default();
    }

    /// `peer` is reachable again: due now, backoff forgotten.
    pub fn hurry(&mut self, peer: &PublicKey, _now: Timestamp) {
        if let Some(mail) = self.mail.get_mut(peer) {
            mail.next_attempt = None;
            mail.attempts = 0;
        }
    }

    /// Every peer with mail is worth trying at once (the network is back).
    /// The count of attempts stays, so a peer still out of reach keeps
    /// backing off.
    pub fn hurry_all(&mut self) {
        for mail in self.mail.values_mut() {
            mail.next_attempt = None;
        }
    }

    /// Peers with mail, for tests and figures.
    pub fn peers(&self) -> usize {
        self.mail.len()
    }

    /// Peers with mail waiting.
    pub fn waiting_peers(&self) -> impl Iterator<Item = PublicKey> + '_ {
        self.mail.keys().copied()
    }

    /// Acknowledged steps of `id` not yet written down.
    pub fn acked(&self, id: &NegotiationId) -> u32 {
        self.acked.get(id).copied().unwrap_or(0)
    }
}

impl Core {
    pub(super) fn deliver_due(&mut self, now: Timestamp) {
        let mut next_wake: Option<Timestamp> = None;
        let mut gone = Vec::new();
        let due: Vec<PublicKey> = self
            .delivery
            .mail
            .iter()
            .filter(|(_, m)| m.in_flight.is_none())
            .filter_map(|(peer, m)| match m.next_attempt {
                Some(at) if at > now => {
                    next_wake = Some(next_wake.map_or(at, |w| w.min(at)));
                    None
                }
                _ => Some(*peer),
            })
            .collect();
        for peer in due {
            match self.store.outbox_first_after(&peer, self.delivery.delivered.get(&peer)) {
                Ok(Some((key, queued))) => {
                    if let Some(mail) = self.delivery.mail.get_mut(&peer) {
                        mail.in_flight = Some((key, queued.slot));
                    }
                    self.out.push(Output::Deliver { to: peer, key, message: queued.message });
                }
                Ok(None) => gone.push(peer),
                Err(e) => tracing::warn!("outbox: {e}"),
            }
        }
        for peer in gone {
            self.delivery.mail.remove(&peer);
        }
        if let Some(at) = next_wake {
            self.wake(at, Timer::Outbox);
        }
    }

    pub(super) fn delivered(&mut self, to: PublicKey, key: OutboxKey, outcome: Outcome, now: Timestamp) {
        let Some(mail) = self.delivery.mail.get_mut(&to) else { return };
        let Some((in_flight, slot)) = mail.in_flight else { return };
        if in_flight != key {
            return;
        }
        mail.in_flight = None;
        let ack = match outcome {
            Outcome::Answered(bytes) => postcard::from_bytes::<Ack>(&bytes).map_err(|e| format!("unreadable ack: {e}")),
            Outcome::Failed(reason) => Err(reason),
        };
        match ack {
            Ok(Ack::Taken) => {
                self.done_with(to, &key, now);
                if let Slot::Step(id, seq) = slot {
                    let acked = self.delivery.acked.entry(id).or_default();
                    *acked = (*acked).max(seq + 1);
                }
                self.emit(Event::Delivered(to));
            }
            Ok(Ack::Refused(reason)) => {
                let reason = super::refusals::printable(&reason);
                tracing::info!(peer = %to.fingerprint(), "peer refused a message: {reason}");
                self.done_with(to, &key, now);
                self.emit(Event::DeliveryRefused { to, reason });
            }
            Ok(Ack::Log(steps)) => {
                self.done_with(to, &key, now);
                match slot {
                    Slot::Resync(id) => self.take_resync(to, id, steps, now),
                    _ => self.refused(to, "a log answer to something that asked for none", now),
                }
            }
            Ok(Ack::Later(reason)) => {
                let reason = super::refusals::printable(&reason);
                tracing::debug!(peer = %to.fingerprint(), "peer asks to send again later: {reason}");
                self.back_off(to, now, LATER_AT_LEAST);
            }
            Err(reason) => {
                tracing::debug!(peer = %to.fingerprint(), "delivery failed, will retry: {reason}");
                self.back_off(to, now, SignedDuration::ZERO);
            }
        }
        self.deliver_due(now);
    }

    fn done_with(&mut self, to: PublicKey, key: &OutboxKey, now: Timestamp) {
        if self.delivery.settled.is_empty() {
            self.wake(now.saturating_add(SETTLE_AFTER).unwrap_or(now), Timer::Settle);
        }
        self.delivery.settled.push(*key);
        self.delivery.delivered.insert(to, *key);
        if let Some(mail) = self.delivery.mail.get_mut(&to) {
            mail.attempts = 0;
            mail.next_attempt = None;
        }
    }

    /// Writes down what was delivered, all in one transaction.
    pub(super) fn settle(&mut self, _now: Timestamp) {
        if self.delivery.settled.is_empty() && self.delivery.acked.is_empty() {
            return;
        }
        let acked: Vec<(NegotiationId, u32)> = self.delivery.acked.iter().map(|(id, n)| (*id, *n)).collect();
        match self.store.settle_deliveries(&self.delivery.settled, &acked) {
            Ok(()) => {
                self.delivery.settled.clear();
                self.delivery.delivered.clear();
                self.delivery.acked.clear();
            }
            Err(e) => tracing::warn!("outbox: {e}"),
        }
    }

    fn back_off(&mut self, to: PublicKey, now: Timestamp, at_least: SignedDuration) {
        let Some(mail) = self.delivery.mail.get_mut(&to) else { return };
        mail.attempts = mail.attempts.saturating_add(1);
        let delay = SignedDuration::from_secs(1i64 << mail.attempts.min(6)).min(MAX_BACKOFF).max(at_least);
        mail.next_attempt = Some(now.saturating_add(delay).unwrap_or(now));
    }
}
