//! Others' listings counted by place: the open directory, or a community.
//! Each place has its own cap, so a flood in one community cannot push
//! another's listings (or the open directory's) out; an index by place and
//! expiry tells which listing gives way when a place is full.

use redb::{ReadableTable, WriteTransaction};

use super::StoreError;
use super::listings::decode;
use super::tables::{PLACE_COUNTS, PLACE_EXPIRY, SEEN_LISTINGS};
use crate::market::Listing;

/// The open directory's place.
const OPEN: [u8; 32] = [0; 32];

/// Where `listing` is placed, as an index prefix.
pub(super) fn place_of(listing: &Listing) -> [u8; 32] {
    listing.community().map_or(OPEN, |c| c.0)
}

fn key_of(place: &[u8; 32], listing: &Listing, key: &[u8; 48]) -> [u8; 88] {
    let mut out = [0u8; 88];
    out[..32].copy_from_slice(place);
    out[32..40].copy_from_slice(&(listing.expires_at.as_millisecond().max(0) as u64).to_be_bytes());
    out[40..].copy_from_slice(key);
    out
}

/// Counts a listing just kept under `key`.
pub(super) fn add(tx: &WriteTransaction, key: &[u8; 48], listing: &Listing) -> Result<(), StoreError> {
    let place = place_of(listing);
    tx.open_table(PLACE_EXPIRY)?.insert(&key_of(&place, listing, key), ())?;
    let mut counts = tx.open_table(PLACE_COUNTS)?;
    let held = counts.get(&place)?.map_or(0, |v| v.value());
    counts.insert(&place, held + 1)?;
    Ok(())
}

/// Stops counting a listing that left under `key`.
pub(super) fn remove(tx: &WriteTransaction, key: &[u8; 48], listing: &Listing) -> Result<(), StoreError> {
    let place = place_of(listing);
    if tx.open_table(PLACE_EXPIRY)?.remove(&key_of(&place, listing, key))?.is_none() {
        return Ok(());
    }
    let mut counts = tx.open_table(PLACE_COUNTS)?;
    let held = counts.get(&place)?.map_or(0, |v| v.value());
    match held {
        0 | 1 => drop(counts.remove(&place)?),
        held => drop(counts.insert(&place, held - 1)?),
    }
    Ok(())
}

/// How many of others' listings `place` holds.
pub(super) fn count(tx: &WriteTransaction, place: &[u8; 32]) -> Result<u64, StoreError> {
    Ok(tx.open_table(PLACE_COUNTS)?.get(place)?.map_or(0, |v| v.value()))
}

/// The listing of `place` that expires soonest: its expiry (ms) and key.
pub(super) fn soonest(tx: &WriteTransaction, place: &[u8; 32]) -> Result<Option<(u64, [u8; 48])>, StoreError> {
    let (mut first, mut last) = ([0u8; 88], [0xffu8; 88]);
    first[..32].copy_from_slice(place);
    last[..32].copy_from_slice(place);
    let table = tx.open_table(PLACE_EXPIRY)?;
    let Some(row) = table.range::<&[u8; 88]>(&first..=&last)?.next() else { return Ok(None) };
    let found = *row?.0.value();
    let mut key = [0u8; 48];
    key.copy_from_slice(&found[40..]);
    let mut expires = [0u8; 8];
    expires.copy_from_slice(&found[32..40]);
    Ok(Some((u64::from_be_bytes(expires), key)))
}

/// 9 → 10: counts the listings already held by place.
pub(super) fn index_held(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(PLACE_EXPIRY)?;
    tx.open_table(PLACE_COUNTS)?;
    let held: Vec<([u8; 48], Vec<u8>)> = tx
        .open_table(SEEN_LISTINGS)?
        .iter()?
        .map(|row| row.map(|(k, v)| (*k.value(), v.value().to_vec())))
        .collect::<Result<_, _>>()?;
    for (key, bytes) in held {
        // A damaged record is left to the readers that report it.
        if let Ok(listing) = decode::<Listing>(&bytes) {
            add(tx, &key, listing.value())?;
        }
    }
    Ok(())
}

impl super::Store {
    /// Drops the listings of others kept for `community` that `keep` no
    /// longer admits (after its charter changed). Nothing is remembered
    /// against them: should the charter admit them again, they come back
    /// with the next reconciliation. Returns what was dropped.
    pub fn retain_placed(
        &self,
        community: &crate::community::CommunityId,
        keep: impl Fn(&crate::wire::Verified<Listing>) -> bool,
    ) -> Result<Vec<crate::market::ListingRef>, StoreError> {
        use super::items::{self, ItemKind};
        let tx = self.db.write()?;
        let mut dropped = Vec::new();
        let placed = items::community(&tx.open_table(super::tables::COMMUNITY_ITEMS)?, community)?;
        for (_, value) in placed {
            let Some((ItemKind::Listing, key)) = items::locate(&value) else { continue };
            let held = tx.open_table(SEEN_LISTINGS)?.get(&key)?.map(|v| v.value().to_vec());
            let Some(bytes) = held else { continue };
            let listing = decode::<Listing>(&bytes)?;
            if !keep(&listing) {
                super::listings::remove_seen_in(&tx, &key)?;
                dropped.push(crate::market::ListingRef { author: listing.author(), id: listing.value().id });
            }
        }
        tx.commit()?;
        Ok(dropped)
    }
}
