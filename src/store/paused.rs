//! Pausing one's own listing: it leaves the network (a signed withdrawal,
//! as when removed) but stays here, to be published again later as its
//! next version. Each move is one write.

use redb::ReadableTable;

use super::damaged::key_hex;
use super::listings::{add_own_in, decode, put_withdrawal_in, remove_own_in, seen_key};
use super::tables::PAUSED_LISTINGS;
use super::{Store, StoreError};
use crate::market::{Listing, ListingWithdrawal};
use crate::wire::Verified;

impl Store {
    /// Moves an own listing to the paused ones and records the withdrawal.
    /// Returns false when there is no such own listing.
    pub fn pause_own_listing(&self, withdrawal: &Verified<ListingWithdrawal>) -> Result<bool, StoreError> {
        let id = withdrawal.value().id;
        let tx = self.db.write()?;
        {
            let Some(listing) = remove_own_in(&tx, &id)? else { return Ok(false) };
            tx.open_table(PAUSED_LISTINGS)?.insert(&id.0, listing.bytes())?;
            put_withdrawal_in(&tx, &seen_key(&withdrawal.author(), &id), withdrawal)?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// Publishes a paused listing again: `listing` is its next version.
    pub fn resume_own_listing(&self, listing: &Verified<Listing>) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        tx.open_table(PAUSED_LISTINGS)?.remove(&listing.value().id.0)?;
        add_own_in(&tx, listing)?;
        tx.commit()?;
        Ok(())
    }

    /// Own paused listings; one that does not decode is logged and skipped.
    pub fn paused_listings(&self) -> Result<Vec<Verified<Listing>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(PAUSED_LISTINGS)?;
        let mut all = Vec::new();
        for entry in table.iter()? {
            let (key, bytes) = entry?;
            all.extend(self.skip_damaged("paused_listings", key_hex(key.value()), decode(bytes.value())));
        }
        Ok(all)
    }
}

impl Store {
    /// Drops a paused listing for good (it is already withdrawn).
    pub fn forget_paused_listing(&self, id: &crate::market::ListingId) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let removed = tx.open_table(PAUSED_LISTINGS)?.remove(&id.0)?.is_some();
        tx.commit()?;
        Ok(removed)
    }
}
