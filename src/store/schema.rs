//! Schema version and migrations. A migration runs inside the same write
//! transaction that records the new version: all or nothing.

use redb::{Database, ReadableTable, WriteTransaction};

use super::{StoreError, tables::*};

pub const SCHEMA_VERSION: u64 = 1;
const VERSION_KEY: &str = "schema_version";

/// `MIGRATIONS[n]` upgrades schema `n + 1` to `n + 2`.
const MIGRATIONS: &[fn(&WriteTransaction) -> Result<(), StoreError>] = &[];

pub fn prepare(db: &Database) -> Result<(), StoreError> {
    let tx = db.begin_write()?;
    let found = tx.open_table(META)?.get(VERSION_KEY)?.map(|v| v.value());
    match found {
        Some(version) if version > SCHEMA_VERSION => {
            return Err(StoreError::NewerSchema { found: version, supported: SCHEMA_VERSION });
        }
        Some(version) if version == SCHEMA_VERSION => return Ok(()),
        Some(version) => {
            for migrate in &MIGRATIONS[(version - 1) as usize..] {
                migrate(&tx)?;
            }
        }
        None => create_tables(&tx)?,
    }
    tx.open_table(META)?.insert(VERSION_KEY, SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

/// Creates every table so readers never meet a missing one.
fn create_tables(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(PROFILE)?;
    tx.open_table(OWN_LISTINGS)?;
    tx.open_table(SEEN_LISTINGS)?;
    tx.open_table(WITHDRAWN)?;
    tx.open_table(NEGOTIATIONS)?;
    tx.open_table(NEGOTIATION_EVENTS)?;
    tx.open_table(ENDORSEMENTS)?;
    tx.open_table(ENDORSEMENT_SUMMARIES)?;
    tx.open_multimap_table(ENDORSEMENTS_BY_COUNTERPART)?;
    tx.open_multimap_table(ENDORSEMENTS_BY_SKILL)?;
    tx.open_table(PEERS)?;
    Ok(())
}

#[cfg(test)]
pub(crate) fn set_version(db: &Database, version: u64) -> Result<(), StoreError> {
    let tx = db.begin_write()?;
    tx.open_table(META)?.insert(VERSION_KEY, version)?;
    tx.commit()?;
    Ok(())
}
