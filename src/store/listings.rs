//! Profile and listings: the user's own, and the latest seen from others.

use jiff::Timestamp;
use redb::ReadableTable;

use super::error::corrupt;
use super::tables::{OWN_LISTINGS, PROFILE, SEEN_LISTINGS, WITHDRAWN};
use super::{Store, StoreError};
use crate::identity::PublicKey;
use crate::market::{Listing, ListingId, ListingWithdrawal, Profile};
use crate::wire::Verified;

const SELF_KEY: &str = "self";

pub(super) fn seen_key(author: &PublicKey, id: &ListingId) -> [u8; 48] {
    let mut key = [0u8; 48];
    key[..32].copy_from_slice(author.as_bytes());
    key[32..].copy_from_slice(&id.0);
    key
}

pub(super) fn decode<T: crate::wire::Body>(bytes: &[u8]) -> Result<Verified<T>, StoreError> {
    Verified::from_trusted_store(bytes.to_vec()).map_err(|e| corrupt(T::DOMAIN, e))
}

impl Store {
    pub fn put_profile(&self, profile: &Verified<Profile>) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        tx.open_table(PROFILE)?.insert(SELF_KEY, profile.bytes())?;
        tx.commit()?;
        Ok(())
    }

    pub fn profile(&self) -> Result<Option<Verified<Profile>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(PROFILE)?;
        table.get(SELF_KEY)?.map(|v| decode(v.value())).transpose()
    }

    /// Saves one of the user's own listings (a new one or a new version).
    pub fn put_own_listing(&self, listing: &Verified<Listing>) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        tx.open_table(OWN_LISTINGS)?.insert(&listing.value().id.0, listing.bytes())?;
        tx.commit()?;
        Ok(())
    }

    pub fn own_listings(&self) -> Result<Vec<Verified<Listing>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(OWN_LISTINGS)?;
        table.iter()?.map(|entry| decode(entry?.1.value())).collect()
    }

    pub fn own_listing(&self, id: &ListingId) -> Result<Option<Verified<Listing>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(OWN_LISTINGS)?;
        table.get(&id.0)?.map(|v| decode(v.value())).transpose()
    }

    /// Removes an own listing and records the signed withdrawal, in one write.
    pub fn withdraw_own_listing(&self, withdrawal: &Verified<ListingWithdrawal>) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let removed = tx.open_table(OWN_LISTINGS)?.remove(&withdrawal.value().id.0)?.is_some();
        let key = seen_key(&withdrawal.author(), &withdrawal.value().id);
        tx.open_table(WITHDRAWN)?.insert(&key, withdrawal.bytes())?;
        tx.commit()?;
        Ok(removed)
    }

    /// Keeps `listing` if it is newer than what is known for its author and
    /// id and not withdrawn. Returns whether it was kept.
    pub fn put_seen_listing(&self, listing: &Verified<Listing>) -> Result<bool, StoreError> {
        let batch = self.directory_batch()?;
        let kept = batch.put_seen_listing(listing)?;
        batch.commit()?;
        Ok(kept)
    }

    /// Applies a signed withdrawal to the seen listings. Returns whether it
    /// was news (a higher version than any withdrawal known).
    pub fn put_withdrawal(&self, withdrawal: &Verified<ListingWithdrawal>) -> Result<bool, StoreError> {
        let batch = self.directory_batch()?;
        let news = batch.put_withdrawal(withdrawal)?;
        batch.commit()?;
        Ok(news)
    }

    /// Listings from others that have not expired at `now`.
    pub fn seen_listings(&self, now: Timestamp) -> Result<Vec<Verified<Listing>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(SEEN_LISTINGS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let listing: Verified<Listing> = decode(entry?.1.value())?;
            if !listing.value().is_expired(now) {
                out.push(listing);
            }
        }
        Ok(out)
    }

    /// Drops expired listings from others; returns how many.
    pub fn prune_expired(&self, now: Timestamp) -> Result<usize, StoreError> {
        let tx = self.db.write()?;
        let removed = {
            let mut table = tx.open_table(SEEN_LISTINGS)?;
            table.extract_if(|_, bytes| decode::<Listing>(bytes).is_ok_and(|l| l.value().is_expired(now)))?.count()
        };
        tx.commit()?;
        Ok(removed)
    }
}
