//! The local store: one redb file per instance.
//!
//! Every write is one redb transaction, committed durably, so a process
//! killed at any moment leaves the file holding whole records only. redb
//! locks the file: one process writes (a second writer gets
//! [`StoreError::AlreadyInUse`] instead of corrupting it), while any number
//! of others may open it read-only ([`Store::open_read_only`]) and see its
//! commits as they land.
//!
//! Signed things go in only as [`crate::wire::Verified`] envelopes or
//! [`crate::endorse::VerifiedEndorsement`]s, and are kept as the exact bytes
//! that were verified.

mod communities;
mod contacts;
mod damaged;
mod directory;
mod directory_batch;
mod endorsements;
mod error;
mod handle;
mod items;
mod listings;
mod migrate5;
mod moderation;
mod negotiations;
mod outbox;
mod paused;
mod peers;
mod places;
mod presentable;
mod schema;
mod session;
mod tables;
mod validations;

pub use communities::{CharterStored, MAX_CHARTER_VERSIONS_HELD, MAX_COMMUNITIES_JOINED};
pub use contacts::MAX_CONTACTS;
pub use damaged::DamageCount;
pub use directory_batch::{DirectoryBatch, Kept, Withdrawn};
pub use endorsements::EndorsementSummary;
pub use error::StoreError;
pub use items::Item as DirectoryItem;
pub use moderation::{MAX_NOTES_PER_COMMUNITY, NoteStored};
pub use negotiations::{Applied, LogChange};
pub use outbox::{OutboxKey, Queued, Slot};
pub use peers::PeerRecord;
pub use schema::SCHEMA_VERSION;
pub use session::CosignState;
pub use validations::MAX_VALIDATIONS;

use std::path::{Path, PathBuf};

use handle::Handle;

pub struct Store {
    db: Handle,
    path: PathBuf,
}

impl Store {
    /// Opens (or creates) the store at `path`, migrating older schemas.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let db = Handle::writer(path)?;
        if let Some(writer) = db.as_writer() {
            schema::prepare(writer)?;
        }
        Ok(Self { db, path: path.to_path_buf() })
    }

    /// A store in memory, gone when dropped: the simulator's peers and
    /// tests that need no file.
    pub fn in_memory() -> Result<Self, StoreError> {
        let db = Handle::in_memory()?;
        if let Some(writer) = db.as_writer() {
            schema::prepare(writer)?;
        }
        Ok(Self { db, path: PathBuf::from("(memory)") })
    }

    /// Opens an existing store to read only, even while another process
    /// (a running node) writes to it. Writes return [`StoreError::ReadOnly`].
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let db = Handle::reader(path)?;
        schema::check(&db)?;
        Ok(Self { db, path: path.to_path_buf() })
    }

    /// Whether this handle may write.
    pub fn is_writable(&self) -> bool {
        self.db.as_writer().is_some()
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
