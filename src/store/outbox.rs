//! The outbox: session messages waiting for a peer's ack, kept across
//! restarts and queued in the same transaction as the local change they
//! announce, so neither can happen without the other.
//!
//! Messages wait in order per peer (peer ‖ position), and each stands for
//! a [`Slot`]: a repeat for the same slot (the same co-signing part sent
//! again, say) replaces the queued message instead of adding one. When and
//! how often to try is the node core's business, not the store's.

use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::corrupt;
use super::tables::{META, OUTBOX_QUEUE, OUTBOX_SLOTS};
use super::{Store, StoreError};
use crate::identity::PublicKey;
use crate::market::{Id16, NegotiationId};

/// What a queued message stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Slot {
    /// Step `seq` of a negotiation.
    Step(NegotiationId, u32),
    Chat(Id16),
    Review(NegotiationId),
    Draft(NegotiationId),
    Final(NegotiationId),
    /// A request for a negotiation's missing steps.
    Resync(NegotiationId),
    /// A message kept from before slots existed.
    Legacy([u8; 16]),
    /// The learner's "no" to a draft.
    Declined(NegotiationId),
}

/// A message for `to`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    pub to: PublicKey,
    pub slot: Slot,
    /// An encoded session message.
    pub message: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    slot: Slot,
    message: Vec<u8>,
}

/// Identifies one queued message: the peer and its place in that peer's queue.
pub type OutboxKey = [u8; 40];

const NEXT_POSITION: &str = "outbox_next";

impl Queued {
    pub fn new(to: PublicKey, slot: Slot, message: Vec<u8>) -> Self {
        Self { to, slot, message }
    }
}

fn slot_key(to: &PublicKey, slot: &Slot) -> Result<[u8; 32], StoreError> {
    let encoded = postcard::to_stdvec(slot).map_err(|e| corrupt("outbox slot", e))?;
    let mut hasher = Sha256::new();
    hasher.update(to.as_bytes());
    hasher.update(&encoded);
    Ok(hasher.finalize().into())
}

fn peer_range(to: &PublicKey) -> ([u8; 40], [u8; 40]) {
    let (mut first, mut last) = ([0u8; 40], [0xffu8; 40]);
    first[..32].copy_from_slice(to.as_bytes());
    last[..32].copy_from_slice(to.as_bytes());
    (first, last)
}

fn decode(key: &[u8; 40], value: &[u8]) -> Result<Queued, StoreError> {
    let stored: Stored = postcard::from_bytes(value).map_err(|e| corrupt("outbox", e))?;
    let mut to = [0u8; 32];
    to.copy_from_slice(&key[..32]);
    Ok(Queued { to: PublicKey::from(to), slot: stored.slot, message: stored.message })
}

/// Queues `entry` within `tx`, replacing a queued message for the same
/// peer and slot: the old one is dropped and the new one goes last (so a
/// repeat is sent again even when the old one was delivered already).
pub(super) fn queue_in(tx: &WriteTransaction, entry: &Queued) -> Result<OutboxKey, StoreError> {
    let slot = slot_key(&entry.to, &entry.slot)?;
    let mut slots = tx.open_table(OUTBOX_SLOTS)?;
    if let Some(old) = slots.get(&slot)?.map(|v| *v.value()) {
        tx.open_table(OUTBOX_QUEUE)?.remove(&old)?;
    }
    let mut meta = tx.open_table(META)?;
    let position = meta.get(NEXT_POSITION)?.map_or(0, |v| v.value());
    meta.insert(NEXT_POSITION, position + 1)?;
    let mut key = [0u8; 40];
    key[..32].copy_from_slice(entry.to.as_bytes());
    key[32..].copy_from_slice(&position.to_be_bytes());
    let bytes = postcard::to_stdvec(&Stored { slot: entry.slot, message: entry.message.clone() })
        .map_err(|e| corrupt("outbox", e))?;
    tx.open_table(OUTBOX_QUEUE)?.insert(&key, bytes.as_slice())?;
    slots.insert(&slot, &key)?;
    Ok(key)
}

/// Drops the message queued for `to` in `slot`, if any, within `tx`.
pub(super) fn unqueue_in(tx: &WriteTransaction, to: &PublicKey, slot: &Slot) -> Result<bool, StoreError> {
    let slot = slot_key(to, slot)?;
    let Some(key) = tx.open_table(OUTBOX_SLOTS)?.remove(&slot)?.map(|v| *v.value()) else { return Ok(false) };
    tx.open_table(OUTBOX_QUEUE)?.remove(&key)?;
    Ok(true)
}

/// Drops every message queued for `to` about negotiation `id` (its steps,
/// co-signing parts, resync requests), within `tx`.
pub(super) fn unqueue_negotiation_in(
    tx: &WriteTransaction,
    to: &PublicKey,
    id: &NegotiationId,
) -> Result<(), StoreError> {
    let about = |slot: &Slot| match slot {
        Slot::Step(n, _) | Slot::Review(n) | Slot::Draft(n) | Slot::Final(n) | Slot::Resync(n) | Slot::Declined(n) => {
            n == id
        }
        Slot::Chat(_) | Slot::Legacy(_) => false,
    };
    let (first, last) = peer_range(to);
    let mut doomed = Vec::new();
    for row in tx.open_table(OUTBOX_QUEUE)?.range::<&[u8; 40]>(&first..=&last)? {
        let (key, value) = row?;
        if decode(key.value(), value.value()).is_ok_and(|q| about(&q.slot)) {
            doomed.push(*key.value());
        }
    }
    for key in doomed {
        remove_in(tx, &key)?;
    }
    Ok(())
}

impl Store {
    pub fn queue(&self, entry: &Queued) -> Result<OutboxKey, StoreError> {
        let tx = self.db.write()?;
        let key = queue_in(&tx, entry)?;
        tx.commit()?;
        Ok(key)
    }

    /// Everything queued, per peer and in order.
    pub fn outbox(&self) -> Result<Vec<(OutboxKey, Queued)>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(OUTBOX_QUEUE)?;
        table
            .iter()?
            .map(|row| {
                let (key, value) = row?;
                Ok((*key.value(), decode(key.value(), value.value())?))
            })
            .collect()
    }

    /// The oldest message waiting for `to`.
    pub fn outbox_first(&self, to: &PublicKey) -> Result<Option<(OutboxKey, Queued)>, StoreError> {
        self.outbox_first_after(to, None)
    }

    /// The oldest message waiting for `to` queued after `after` (a message
    /// already delivered whose removal is not yet written).
    pub fn outbox_first_after(
        &self,
        to: &PublicKey,
        after: Option<&OutboxKey>,
    ) -> Result<Option<(OutboxKey, Queued)>, StoreError> {
        use std::ops::Bound;
        let tx = self.db.read()?;
        let table = tx.open_table(OUTBOX_QUEUE)?;
        let (first, last) = peer_range(to);
        let from = after.map_or(Bound::Included(&first), Bound::Excluded);
        let mut range = table.range::<&[u8; 40]>((from, Bound::Included(&last)))?;
        match range.next() {
            Some(row) => {
                let (key, value) = row?;
                Ok(Some((*key.value(), decode(key.value(), value.value())?)))
            }
            None => Ok(None),
        }
    }

    /// Writes down, in one transaction, messages the peers took (or
    /// refused for good) and negotiation steps they acknowledged.
    pub fn settle_deliveries(
        &self,
        done: &[OutboxKey],
        acknowledged: &[(NegotiationId, u32)],
    ) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        for key in done {
            remove_in(&tx, key)?;
        }
        for (id, upto) in acknowledged {
            super::negotiations::acknowledge_in(&tx, id, *upto)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Whether a message for `to` in `slot` still waits to be delivered.
    pub fn is_queued(&self, to: &PublicKey, slot: &Slot) -> Result<bool, StoreError> {
        let key = slot_key(to, slot)?;
        let tx = self.db.read()?;
        Ok(tx.open_table(OUTBOX_SLOTS)?.get(&key)?.is_some())
    }

    /// How many messages wait for `to`.
    pub fn outbox_len_for(&self, to: &PublicKey) -> Result<usize, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(OUTBOX_QUEUE)?;
        let (first, last) = peer_range(to);
        Ok(table.range::<&[u8; 40]>(&first..=&last)?.count())
    }

    /// How many messages wait in all.
    pub fn outbox_len(&self) -> Result<u64, StoreError> {
        let tx = self.db.read()?;
        Ok(tx.open_table(OUTBOX_QUEUE)?.len()?)
    }

    /// Every peer with something waiting, each once: one seek per peer,
    /// not a scan of every message.
    pub fn outbox_peers(&self) -> Result<Vec<PublicKey>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(OUTBOX_QUEUE)?;
        let mut peers = Vec::new();
        let mut from = [0u8; 40];
        loop {
            let next = table.range::<&[u8; 40]>(&from..)?.next().transpose()?.map(|(k, _)| *k.value());
            let Some(key) = next else { break };
            let mut peer = [0u8; 32];
            peer.copy_from_slice(&key[..32]);
            peers.push(PublicKey::from(peer));
            from = peer_range(&PublicKey::from(peer)).1;
            // Step past this peer's last possible key.
            let Some(after) = increment(&from) else { break };
            from = after;
        }
        Ok(peers)
    }

    /// The peer took (or refused for good) this message.
    pub fn outbox_done(&self, key: &OutboxKey) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        remove_in(&tx, key)?;
        tx.commit()?;
        Ok(())
    }
}

fn remove_in(tx: &WriteTransaction, key: &OutboxKey) -> Result<(), StoreError> {
    let removed = tx.open_table(OUTBOX_QUEUE)?.remove(key)?.map(|v| v.value().to_vec());
    if let Some(bytes) = removed {
        let queued = decode(key, &bytes)?;
        let slot = slot_key(&queued.to, &queued.slot)?;
        let mut slots = tx.open_table(OUTBOX_SLOTS)?;
        if slots.get(&slot)?.is_some_and(|v| v.value() == key) {
            slots.remove(&slot)?;
        }
    }
    Ok(())
}

/// The next 40-byte key after `key`, if there is one.
fn increment(key: &[u8; 40]) -> Option<[u8; 40]> {
    let mut next = *key;
    for byte in next.iter_mut().rev() {
        if *byte == 0xff {
            *byte = 0;
        } else {
            *byte += 1;
            return Some(next);
        }
    }
    None
}
