//! The directory as peers reconcile it: the ordered index of every
//! envelope held (see [`super::items`]), and the envelopes a peer asks for
//! by hash. Nothing here grows with what a peer asks: a request names at
//! most a bounded number of hashes, and the answer holds only those found.

use redb::ReadableTableMetadata;

use super::items::{self, Item, ItemKind, locate};
use super::tables::{
    COMMUNITY_HASHES, COMMUNITY_ITEMS, DIRECTORY_HASHES, DIRECTORY_ITEMS, HIDE_NOTES, OWN_LISTINGS, PEER_PROFILES,
    PROFILE, SEEN_LISTINGS, WITHDRAWN,
};
use super::{Store, StoreError};
use crate::community::CommunityId;

impl Store {
    /// Every item of the open directory, in order (signed time, then hash).
    pub fn directory_items(&self) -> Result<Vec<Item>, StoreError> {
        let tx = self.db.read()?;
        items::all(&tx.open_table(DIRECTORY_ITEMS)?)
    }

    /// Every item of one community's directory, in the same order.
    pub fn community_items(&self, community: &CommunityId) -> Result<Vec<Item>, StoreError> {
        let tx = self.db.read()?;
        Ok(items::community(&tx.open_table(COMMUNITY_ITEMS)?, community)?.into_iter().map(|(i, _)| i).collect())
    }

    /// How many items the directory holds.
    pub fn directory_len(&self) -> Result<u64, StoreError> {
        let tx = self.db.read()?;
        Ok(tx.open_table(DIRECTORY_ITEMS)?.len()?)
    }

    /// The envelopes with these hashes that are held here, in the order
    /// asked (unknown hashes are skipped).
    pub fn directory_envelopes(&self, hashes: &[[u8; 32]]) -> Result<Vec<Vec<u8>>, StoreError> {
        let tx = self.db.read()?;
        let by_hash = tx.open_table(DIRECTORY_HASHES)?;
        let index = tx.open_table(DIRECTORY_ITEMS)?;
        let scoped_by_hash = tx.open_table(COMMUNITY_HASHES)?;
        let scoped = tx.open_table(COMMUNITY_ITEMS)?;
        let notes = tx.open_table(HIDE_NOTES)?;
        let seen = tx.open_table(SEEN_LISTINGS)?;
        let own = tx.open_table(OWN_LISTINGS)?;
        let withdrawn = tx.open_table(WITHDRAWN)?;
        let profiles = tx.open_table(PEER_PROFILES)?;
        let profile = tx.open_table(PROFILE)?;
        let mut out = Vec::with_capacity(hashes.len());
        for hash in hashes {
            let entry = match by_hash.get(hash)?.map(|v| *v.value()) {
                Some(item_key) => index.get(&item_key)?.map(|v| *v.value()),
                None => match scoped_by_hash.get(hash)?.map(|v| *v.value()) {
                    Some(scoped_key) => scoped.get(&scoped_key)?.map(|v| *v.value()),
                    None => None,
                },
            };
            let Some(located) = entry.as_ref().and_then(locate) else { continue };
            let bytes = match located {
                (ItemKind::Listing, key) => match seen.get(&key)? {
                    Some(v) => Some(v.value().to_vec()),
                    None => {
                        let mut id = [0u8; 16];
                        id.copy_from_slice(&key[32..]);
                        own.get(&id)?.map(|v| v.value().to_vec())
                    }
                },
                (ItemKind::Withdrawal, key) => withdrawn.get(&key)?.map(|v| v.value().to_vec()),
                (ItemKind::Note, key) => notes.get(&key)?.map(|v| v.value().to_vec()),
                (ItemKind::Profile, key) => {
                    let mut author = [0u8; 32];
                    author.copy_from_slice(&key[..32]);
                    match profiles.get(&author)? {
                        Some(v) => Some(v.value().to_vec()),
                        None => profile.get(super::listings::SELF_KEY)?.map(|v| v.value().to_vec()),
                    }
                }
            };
            // Only bytes that still hash to what was asked (the index and
            // the tables are written together, but a reader must not trust
            // that blindly).
            if let Some(bytes) = bytes.filter(|b| Item::of(b, 0).hash == *hash) {
                out.push(bytes);
            }
        }
        Ok(out)
    }
}
