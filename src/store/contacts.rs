//! Contacts: the tickets of peers met through `agora connect`, kept so that
//! the node dials them again at every start.

use redb::{ReadableTable, ReadableTableMetadata};

use super::tables::CONTACTS;
use super::{Store, StoreError};
use crate::identity::PublicKey;

/// At most this many contacts are kept; dialling more at start helps no one.
pub const MAX_CONTACTS: usize = 64;

impl Store {
    /// Keeps (or refreshes) `peer`'s ticket. Returns false, keeping nothing
    /// new, when the list is full.
    pub fn put_contact(&self, peer: &PublicKey, ticket: &str) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        {
            let mut table = tx.open_table(CONTACTS)?;
            if table.get(peer.as_bytes())?.is_none() && table.len()? as usize >= MAX_CONTACTS {
                return Ok(false);
            }
            table.insert(peer.as_bytes(), ticket)?;
        }
        tx.commit()?;
        Ok(true)
    }

    pub fn forget_contact(&self, peer: &PublicKey) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let removed = tx.open_table(CONTACTS)?.remove(peer.as_bytes())?.is_some();
        tx.commit()?;
        Ok(removed)
    }

    /// Every kept contact: the peer and its ticket text.
    pub fn contacts(&self) -> Result<Vec<(PublicKey, String)>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(CONTACTS)?;
        table
            .iter()?
            .map(|entry| {
                let (key, ticket) = entry?;
                Ok((PublicKey::from(*key.value()), ticket.value().to_owned()))
            })
            .collect()
    }
}
