//! Profile and listings: the user's own, and the latest seen from others.
//! Every write keeps the reconciliation index ([`super::items`]) and the
//! expiry indexes in step with the tables, in the same transaction.

use jiff::Timestamp;
use redb::{ReadableTable, ReadableTableMetadata, WriteTransaction};

use super::error::corrupt;
use super::items::{self, ItemKind};
use super::tables::{
    LISTING_HIGH_WATER, OWN_LISTINGS, PROFILE, SEEN_EXPIRY, SEEN_LISTINGS, WITHDRAWN, WITHDRAWN_EXPIRY,
};
use super::{Store, StoreError};
use crate::identity::PublicKey;
use crate::market::{Listing, ListingId, ListingWithdrawal, MAX_LISTING_LIFETIME, Profile};
use crate::wire::Verified;

pub(super) const SELF_KEY: &str = "self";
/// High-water marks kept at most (see [`raise_high_water`]).
pub const MAX_HIGH_WATER: u64 = 50_000;

pub(super) fn seen_key(author: &PublicKey, id: &ListingId) -> [u8; 48] {
    let mut key = [0u8; 48];
    key[..32].copy_from_slice(author.as_bytes());
    key[32..].copy_from_slice(&id.0);
    key
}

/// A time index key: milliseconds (big endian, negative as 0) ‖ key.
pub(super) fn timed_key(at: Timestamp, key: &[u8; 48]) -> [u8; 56] {
    let mut out = [0u8; 56];
    out[..8].copy_from_slice(&(at.as_millisecond().max(0) as u64).to_be_bytes());
    out[8..].copy_from_slice(key);
    out
}

pub(super) fn decode<T: crate::wire::Body>(bytes: &[u8]) -> Result<Verified<T>, StoreError> {
    Verified::from_trusted_store(bytes.to_vec()).map_err(|e| corrupt(T::DOMAIN, e))
}

/// Until when a withdrawal must be kept: by then every listing version it
/// covers (all signed before it) has expired.
pub(super) fn withdrawal_until(withdrawal: &Verified<ListingWithdrawal>) -> Timestamp {
    withdrawal.timestamp().saturating_add(MAX_LISTING_LIFETIME).unwrap_or(Timestamp::MAX)
}

/// Records a withdrawal in `tx`, replacing an older one for the same
/// listing, with its place in the reconciliation and expiry indexes.
pub(super) fn put_withdrawal_in(
    tx: &WriteTransaction,
    key: &[u8; 48],
    withdrawal: &Verified<ListingWithdrawal>,
) -> Result<(), StoreError> {
    let mut withdrawn = tx.open_table(WITHDRAWN)?;
    let old = withdrawn.get(key)?.map(|v| v.value().to_vec());
    if let Some(old) = old {
        let old = decode::<ListingWithdrawal>(&old)?;
        items::remove(tx, old.bytes())?;
        tx.open_table(WITHDRAWN_EXPIRY)?.remove(&timed_key(withdrawal_until(&old), key))?;
    }
    withdrawn.insert(key, withdrawal.bytes())?;
    items::add(tx, ItemKind::Withdrawal, key, withdrawal.bytes(), withdrawal.timestamp().as_millisecond(), None)?;
    tx.open_table(WITHDRAWN_EXPIRY)?.insert(&timed_key(withdrawal_until(withdrawal), key), ())?;
    Ok(())
}

/// Drops a seen listing from `tx` (table and indexes); returns it.
pub(super) fn remove_seen_in(tx: &WriteTransaction, key: &[u8; 48]) -> Result<Option<Verified<Listing>>, StoreError> {
    let Some(bytes) = tx.open_table(SEEN_LISTINGS)?.remove(key)?.map(|v| v.value().to_vec()) else {
        return Ok(None);
    };
    let listing = decode::<Listing>(&bytes)?;
    items::remove(tx, listing.bytes())?;
    super::places::remove(tx, key, listing.value())?;
    tx.open_table(SEEN_EXPIRY)?.remove(&timed_key(listing.value().expires_at, key))?;
    Ok(Some(listing))
}

/// Remembers that `listing` (about to leave the directory) was held, so an
/// older copy of it is not taken again before it could have expired.
pub(super) fn raise_high_water(
    tx: &WriteTransaction,
    key: &[u8; 48],
    listing: &Verified<Listing>,
) -> Result<(), StoreError> {
    let mut table = tx.open_table(LISTING_HIGH_WATER)?;
    let held = table.get(key)?.map(|v| high_water(v.value()));
    let version = listing.value().version;
    let until = listing.timestamp().saturating_add(MAX_LISTING_LIFETIME).unwrap_or(Timestamp::MAX);
    if held.is_some_and(|(v, u)| v >= version && u >= until) {
        return Ok(());
    }
    let (version, until) = match held {
        Some((v, u)) => (v.max(version), u.max(until)),
        None => {
            // Bounded: past the cap (a flood of short-lived listings), an
            // old copy of one of these may come back, for its own lifetime.
            if table.len()? >= MAX_HIGH_WATER {
                return Ok(());
            }
            (version, until)
        }
    };
    let mut value = [0u8; 12];
    value[..4].copy_from_slice(&version.to_be_bytes());
    value[4..].copy_from_slice(&until.as_millisecond().to_be_bytes());
    table.insert(key, &value)?;
    Ok(())
}

pub(super) fn high_water(value: &[u8; 12]) -> (u32, Timestamp) {
    let mut version = [0u8; 4];
    version.copy_from_slice(&value[..4]);
    let mut until = [0u8; 8];
    until.copy_from_slice(&value[4..]);
    let until = Timestamp::from_millisecond(i64::from_be_bytes(until)).unwrap_or(Timestamp::MAX);
    (u32::from_be_bytes(version), until)
}

impl Store {
    pub fn put_profile(&self, profile: &Verified<Profile>) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        {
            let mut table = tx.open_table(PROFILE)?;
            let old = table.get(SELF_KEY)?.map(|v| v.value().to_vec());
            if let Some(old) = old {
                let old = decode::<Profile>(&old)?;
                items::remove(&tx, old.bytes())?;
            }
            table.insert(SELF_KEY, profile.bytes())?;
            let key = items::profile_key(profile.author().as_bytes());
            items::add(&tx, ItemKind::Profile, &key, profile.bytes(), profile.timestamp().as_millisecond(), None)?;
        }
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
        put_own_in(&tx, listing)?;
        tx.commit()?;
        Ok(())
    }

    /// Keeps the next version of an own listing placed elsewhere than the
    /// one before, with the withdrawal of that one: copies of it held by
    /// peers outside the new place go.
    pub fn move_own_listing(
        &self,
        listing: &Verified<Listing>,
        previous: &Verified<ListingWithdrawal>,
    ) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        put_own_in(&tx, listing)?;
        put_withdrawal_in(&tx, &seen_key(&previous.author(), &previous.value().id), previous)?;
        tx.commit()?;
        Ok(())
    }

    /// Own listings; a damaged row is logged, counted and skipped.
    pub fn own_listings(&self) -> Result<Vec<Verified<Listing>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(OWN_LISTINGS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (key, value) = entry?;
            out.extend(self.skip_damaged("own_listings", super::damaged::key_hex(key.value()), decode(value.value())));
        }
        Ok(out)
    }

    pub fn own_listing(&self, id: &ListingId) -> Result<Option<Verified<Listing>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(OWN_LISTINGS)?;
        table.get(&id.0)?.map(|v| decode(v.value())).transpose()
    }

    /// Removes an own listing and records the signed withdrawal, in one write.
    pub fn withdraw_own_listing(&self, withdrawal: &Verified<ListingWithdrawal>) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let removed = remove_own_in(&tx, &withdrawal.value().id)?.is_some();
        let key = seen_key(&withdrawal.author(), &withdrawal.value().id);
        put_withdrawal_in(&tx, &key, withdrawal)?;
        tx.commit()?;
        Ok(removed)
    }

    /// Drops an own listing that expired: it needs no withdrawal, since
    /// every copy of it expires at the same moment. Returns whether it was
    /// there.
    pub fn drop_expired_own_listing(&self, id: &ListingId) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let removed = remove_own_in(&tx, id)?.is_some();
        tx.commit()?;
        Ok(removed)
    }

    /// Keeps `listing` if it is newer than what is known for its author and
    /// id and not withdrawn. Returns whether it was kept.
    pub fn put_seen_listing(&self, listing: &Verified<Listing>) -> Result<bool, StoreError> {
        let batch = self.directory_batch()?;
        let kept = batch.put_seen_listing(listing, usize::MAX)?.is_kept();
        batch.commit()?;
        Ok(kept)
    }

    /// Applies a signed withdrawal to the seen listings. Returns whether it
    /// was news (a higher version than any withdrawal known).
    pub fn put_withdrawal(&self, withdrawal: &Verified<ListingWithdrawal>) -> Result<bool, StoreError> {
        let batch = self.directory_batch()?;
        let news = batch.put_withdrawal(withdrawal, usize::MAX, usize::MAX)?;
        batch.commit()?;
        Ok(news == super::Withdrawn::News)
    }

    /// Listings from others that have not expired at `now`. A damaged row
    /// is skipped and logged, not fatal to the rest.
    pub fn seen_listings(&self, now: Timestamp) -> Result<Vec<Verified<Listing>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(SEEN_LISTINGS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (key, value) = entry?;
            let listing = self.skip_damaged(
                "seen_listings",
                super::damaged::key_hex(key.value()),
                decode::<Listing>(value.value()),
            );
            out.extend(listing.filter(|l| !l.value().is_expired(now)));
        }
        Ok(out)
    }

    /// One listing from someone else, if held and not expired at `now`.
    pub fn seen_listing(
        &self,
        author: &PublicKey,
        id: &ListingId,
        now: Timestamp,
    ) -> Result<Option<Verified<Listing>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(SEEN_LISTINGS)?;
        let found = table.get(&seen_key(author, id))?.map(|v| decode::<Listing>(v.value())).transpose()?;
        Ok(found.filter(|l| !l.value().is_expired(now)))
    }

    /// How many listings from others the directory holds (expired or not).
    pub fn seen_listing_count(&self) -> Result<u64, StoreError> {
        use redb::ReadableTableMetadata;
        let tx = self.db.read()?;
        Ok(tx.open_table(SEEN_LISTINGS)?.len()?)
    }

    /// Drops what has run out: others' listings past their expiry (their
    /// highest version is remembered), withdrawals past their lifetime and
    /// high-water marks no longer needed. Returns how many listings and
    /// withdrawals went. One durable write.
    pub fn prune_expired(&self, now: Timestamp) -> Result<usize, StoreError> {
        let tx = self.db.write()?;
        let cutoff = timed_key(now, &[0xff; 48]);
        let mut removed = 0;
        for key in take_due(&tx, SEEN_EXPIRY, &cutoff)? {
            if let Some(listing) = remove_seen_in(&tx, &key)? {
                raise_high_water(&tx, &key, &listing)?;
                removed += 1;
            }
        }
        for key in take_due(&tx, WITHDRAWN_EXPIRY, &cutoff)? {
            let old = tx.open_table(WITHDRAWN)?.remove(&key)?.map(|v| v.value().to_vec());
            if let Some(old) = old {
                let old = decode::<ListingWithdrawal>(&old)?;
                items::remove(&tx, old.bytes())?;
                removed += 1;
            }
        }
        tx.open_table(LISTING_HIGH_WATER)?.retain(|_, value| high_water(value).1 > now)?;
        tx.commit()?;
        Ok(removed)
    }
}

/// Takes the entries of a time index due by `cutoff` out of it; returns
/// the keys they name.
fn take_due(
    tx: &WriteTransaction,
    index: redb::TableDefinition<&'static [u8; 56], ()>,
    cutoff: &[u8; 56],
) -> Result<Vec<[u8; 48]>, StoreError> {
    let mut table = tx.open_table(index)?;
    let due: Vec<[u8; 56]> =
        table.range::<&[u8; 56]>(..=cutoff)?.map(|row| Ok(*row?.0.value())).collect::<Result<_, StoreError>>()?;
    let mut keys = Vec::with_capacity(due.len());
    for entry in due {
        table.remove(&entry)?;
        let mut key = [0u8; 48];
        key.copy_from_slice(&entry[8..]);
        keys.push(key);
    }
    Ok(keys)
}

fn put_own_in(tx: &WriteTransaction, listing: &Verified<Listing>) -> Result<(), StoreError> {
    remove_own_in(tx, &listing.value().id)?;
    tx.open_table(OWN_LISTINGS)?.insert(&listing.value().id.0, listing.bytes())?;
    let key = seen_key(&listing.author(), &listing.value().id);
    items::add(
        tx,
        ItemKind::Listing,
        &key,
        listing.bytes(),
        listing.timestamp().as_millisecond(),
        listing.value().community().as_ref(),
    )
}

pub(super) fn remove_own_in(tx: &WriteTransaction, id: &ListingId) -> Result<Option<Verified<Listing>>, StoreError> {
    let Some(bytes) = tx.open_table(OWN_LISTINGS)?.remove(&id.0)?.map(|v| v.value().to_vec()) else {
        return Ok(None);
    };
    let listing = decode::<Listing>(&bytes)?;
    items::remove(tx, listing.bytes())?;
    Ok(Some(listing))
}

pub(super) fn add_own_in(tx: &WriteTransaction, listing: &Verified<Listing>) -> Result<(), StoreError> {
    put_own_in(tx, listing)
}
