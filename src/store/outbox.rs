//! The outbox: session messages waiting for the peer's ack, retried with
//! backoff and kept across restarts. Queued in the same transaction as the
//! local change they announce, so neither can happen without the other.

use jiff::{SignedDuration, Timestamp};
use redb::{ReadableTable, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::corrupt;
use super::tables::OUTBOX;
use super::{Store, StoreError};
use crate::identity::PublicKey;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queued {
    pub to: PublicKey,
    /// An encoded session message.
    pub message: Vec<u8>,
    pub attempts: u32,
    #[serde(with = "crate::market::time_ms")]
    pub next_attempt: Timestamp,
}

/// Identifies one queued message.
pub type OutboxKey = [u8; 24];

/// Retry delays double from one second up to this.
pub const MAX_BACKOFF: SignedDuration = SignedDuration::from_secs(60);

impl Queued {
    pub fn new(to: PublicKey, message: Vec<u8>, now: Timestamp) -> Self {
        Self { to, message, attempts: 0, next_attempt: now }
    }
}

pub(super) fn queue_in(tx: &WriteTransaction, entry: &Queued, now: Timestamp) -> Result<(), StoreError> {
    let mut key = [0u8; 24];
    key[..8].copy_from_slice(&now.as_millisecond().to_be_bytes());
    key[8..].copy_from_slice(&Sha256::digest(&entry.message)[..16]);
    let bytes = postcard::to_stdvec(entry).map_err(|e| corrupt("outbox", e))?;
    tx.open_table(OUTBOX)?.insert(&key, bytes.as_slice())?;
    Ok(())
}

impl Store {
    pub fn queue(&self, entry: &Queued, now: Timestamp) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        queue_in(&tx, entry, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Everything queued, oldest first.
    pub fn outbox(&self) -> Result<Vec<(OutboxKey, Queued)>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(OUTBOX)?;
        table
            .iter()?
            .map(|row| {
                let (key, value) = row?;
                let entry = postcard::from_bytes(value.value()).map_err(|e| corrupt("outbox", e))?;
                Ok((*key.value(), entry))
            })
            .collect()
    }

    /// The peer took (or refused for good) this message.
    pub fn outbox_done(&self, key: &OutboxKey) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        tx.open_table(OUTBOX)?.remove(key)?;
        tx.commit()?;
        Ok(())
    }

    /// Delivery failed: try again later, waiting twice as long as before.
    pub fn outbox_retry_later(&self, key: &OutboxKey, now: Timestamp) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        {
            let mut table = tx.open_table(OUTBOX)?;
            let Some(mut entry) = table
                .get(key)?
                .map(|v| postcard::from_bytes::<Queued>(v.value()))
                .transpose()
                .map_err(|e| corrupt("outbox", e))?
            else {
                return Ok(());
            };
            entry.attempts = entry.attempts.saturating_add(1);
            let backoff = SignedDuration::from_secs(1i64 << entry.attempts.min(6)).min(MAX_BACKOFF);
            entry.next_attempt = now.saturating_add(backoff).unwrap_or(now);
            let bytes = postcard::to_stdvec(&entry).map_err(|e| corrupt("outbox", e))?;
            table.insert(key, bytes.as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The peer is reachable again (a fresh address): everything queued for
    /// it becomes due now instead of waiting out its backoff. Returns how
    /// many messages that concerned.
    pub fn outbox_due_now(&self, to: &PublicKey, now: Timestamp) -> Result<usize, StoreError> {
        let tx = self.db.write()?;
        let mut hurried = 0;
        {
            let mut table = tx.open_table(OUTBOX)?;
            let mut due = Vec::new();
            for row in table.iter()? {
                let (key, value) = row?;
                let entry: Queued = postcard::from_bytes(value.value()).map_err(|e| corrupt("outbox", e))?;
                if entry.to == *to && entry.next_attempt > now {
                    due.push((*key.value(), Queued { next_attempt: now, ..entry }));
                }
            }
            for (key, entry) in due {
                let bytes = postcard::to_stdvec(&entry).map_err(|e| corrupt("outbox", e))?;
                table.insert(&key, bytes.as_slice())?;
                hurried += 1;
            }
        }
        tx.commit()?;
        Ok(hurried)
    }
}
