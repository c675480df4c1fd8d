//! The index of every envelope peers reconcile: listings (own and seen),
//! withdrawals and profiles, ordered by signed time and content hash, as
//! range-based set reconciliation wants them, and found again by hash when
//! a peer asks for one. Every write that adds or drops such an envelope
//! updates this index in the same transaction.
//!
//! There is one set per scope: the open directory (profiles, withdrawals,
//! listings placed in no community) and one per community (the listings
//! placed in it and its hide notes), so two peers reconcile each set on
//! its own and a peer holds only the sets of the communities it joined.

use redb::{ReadableTable, WriteTransaction};
use sha2::{Digest, Sha256};

use super::StoreError;
use super::tables::{COMMUNITY_HASHES, COMMUNITY_ITEMS, DIRECTORY_HASHES, DIRECTORY_ITEMS};
use crate::community::CommunityId;

/// What kind of envelope an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum ItemKind {
    Listing = 1,
    Withdrawal = 2,
    Profile = 3,
    /// A maintainer's hide note (in its community's set only).
    Note = 4,
}

/// An item's place in reconciliation order: signed time in milliseconds
/// (negative times count as 0) and the SHA-256 of the envelope.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Item {
    pub time_ms: u64,
    pub hash: [u8; 32],
}

impl Item {
    pub fn of(envelope: &[u8], signed_ms: i64) -> Self {
        Self { time_ms: signed_ms.max(0) as u64, hash: Sha256::digest(envelope).into() }
    }

    pub(super) fn key(&self) -> [u8; 40] {
        let mut key = [0u8; 40];
        key[..8].copy_from_slice(&self.time_ms.to_be_bytes());
        key[8..].copy_from_slice(&self.hash);
        key
    }

    pub(super) fn from_key(key: &[u8; 40]) -> Self {
        let mut time = [0u8; 8];
        time.copy_from_slice(&key[..8]);
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&key[8..]);
        Self { time_ms: u64::from_be_bytes(time), hash }
    }
}

/// Adds the envelope `bytes` (signed at `signed_ms`, stored under `key`)
/// to the index of `scope` (the open directory when none).
pub(super) fn add(
    tx: &WriteTransaction,
    kind: ItemKind,
    key: &[u8; 48],
    bytes: &[u8],
    signed_ms: i64,
    scope: Option<&CommunityId>,
) -> Result<(), StoreError> {
    let item = Item::of(bytes, signed_ms);
    let mut value = [0u8; 49];
    value[0] = kind as u8;
    value[1..].copy_from_slice(key);
    match scope {
        None => {
            tx.open_table(DIRECTORY_ITEMS)?.insert(&item.key(), &value)?;
            tx.open_table(DIRECTORY_HASHES)?.insert(&item.hash, &item.key())?;
        }
        Some(community) => {
            let scoped = scoped_key(community, &item);
            tx.open_table(COMMUNITY_ITEMS)?.insert(&scoped, &value)?;
            tx.open_table(COMMUNITY_HASHES)?.insert(&item.hash, &scoped)?;
        }
    }
    Ok(())
}

/// A community set's key: community id ‖ the item's key.
fn scoped_key(community: &CommunityId, item: &Item) -> [u8; 72] {
    let mut key = [0u8; 72];
    key[..32].copy_from_slice(&community.0);
    key[32..].copy_from_slice(&item.key());
    key
}

/// Drops the envelope `bytes` from the index, whichever set holds it
/// (found by its hash, so even a damaged envelope leaves it).
pub(super) fn remove(tx: &WriteTransaction, bytes: &[u8]) -> Result<(), StoreError> {
    let hash: [u8; 32] = Sha256::digest(bytes).into();
    if let Some(key) = tx.open_table(DIRECTORY_HASHES)?.remove(&hash)?.map(|v| *v.value()) {
        tx.open_table(DIRECTORY_ITEMS)?.remove(&key)?;
    }
    if let Some(key) = tx.open_table(COMMUNITY_HASHES)?.remove(&hash)?.map(|v| *v.value()) {
        tx.open_table(COMMUNITY_ITEMS)?.remove(&key)?;
    }
    Ok(())
}

/// Every entry of one community's set, in reconciliation order, with
/// where each envelope is kept.
pub(super) fn community(
    table: &impl ReadableTable<&'static [u8; 72], &'static [u8; 49]>,
    community: &CommunityId,
) -> Result<Vec<(Item, [u8; 49])>, StoreError> {
    let mut first = [0u8; 72];
    first[..32].copy_from_slice(&community.0);
    let mut last = [0xffu8; 72];
    last[..32].copy_from_slice(&community.0);
    table
        .range::<&[u8; 72]>(&first..=&last)?
        .map(|row| {
            let (key, value) = row?;
            let mut item = [0u8; 40];
            item.copy_from_slice(&key.value()[32..]);
            Ok((Item::from_key(&item), *value.value()))
        })
        .collect()
}

/// Where an item's envelope is kept, from its index entry.
pub(super) fn locate(value: &[u8; 49]) -> Option<(ItemKind, [u8; 48])> {
    let kind = match value[0] {
        1 => ItemKind::Listing,
        2 => ItemKind::Withdrawal,
        3 => ItemKind::Profile,
        4 => ItemKind::Note,
        _ => return None,
    };
    let mut key = [0u8; 48];
    key.copy_from_slice(&value[1..]);
    Some((kind, key))
}

/// The index key of a profile: its author and sixteen zero bytes.
pub(super) fn profile_key(author: &[u8; 32]) -> [u8; 48] {
    let mut key = [0u8; 48];
    key[..32].copy_from_slice(author);
    key
}

/// Reads the whole index in reconciliation order.
pub(super) fn all(table: &impl ReadableTable<&'static [u8; 40], &'static [u8; 49]>) -> Result<Vec<Item>, StoreError> {
    table.iter()?.map(|row| Ok(Item::from_key(row?.0.value()))).collect()
}
