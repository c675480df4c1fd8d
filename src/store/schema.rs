//! Schema version and migrations. Migrations run inside the same write
//! transaction that records the new version: all or nothing.

use redb::{Database, ReadableTable, WriteTransaction};

use super::{StoreError, tables::*};

pub const SCHEMA_VERSION: u64 = 10;
const VERSION_KEY: &str = "schema_version";

/// Upgrades a store by one schema version.
type Migration = fn(&WriteTransaction) -> Result<(), StoreError>;

/// `MIGRATIONS[n]` upgrades schema `n + 1` to `n + 2`; append one whenever
/// `SCHEMA_VERSION` grows.
const MIGRATIONS: &[Migration] = &[
    add_contacts,
    add_peer_profiles,
    add_paused_listings,
    super::migrate5::run,
    add_communities,
    add_goals,
    add_validations,
    add_community_directories,
    super::places::index_held,
];

/// 8 → 9: a directory per community, hide notes, invitations.
fn add_community_directories(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(COMMUNITY_ITEMS)?;
    tx.open_table(COMMUNITY_HASHES)?;
    tx.open_table(HIDE_NOTES)?;
    tx.open_table(UNFOLLOWED)?;
    tx.open_table(INVITATIONS)?;
    Ok(())
}

/// 7 → 8: hubs' validations the user keeps.
fn add_validations(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(VALIDATIONS)?;
    Ok(())
}

/// 6 → 7: a learner's goals.
fn add_goals(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(GOALS)?;
    Ok(())
}

/// 5 → 6: communities' charters and the ones joined.
fn add_communities(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(CHARTERS)?;
    tx.open_table(JOINED_COMMUNITIES)?;
    Ok(())
}

/// 3 → 4: paused own listings.
fn add_paused_listings(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(PAUSED_LISTINGS)?;
    Ok(())
}

/// 2 → 3: others' profiles.
fn add_peer_profiles(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(PEER_PROFILES)?;
    Ok(())
}

/// 1 → 2: the contacts table.
fn add_contacts(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(CONTACTS)?;
    Ok(())
}

/// For a read-only handle: the schema must be exactly this build's.
pub fn check(db: &super::Handle) -> Result<(), StoreError> {
    let tx = db.read()?;
    let found = match tx.open_table(META) {
        Ok(table) => table.get(VERSION_KEY)?.map(|v| v.value()),
        Err(redb::TableError::TableDoesNotExist(_)) => None,
        Err(e) => return Err(e.into()),
    };
    match found {
        Some(version) if version == SCHEMA_VERSION => Ok(()),
        Some(version) if version > SCHEMA_VERSION => {
            Err(StoreError::NewerSchema { found: version, supported: SCHEMA_VERSION })
        }
        Some(version) => Err(StoreError::OlderSchema { found: version }),
        None => Err(StoreError::OlderSchema { found: 0 }),
    }
}

pub fn prepare(db: &Database) -> Result<(), StoreError> {
    prepare_with(db, SCHEMA_VERSION, MIGRATIONS)
}

fn prepare_with(db: &Database, current: u64, migrations: &[Migration]) -> Result<(), StoreError> {
    let tx = db.begin_write()?;
    let found = tx.open_table(META)?.get(VERSION_KEY)?.map(|v| v.value());
    match found {
        Some(version) if version > current => {
            return Err(StoreError::NewerSchema { found: version, supported: current });
        }
        Some(version) if version == current => return Ok(()),
        Some(version) => {
            let pending = migrations.get(version.saturating_sub(1) as usize..).unwrap_or_default();
            for migrate in pending {
                migrate(&tx)?;
            }
        }
        None => create_tables(&tx)?,
    }
    tx.open_table(META)?.insert(VERSION_KEY, current)?;
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
    tx.open_table(CHAT)?;
    tx.open_table(COSIGN)?;
    tx.open_table(PRIVATE_ENDORSEMENTS)?;
    tx.open_table(CONTACTS)?;
    tx.open_table(PEER_PROFILES)?;
    tx.open_table(PAUSED_LISTINGS)?;
    super::migrate5::create(tx)?;
    add_communities(tx)?;
    add_goals(tx)?;
    add_validations(tx)?;
    add_community_directories(tx)?;
    super::places::index_held(tx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableDatabase, TableDefinition};

    const ADDED: TableDefinition<&str, u64> = TableDefinition::new("added_by_migration");

    fn add_table(tx: &WriteTransaction) -> Result<(), StoreError> {
        tx.open_table(ADDED)?.insert("marker", 7)?;
        Ok(())
    }

    fn failing(_: &WriteTransaction) -> Result<(), StoreError> {
        Err(StoreError::Corrupt { what: "test", reason: "migration failed".into() })
    }

    fn version(db: &Database) -> u64 {
        db.begin_read().unwrap().open_table(META).unwrap().get(VERSION_KEY).unwrap().unwrap().value()
    }

    #[test]
    fn migrations_run_once_in_order_and_record_the_version() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("s.redb")).unwrap();
        prepare_with(&db, 1, &[]).unwrap();
        prepare_with(&db, 2, &[add_table]).unwrap();
        assert_eq!(version(&db), 2);
        let marker = db.begin_read().unwrap().open_table(ADDED).unwrap().get("marker").unwrap().unwrap().value();
        assert_eq!(marker, 7);
        prepare_with(&db, 2, &[failing]).unwrap(); // already current: nothing runs
    }

    #[test]
    fn a_schema_1_store_gains_the_later_tables() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("s.redb")).unwrap();
        prepare_with(&db, 1, &[]).unwrap();
        let tx = db.begin_write().unwrap();
        tx.delete_table(CONTACTS).unwrap(); // as schema 1 had it
        tx.delete_table(PEER_PROFILES).unwrap();
        tx.delete_table(PAUSED_LISTINGS).unwrap();
        tx.commit().unwrap();
        prepare(&db).unwrap();
        assert_eq!(version(&db), SCHEMA_VERSION);
        db.begin_read().unwrap().open_table(CONTACTS).expect("contacts table after the upgrade");
        db.begin_read().unwrap().open_table(PEER_PROFILES).expect("profiles table after the upgrade");
        db.begin_read().unwrap().open_table(PAUSED_LISTINGS).expect("paused table after the upgrade");
    }

    #[test]
    fn a_failing_migration_leaves_the_old_version() {
        let dir = tempfile::tempdir().unwrap();
        let db = Database::create(dir.path().join("s.redb")).unwrap();
        prepare_with(&db, 1, &[]).unwrap();
        assert!(prepare_with(&db, 3, &[add_table, failing]).is_err());
        assert_eq!(version(&db), 1);
        assert!(db.begin_read().unwrap().open_table(ADDED).is_err(), "the first step was rolled back too");
    }
}
