//! Damaged records: a row that no longer decodes (a bad sector, a bug in an
//! older build) is logged with its table and key, counted, and left out of
//! the list it was read for, so the other records still show. The row itself
//! stays in the file untouched, for whoever wants to look at it.

use std::fmt::Display;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Store, StoreError};

/// How many damaged records reads through one open store have skipped.
#[derive(Clone, Debug, Default)]
pub struct DamageCount(Arc<AtomicUsize>);

impl DamageCount {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }
}

impl Store {
    /// Damaged records skipped so far by this handle's reads (each one was
    /// logged with its table and key).
    pub fn damaged_skipped(&self) -> usize {
        self.damage().get()
    }

    /// A counter that follows [`Store::damaged_skipped`], to read after the
    /// store is gone.
    pub fn damage(&self) -> DamageCount {
        DamageCount(self.db.damaged.clone())
    }

    /// `decoded` for a row of `table` at `key`: its value, or, when it did
    /// not decode, `None` after logging and counting it.
    pub(super) fn skip_damaged<T>(
        &self,
        table: &'static str,
        key: impl Display,
        decoded: Result<T, StoreError>,
    ) -> Option<T> {
        match decoded {
            Ok(value) => Some(value),
            Err(error) => {
                self.db.damaged.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(table, key = %key, "skipped a damaged record: {error}");
                None
            }
        }
    }
}

/// A row key for the log: hex, at most 40 bytes of it.
pub(super) fn key_hex(key: &[u8]) -> String {
    key.iter().take(40).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::super::tables::{CHARTERS, CHAT, ENDORSEMENT_SUMMARIES, PAUSED_LISTINGS, PEER_PROFILES, PEERS};
    use super::*;
    use crate::identity::Identity;
    use crate::market::{Id16, Profile};
    use crate::store::PeerRecord;
    use crate::wire::seal;

    fn peer(n: u8) -> PeerRecord {
        let key = Identity::from_secret_bytes(&[n; 32]).public();
        PeerRecord { key, name: format!("peer {n}"), last_seen: Timestamp::UNIX_EPOCH, blocked: false }
    }

    /// Writes garbage rows straight into the file, through the store's own
    /// table definitions, as a damaged disk would leave them.
    fn damage(path: &std::path::Path) {
        let db = redb::Database::open(path).unwrap();
        let tx = db.begin_write().unwrap();
        let garbage: &[u8] = &[0xff, 0x00, 0x13, 0x37];
        tx.open_table(PEERS).unwrap().insert(&[0xee; 32], garbage).unwrap();
        tx.open_table(PEER_PROFILES).unwrap().insert(&[0xee; 32], garbage).unwrap();
        tx.open_table(ENDORSEMENT_SUMMARIES).unwrap().insert("urn:uuid:damaged", garbage).unwrap();
        tx.open_table(PAUSED_LISTINGS).unwrap().insert(&[0xee; 16], garbage).unwrap();
        let mut chat_key = [0u8; 40];
        chat_key[..16].copy_from_slice(&[7; 16]);
        tx.open_table(CHAT).unwrap().insert(&chat_key, garbage).unwrap();
        tx.open_table(CHARTERS).unwrap().insert(&[0x33; 64], garbage).unwrap();
        tx.commit().unwrap();
    }

    #[test]
    fn one_damaged_row_is_skipped_and_counted_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        let me = Identity::from_secret_bytes(&[1; 32]);
        {
            let store = Store::open(&path).unwrap();
            for n in 2..=4 {
                store.put_peer(&peer(n)).unwrap();
            }
            let profile = Profile {
                name: "Ada".into(),
                bio: String::new(),
                languages: vec!["en".into()],
                time_zone: "UTC".into(),
            };
            let batch = store.directory_batch().unwrap();
            batch
                .put_peer_profile(&seal(&me, &profile, Timestamp::now()).unwrap(), Timestamp::now(), usize::MAX)
                .unwrap();
            batch.commit().unwrap();
        }
        damage(&path);
        let store = Store::open(&path).unwrap();
        let reader = Store::open_read_only(&path).unwrap();
        // Three put directly, and the profile's author.
        assert_eq!(store.peers().unwrap().len(), 4, "the good peers still show");
        assert_eq!(store.damaged_skipped(), 1);
        assert_eq!(store.peer_profiles().unwrap().len(), 1);
        assert!(store.endorsements().unwrap().is_empty());
        assert!(store.paused_listings().unwrap().is_empty());
        assert!(store.chat(&Id16([7; 16])).unwrap().is_empty());
        let community = crate::community::CommunityId([0x33; 32]);
        assert!(store.charter(&community).unwrap().is_none());
        assert_eq!(store.known_communities().unwrap(), vec![community], "listed, so it can be reported");
        assert_eq!(store.damaged_skipped(), 6, "one per damaged table");
        assert_eq!(store.blocked_peers().unwrap(), vec![]);
        // Blocking the peer whose record is damaged writes a good record.
        let damaged_peer = crate::identity::PublicKey::from([0xee; 32]);
        store.set_blocked(&damaged_peer, true, Timestamp::now()).unwrap();
        assert_eq!(reader.peers().unwrap().len(), 5);
        assert_eq!(reader.blocked_peers().unwrap(), vec![damaged_peer]);
        assert_eq!(reader.damaged_skipped(), 0, "each handle counts its own reads");
    }
}
