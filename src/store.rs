//! The local store: one redb file per instance.
//!
//! Every write is one redb transaction, committed durably, so a process
//! killed at any moment leaves the file holding whole records only. redb
//! locks the file, so a second process opening the same store gets
//! [`StoreError::AlreadyInUse`] instead of corrupting it.
//!
//! Signed things go in only as [`crate::wire::Verified`] envelopes or
//! [`crate::endorse::VerifiedEndorsement`]s, and are kept as the exact bytes
//! that were verified.

mod directory;
mod directory_batch;
mod endorsements;
mod error;
mod listings;
mod negotiations;
mod outbox;
mod peers;
mod schema;
mod session;
mod tables;

pub use directory::DigestEntry;
pub use directory_batch::DirectoryBatch;
pub use endorsements::EndorsementSummary;
pub use error::StoreError;
pub use negotiations::Applied;
pub use outbox::{MAX_BACKOFF, OutboxKey, Queued};
pub use peers::PeerRecord;
pub use schema::SCHEMA_VERSION;
pub use session::CosignState;

use std::path::{Path, PathBuf};

use redb::Database;

pub struct Store {
    db: Database,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the store at `path`, migrating older schemas.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Database::create(path).map_err(|e| match e {
            redb::DatabaseError::DatabaseAlreadyOpen => StoreError::AlreadyInUse(path.to_path_buf()),
            other => StoreError::Open { path: path.to_path_buf(), reason: other.to_string() },
        })?;
        let store = Self { db, path: path.to_path_buf() };
        schema::prepare(&store.db)?;
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}
