//! The open database: the one writer (the running agora) or a read-only
//! reader that follows the writer's commits from another process, so that
//! scripts can list a store while a node runs on it.

use std::path::Path;

use redb::{Builder, ConcurrencyMode, Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, WriteTransaction};

use super::StoreError;

pub enum Handle {
    Writer(Database),
    Reader(ReadOnlyDatabase),
}

impl Handle {
    /// Opens (or creates) the store as its single writer.
    pub fn writer(path: &Path) -> Result<Self, StoreError> {
        builder().create(path).map(Handle::Writer).map_err(|e| open_error(path, e))
    }

    /// A store that lives in memory only (the simulator's peers, tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        // No other process can share memory: the default (single process)
        // concurrency mode, which the in-memory backend needs.
        Builder::new()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map(Handle::Writer)
            .map_err(|e| StoreError::Open { path: "(memory)".into(), reason: e.to_string() })
    }

    /// Opens an existing store to read, beside a writer if one runs.
    pub fn reader(path: &Path) -> Result<Self, StoreError> {
        builder().open_read_only(path).map(Handle::Reader).map_err(|e| open_error(path, e))
    }

    pub fn read(&self) -> Result<ReadTransaction, redb::TransactionError> {
        match self {
            Handle::Writer(db) => db.begin_read(),
            Handle::Reader(db) => db.begin_read(),
        }
    }

    pub fn write(&self) -> Result<WriteTransaction, StoreError> {
        match self {
            Handle::Writer(db) => Ok(db.begin_write()?),
            Handle::Reader(_) => Err(StoreError::ReadOnly),
        }
    }

    pub fn as_writer(&self) -> Option<&Database> {
        match self {
            Handle::Writer(db) => Some(db),
            Handle::Reader(_) => None,
        }
    }
}

fn builder() -> Builder {
    let mut builder = Builder::new();
    builder.set_concurrency_mode(ConcurrencyMode::SingleWriter);
    builder
}

fn open_error(path: &Path, error: redb::DatabaseError) -> StoreError {
    match error {
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::AlreadyInUse(path.to_path_buf()),
        other => StoreError::Open { path: path.to_path_buf(), reason: other.to_string() },
    }
}
