//! Hubs' validations of this user's learning, kept beside the endorsements
//! they speak of: the exact bytes that were verified when imported.

use redb::{ReadableTable, ReadableTableMetadata};

use super::damaged::key_hex;
use super::tables::VALIDATIONS;
use super::{Store, StoreError};
use crate::endorse::validation::Validation;

/// Validations kept at most.
pub const MAX_VALIDATIONS: usize = 256;

impl Store {
    /// Keeps a verified validation (the caller verified `bytes`). Returns
    /// false when it was kept already; refuses past [`MAX_VALIDATIONS`].
    pub fn put_validation(&self, validation: &Validation, bytes: &[u8]) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let added = {
            let mut table = tx.open_table(VALIDATIONS)?;
            if table.get(validation.id.as_str())?.is_some() {
                false
            } else if table.len()? as usize >= MAX_VALIDATIONS {
                return Err(StoreError::Full { what: "validations", max: MAX_VALIDATIONS });
            } else {
                table.insert(validation.id.as_str(), bytes)?;
                true
            }
        };
        tx.commit()?;
        Ok(added)
    }

    /// Every validation kept, with its bytes (damaged ones skipped and counted).
    pub fn validations(&self) -> Result<Vec<(Validation, Vec<u8>)>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(VALIDATIONS)?;
        let mut all = Vec::new();
        for entry in table.iter()? {
            let (id, bytes) = entry?;
            let decoded = serde_json::from_slice::<serde_json::Value>(bytes.value())
                .map_err(|e| super::error::corrupt("validation", e))
                .and_then(|doc| Validation::from_secured(&doc).map_err(|e| super::error::corrupt("validation", e)));
            if let Some(validation) = self.skip_damaged("validations", key_hex(id.value().as_bytes()), decoded) {
                all.push((validation, bytes.value().to_vec()));
            }
        }
        all.sort_by_key(|(v, _)| v.issued);
        Ok(all)
    }
}
