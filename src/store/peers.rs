//! Known peers: who we have met, when, and whether they are blocked.

use jiff::Timestamp;
use redb::ReadableTable;
use serde::{Deserialize, Serialize};

use super::error::corrupt;
use super::tables::PEERS;
use super::{Store, StoreError};
use crate::identity::PublicKey;

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

    pub fn peers(&self) -> Result<Vec<PeerRecord>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(PEERS)?;
        table.iter()?.map(|entry| postcard::from_bytes(entry?.1.value()).map_err(|e| corrupt("peer", e))).collect()
    }
}
