//! Directory writes in batches: listings, withdrawals and peer records from
//! others, several in one durable transaction. A burst of news then costs
//! one disk sync instead of one per envelope; nothing is visible, and
//! nothing is kept, until [`DirectoryBatch::commit`] returns.

use redb::{ReadableTable, WriteTransaction};

use super::error::corrupt;
use super::listings::{decode, seen_key};
use super::tables::{PEER_PROFILES, PEERS, SEEN_LISTINGS, WITHDRAWN};
use super::{PeerRecord, Store, StoreError};
use crate::identity::PublicKey;
use crate::market::{Id16, Listing, ListingId, ListingWithdrawal, Profile};
use crate::wire::Verified;

/// One open write transaction over the directory tables.
pub struct DirectoryBatch {
    tx: WriteTransaction,
}

impl Store {
    /// Opens a batch; it holds the store's single write lock until it is
    /// committed or dropped (dropping discards it).
    pub fn directory_batch(&self) -> Result<DirectoryBatch, StoreError> {
        Ok(DirectoryBatch { tx: self.db.write()? })
    }
}

impl DirectoryBatch {
    /// How many listings from `author` the directory holds, and whether one
    /// of them is `id` (an update rather than a new listing).
    pub fn seen_listing_count(&self, author: &PublicKey, id: &ListingId) -> Result<(usize, bool), StoreError> {
        let table = self.tx.open_table(SEEN_LISTINGS)?;
        let (first, last) = (seen_key(author, &ListingId::default()), seen_key(author, &Id16([0xff; 16])));
        let mut count = 0;
        let mut present = false;
        for row in table.range::<&[u8; 48]>(&first..=&last)? {
            let (key, _) = row?;
            count += 1;
            present |= key.value()[32..] == id.0;
        }
        Ok((count, present))
    }

    /// Keeps `listing` if it is newer than what is known for its author and
    /// id and not withdrawn. Returns whether it was kept.
    pub fn put_seen_listing(&self, listing: &Verified<Listing>) -> Result<bool, StoreError> {
        let key = seen_key(&listing.author(), &listing.value().id);
        if withdrawn_version(&self.tx.open_table(WITHDRAWN)?, &key)?.is_some_and(|v| v >= listing.value().version) {
            return Ok(false);
        }
        let mut table = self.tx.open_table(SEEN_LISTINGS)?;
        let current = table.get(&key)?.map(|v| decode::<Listing>(v.value())).transpose()?;
        let newer = current.is_none_or(|c| c.value().version < listing.value().version);
        if newer {
            table.insert(&key, listing.bytes())?;
        }
        Ok(newer)
    }

    /// Applies a signed withdrawal to the seen listings. Returns whether it
    /// was news (a higher version than any withdrawal known).
    pub fn put_withdrawal(&self, withdrawal: &Verified<ListingWithdrawal>) -> Result<bool, StoreError> {
        let key = seen_key(&withdrawal.author(), &withdrawal.value().id);
        let mut withdrawn = self.tx.open_table(WITHDRAWN)?;
        if withdrawn_version(&withdrawn, &key)?.is_some_and(|v| v >= withdrawal.value().version) {
            return Ok(false);
        }
        // Everything is read before anything is written, so a failure leaves
        // the batch as it was.
        let mut seen = self.tx.open_table(SEEN_LISTINGS)?;
        let current = seen.get(&key)?.map(|v| decode::<Listing>(v.value())).transpose()?;
        withdrawn.insert(&key, withdrawal.bytes())?;
        if current.is_some_and(|c| c.value().version <= withdrawal.value().version) {
            seen.remove(&key)?;
        }
        Ok(true)
    }

    pub fn peer(&self, key: &PublicKey) -> Result<Option<PeerRecord>, StoreError> {
        let table = self.tx.open_table(PEERS)?;
        table.get(key.as_bytes())?.map(|v| postcard::from_bytes(v.value()).map_err(|e| corrupt("peer", e))).transpose()
    }

    pub fn put_peer(&self, peer: &PeerRecord) -> Result<(), StoreError> {
        let encoded = postcard::to_stdvec(peer).map_err(|e| corrupt("peer", e))?;
        self.tx.open_table(PEERS)?.insert(peer.key.as_bytes(), encoded.as_slice())?;
        Ok(())
    }

    /// Keeps `profile` unless a newer one (by signing time) is held.
    /// Returns whether it was kept.
    pub fn put_peer_profile(&self, profile: &Verified<Profile>) -> Result<bool, StoreError> {
        let mut table = self.tx.open_table(PEER_PROFILES)?;
        let key = profile.author();
        let held = table.get(key.as_bytes())?.map(|v| decode::<Profile>(v.value())).transpose()?;
        if held.is_some_and(|h| h.timestamp() >= profile.timestamp()) {
            return Ok(false);
        }
        table.insert(key.as_bytes(), profile.bytes())?;
        Ok(true)
    }

    /// Makes every write in the batch durable, all at once.
    pub fn commit(self) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }
}

fn withdrawn_version(
    table: &impl ReadableTable<&'static [u8; 48], &'static [u8]>,
    key: &[u8; 48],
) -> Result<Option<u32>, StoreError> {
    let found = table.get(key)?.map(|v| decode::<ListingWithdrawal>(v.value())).transpose()?;
    Ok(found.map(|w| w.value().version))
}
