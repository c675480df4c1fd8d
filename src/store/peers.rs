//! Known peers: who we have met, when, and whether they are blocked.
//! Blocking a peer also drops its listings from the directory, in the same
//! write.

use jiff::Timestamp;
use redb::ReadableTable;
use serde::{Deserialize, Serialize};

use super::damaged::key_hex;
use super::error::corrupt;
use super::listings::{decode, remove_seen_in, seen_key};
use super::tables::{PEER_PROFILES, PEERS, SEEN_LISTINGS};
use super::{Store, StoreError};
use crate::identity::PublicKey;
use crate::market::{Id16, ListingId, Profile};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerRecord {
    pub key: PublicKey,
    pub name: String,
    #[serde(with = "crate::market::time_ms")]
    pub last_seen: Timestamp,
    pub blocked: bool,
}

impl Store {
    pub fn put_peer(&self, peer: &PeerRecord) -> Result<(), StoreError> {
        let encoded = postcard::to_stdvec(peer).map_err(|e| corrupt("peer", e))?;
        let tx = self.db.write()?;
        tx.open_table(PEERS)?.insert(peer.key.as_bytes(), encoded.as_slice())?;
        tx.commit()?;
        Ok(())
    }

    pub fn peer(&self, key: &PublicKey) -> Result<Option<PeerRecord>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(PEERS)?;
        table.get(key.as_bytes())?.map(|v| postcard::from_bytes(v.value()).map_err(|e| corrupt("peer", e))).transpose()
    }

    /// Every known peer; a record that does not decode is logged and skipped.
    pub fn peers(&self) -> Result<Vec<PeerRecord>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(PEERS)?;
        let mut all = Vec::new();
        for entry in table.iter()? {
            let (key, bytes) = entry?;
            let decoded = postcard::from_bytes(bytes.value()).map_err(|e| corrupt("peer", e));
            all.extend(self.skip_damaged("peers", key_hex(key.value()), decoded));
        }
        Ok(all)
    }

    /// Blocks or unblocks `peer` (known or not). Blocking drops its
    /// listings from the directory; returns their ids.
    pub fn set_blocked(&self, peer: &PublicKey, blocked: bool, now: Timestamp) -> Result<Vec<ListingId>, StoreError> {
        let tx = self.db.write()?;
        let dropped = {
            let mut peers = tx.open_table(PEERS)?;
            let known = peers.get(peer.as_bytes())?.map(|v| postcard::from_bytes::<PeerRecord>(v.value())).transpose();
            // A damaged record is replaced: blocking must not depend on it.
            let known = self.skip_damaged("peers", key_hex(peer.as_bytes()), known.map_err(|e| corrupt("peer", e)));
            let mut record =
                known.flatten().unwrap_or(PeerRecord { key: *peer, name: String::new(), last_seen: now, blocked });
            record.blocked = blocked;
            let encoded = postcard::to_stdvec(&record).map_err(|e| corrupt("peer", e))?;
            peers.insert(peer.as_bytes(), encoded.as_slice())?;
            let mut dropped = Vec::new();
            if blocked {
                let (first, last) = (seen_key(peer, &Id16([0; 16])), seen_key(peer, &Id16([0xff; 16])));
                let keys: Vec<[u8; 48]> = tx
                    .open_table(SEEN_LISTINGS)?
                    .range::<&[u8; 48]>(&first..=&last)?
                    .map(|row| Ok(*row?.0.value()))
                    .collect::<Result<_, StoreError>>()?;
                for key in keys {
                    if let Some(listing) = remove_seen_in(&tx, &key)? {
                        dropped.push(listing.value().id);
                    }
                }
                // Their profile leaves the directory too (the name stays
                // in the peer record, to show whom you blocked).
                let profile = tx.open_table(PEER_PROFILES)?.remove(peer.as_bytes())?.map(|v| v.value().to_vec());
                if let Some(profile) = profile {
                    super::items::remove(&tx, &profile)?;
                }
            }
            dropped
        };
        tx.commit()?;
        Ok(dropped)
    }

    /// Every peer marked blocked in the store.
    pub fn blocked_peers(&self) -> Result<Vec<PublicKey>, StoreError> {
        Ok(self.peers()?.into_iter().filter(|p| p.blocked).map(|p| p.key).collect())
    }

    /// Others' latest signed profiles, by key; a profile that does not
    /// decode is logged and skipped.
    pub fn peer_profiles(&self) -> Result<std::collections::HashMap<PublicKey, Profile>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(PEER_PROFILES)?;
        let mut all = std::collections::HashMap::new();
        for entry in table.iter()? {
            let (key, bytes) = entry?;
            let decoded = decode::<Profile>(bytes.value());
            if let Some(profile) = self.skip_damaged("peer_profiles", key_hex(key.value()), decoded) {
                all.insert(PublicKey::from(*key.value()), profile.value().clone());
            }
        }
        Ok(all)
    }
}
