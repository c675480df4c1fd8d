//! Directory writes in batches: listings, withdrawals and profiles from
//! others, several in one transaction. A burst of news then costs one
//! commit instead of one per envelope; nothing is visible, and nothing is
//! kept, until [`DirectoryBatch::commit`] returns.
//!
//! The caps are enforced here, before anything is stored: listings held
//! at once (the soonest to expire makes room), withdrawals per author and
//! in all (the oldest go first), and profiles.

use redb::{ReadableMultimapTable, ReadableTable, ReadableTableMetadata, WriteTransaction};

use super::error::corrupt;
use super::items::{self, ItemKind};
use super::listings::{
    decode, high_water, put_withdrawal_in, raise_high_water, remove_seen_in, seen_key, timed_key, withdrawal_until,
};
use super::places;
use super::tables::{
    CONTACTS, ENDORSEMENTS_BY_COUNTERPART, LISTING_HIGH_WATER, NEGOTIATIONS_BY_PEER, PEER_PROFILES, PEERS, SEEN_EXPIRY,
    SEEN_LISTINGS, WITHDRAWN, WITHDRAWN_EXPIRY,
};
use super::{PeerRecord, Store, StoreError};
use crate::identity::PublicKey;
use crate::market::{Id16, Listing, ListingId, ListingWithdrawal, Profile};
use crate::wire::Verified;

/// One open write transaction over the directory tables.
pub struct DirectoryBatch {
    tx: WriteTransaction,
}

/// What became of a listing offered to the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kept {
    Kept,
    /// This version or a newer one is held (or was, until it expired).
    NotNewer,
    /// A withdrawal of this version or a later one is held.
    Withdrawn,
    /// The directory is full of listings that all outlive this one.
    Full,
}

/// What became of a withdrawal offered to the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Withdrawn {
    /// Kept: a higher version than any withdrawal known.
    News,
    NotNewer,
    /// The author (or the directory) holds as many as allowed, and this
    /// one withdraws no listing held here.
    Full,
}

impl Kept {
    pub fn is_kept(self) -> bool {
        self == Kept::Kept
    }
}

impl Store {
    /// Opens a batch; it holds the store's single write lock until it is
    /// committed or dropped (dropping discards it).
    pub fn directory_batch(&self) -> Result<DirectoryBatch, StoreError> {
        Ok(DirectoryBatch { tx: self.db.write()? })
    }
}

impl DirectoryBatch {
    /// Keeps a hide note (see [`Store::put_hide_note`]).
    pub fn put_hide_note(&self, note: &Verified<crate::community::HideNote>) -> Result<super::NoteStored, StoreError> {
        super::moderation::put_note_in(&self.tx, note)
    }

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
    /// id, not withdrawn, and there is room among at most `max_held`
    /// listings of its place (the open directory, or its community): the
    /// one of that place expiring soonest gives way to a later one.
    pub fn put_seen_listing(&self, listing: &Verified<Listing>, max_held: usize) -> Result<Kept, StoreError> {
        let key = seen_key(&listing.author(), &listing.value().id);
        let version = listing.value().version;
        let withdrawn = self.tx.open_table(WITHDRAWN)?.get(&key)?.map(|v| v.value().to_vec());
        if let Some(w) = withdrawn
            && decode::<ListingWithdrawal>(&w)?.value().version >= version
        {
            return Ok(Kept::Withdrawn);
        }
        if self.tx.open_table(LISTING_HIGH_WATER)?.get(&key)?.is_some_and(|v| high_water(v.value()).0 >= version) {
            return Ok(Kept::NotNewer);
        }
        let current = self.tx.open_table(SEEN_LISTINGS)?.get(&key)?.map(|v| v.value().to_vec());
        let current = current.map(|bytes| decode::<Listing>(&bytes)).transpose()?;
        if current.as_ref().is_some_and(|held| held.value().version >= version) {
            return Ok(Kept::NotNewer);
        }
        // A newer version in the same place takes its own slot; one that
        // comes into a place (new, or moved) needs room there.
        let place = places::place_of(listing.value());
        let moves_in = current.as_ref().is_none_or(|held| places::place_of(held.value()) != place);
        if moves_in && places::count(&self.tx, &place)? as usize >= max_held && !self.make_room(&place, listing)? {
            return Ok(Kept::Full);
        }
        if current.is_some() {
            remove_seen_in(&self.tx, &key)?;
        }
        self.tx.open_table(SEEN_LISTINGS)?.insert(&key, listing.bytes())?;
        self.tx.open_table(SEEN_EXPIRY)?.insert(&timed_key(listing.value().expires_at, &key), ())?;
        places::add(&self.tx, &key, listing.value())?;
        items::add(
            &self.tx,
            ItemKind::Listing,
            &key,
            listing.bytes(),
            listing.timestamp().as_millisecond(),
            listing.value().community().as_ref(),
        )?;
        Ok(Kept::Kept)
    }

    /// Drops the listing of `place` that expires soonest if `incoming`
    /// outlives it.
    fn make_room(&self, place: &[u8; 32], incoming: &Verified<Listing>) -> Result<bool, StoreError> {
        let Some((expires, key)) = places::soonest(&self.tx, place)? else { return Ok(false) };
        if incoming.value().expires_at.as_millisecond().max(0) as u64 <= expires {
            return Ok(false);
        }
        if let Some(evicted) = remove_seen_in(&self.tx, &key)? {
            raise_high_water(&self.tx, &key, &evicted)?;
        }
        Ok(true)
    }

    /// Applies a signed withdrawal to the seen listings. Returns whether it
    /// was news (a higher version than any withdrawal known), or
    /// [`Withdrawn::Full`] when the author (or the directory) holds as
    /// many withdrawals as allowed: then only a withdrawal of a listing
    /// held here is taken, and the one to be forgotten soonest makes room.
    pub fn put_withdrawal(
        &self,
        withdrawal: &Verified<ListingWithdrawal>,
        per_author: usize,
        in_all: usize,
    ) -> Result<Withdrawn, StoreError> {
        let author = withdrawal.author();
        let version = withdrawal.value().version;
        let key = seen_key(&author, &withdrawal.value().id);
        let known = self.tx.open_table(WITHDRAWN)?.get(&key)?.map(|v| v.value().to_vec());
        let current = self.tx.open_table(SEEN_LISTINGS)?.get(&key)?.map(|v| v.value().to_vec());
        let covers = match &current {
            Some(bytes) => decode::<Listing>(bytes)?.value().version <= version,
            None => false,
        };
        match known {
            Some(bytes) if decode::<ListingWithdrawal>(&bytes)?.value().version >= version => {
                return Ok(Withdrawn::NotNewer);
            }
            Some(_) => {}
            None => {
                if !self.room_for_withdrawal(&author, per_author, in_all, covers)? {
                    return Ok(Withdrawn::Full);
                }
            }
        }
        if covers {
            remove_seen_in(&self.tx, &key)?;
        }
        put_withdrawal_in(&self.tx, &key, withdrawal)?;
        Ok(Withdrawn::News)
    }

    /// Makes room for one more withdrawal by `author`, if it may have it.
    fn room_for_withdrawal(
        &self,
        author: &PublicKey,
        per_author: usize,
        in_all: usize,
        covers_a_held_listing: bool,
    ) -> Result<bool, StoreError> {
        let (first, last) = (seen_key(author, &ListingId::default()), seen_key(author, &Id16([0xff; 16])));
        let at_cap = per_author != usize::MAX
            && self.tx.open_table(WITHDRAWN)?.range::<&[u8; 48]>(&first..=&last)?.take(per_author).count()
                >= per_author;
        if at_cap {
            if !covers_a_held_listing {
                return Ok(false);
            }
            // The author's oldest withdrawal goes.
            let theirs: Vec<(Vec<u8>, [u8; 48])> = {
                let table = self.tx.open_table(WITHDRAWN)?;
                table
                    .range::<&[u8; 48]>(&first..=&last)?
                    .map(|row| {
                        let (k, v) = row?;
                        Ok((v.value().to_vec(), *k.value()))
                    })
                    .collect::<Result<_, StoreError>>()?
            };
            let mut oldest: Option<(jiff::Timestamp, [u8; 48])> = None;
            for (bytes, key) in &theirs {
                let until = withdrawal_until(&decode::<ListingWithdrawal>(bytes)?);
                if oldest.is_none_or(|(t, _)| until < t) {
                    oldest = Some((until, *key));
                }
            }
            if let Some((until, key)) = oldest {
                self.forget_withdrawal(&timed_key(until, &key))?;
            }
        }
        if self.tx.open_table(WITHDRAWN)?.len()? as usize >= in_all {
            if !covers_a_held_listing {
                return Ok(false);
            }
            let soonest = self.tx.open_table(WITHDRAWN_EXPIRY)?.first()?.map(|(k, _)| *k.value());
            if let Some(soonest) = soonest {
                self.forget_withdrawal(&soonest)?;
            }
        }
        Ok(true)
    }

    fn forget_withdrawal(&self, timed: &[u8; 56]) -> Result<(), StoreError> {
        let mut key = [0u8; 48];
        key.copy_from_slice(&timed[8..]);
        self.tx.open_table(WITHDRAWN_EXPIRY)?.remove(timed)?;
        let old = self.tx.open_table(WITHDRAWN)?.remove(&key)?.map(|v| v.value().to_vec());
        if let Some(old) = old {
            let old = decode::<ListingWithdrawal>(&old)?;
            items::remove(&self.tx, old.bytes())?;
        }
        Ok(())
    }

    pub fn peer(&self, key: &PublicKey) -> Result<Option<PeerRecord>, StoreError> {
        let table = self.tx.open_table(PEERS)?;
        table.get(key.as_bytes())?.map(|v| postcard::from_bytes(v.value()).map_err(|e| corrupt("peer", e))).transpose()
    }

    /// Keeps `profile` (and the peer's name with it) unless a profile
    /// signed at the same time or later is held; an old profile replayed
    /// never renames anyone. With `max_profiles` held, a profile of
    /// someone with no listing here and no dealings with you makes room
    /// for one of someone who has; otherwise the newcomer is not kept.
    /// Returns whether it was kept.
    pub fn put_peer_profile(
        &self,
        profile: &Verified<Profile>,
        seen_at: jiff::Timestamp,
        max_profiles: usize,
    ) -> Result<bool, StoreError> {
        let author = profile.author();
        let held = self.tx.open_table(PEER_PROFILES)?.get(author.as_bytes())?.map(|v| v.value().to_vec());
        match held {
            Some(bytes) => {
                // A damaged profile held here gives way to a good one.
                if decode::<Profile>(&bytes).is_ok_and(|held| held.timestamp() >= profile.timestamp()) {
                    return Ok(false);
                }
                items::remove(&self.tx, &bytes)?;
            }
            None => {
                if self.tx.open_table(PEER_PROFILES)?.len()? as usize >= max_profiles
                    && !(self.is_relevant(&author)? && self.evict_a_stranger()?)
                {
                    return Ok(false);
                }
            }
        }
        self.tx.open_table(PEER_PROFILES)?.insert(author.as_bytes(), profile.bytes())?;
        let key = items::profile_key(author.as_bytes());
        items::add(&self.tx, ItemKind::Profile, &key, profile.bytes(), profile.timestamp().as_millisecond(), None)?;
        let known = self.peer(&author)?;
        let record = PeerRecord {
            key: author,
            name: profile.value().name.clone(),
            last_seen: seen_at,
            blocked: known.is_some_and(|k| k.blocked),
        };
        let encoded = postcard::to_stdvec(&record).map_err(|e| corrupt("peer", e))?;
        self.tx.open_table(PEERS)?.insert(author.as_bytes(), encoded.as_slice())?;
        Ok(true)
    }

    /// Whether `peer` has a listing here or dealings with this user
    /// (a negotiation, an endorsement, a kept contact, a block).
    pub fn is_relevant(&self, peer: &PublicKey) -> Result<bool, StoreError> {
        let (first, last) = (seen_key(peer, &ListingId::default()), seen_key(peer, &Id16([0xff; 16])));
        if self.tx.open_table(SEEN_LISTINGS)?.range::<&[u8; 48]>(&first..=&last)?.next().is_some() {
            return Ok(true);
        }
        if self.tx.open_table(NEGOTIATIONS_BY_PEER)?.range::<&[u8; 48]>(&first..=&last)?.next().is_some() {
            return Ok(true);
        }
        if self.tx.open_multimap_table(ENDORSEMENTS_BY_COUNTERPART)?.get(peer.as_bytes())?.next().is_some() {
            return Ok(true);
        }
        if self.tx.open_table(CONTACTS)?.get(peer.as_bytes())?.is_some() {
            return Ok(true);
        }
        Ok(self.peer(peer)?.is_some_and(|p| p.blocked))
    }

    /// Drops one profile of someone irrelevant here (see
    /// [`Self::is_relevant`]), looking at a bounded number of them.
    fn evict_a_stranger(&self) -> Result<bool, StoreError> {
        const LOOK_AT: usize = 256;
        let candidates: Vec<[u8; 32]> = {
            let table = self.tx.open_table(PEER_PROFILES)?;
            table.iter()?.take(LOOK_AT).map(|row| Ok(*row?.0.value())).collect::<Result<_, StoreError>>()?
        };
        for author in candidates {
            let peer = PublicKey::from(author);
            if self.is_relevant(&peer)? {
                continue;
            }
            let old = self.tx.open_table(PEER_PROFILES)?.remove(&author)?.map(|v| v.value().to_vec());
            if let Some(old) = old {
                let old = decode::<Profile>(&old)?;
                items::remove(&self.tx, old.bytes())?;
            }
            self.tx.open_table(PEERS)?.remove(&author)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Makes every write in the batch visible, all at once.
    pub fn commit(self) -> Result<(), StoreError> {
        self.tx.commit()?;
        Ok(())
    }
}
