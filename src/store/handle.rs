//! The open database: the one writer (the running agora) or a read-only
//! reader that follows the writer's commits from another process, so that
//! scripts can list a store while a node runs on it.
//!
//! A store file that exists is only ever opened, never initialized again:
//! an empty file or one that is not a redb database is an error naming the
//! file (the records may be recoverable from a backup), not a fresh empty
//! store. A new store is initialized under a temporary name, private
//! (0600) from its first byte, and then linked into place.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use redb::{Builder, ConcurrencyMode, Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, WriteTransaction};

use super::StoreError;

/// The first bytes of every redb file.
const REDB_MAGIC: [u8; 9] = [b'r', b'e', b'd', b'b', 0x1A, 0x0A, 0xA9, 0x0D, 0x0A];

enum Db {
    Writer(Database),
    Reader(ReadOnlyDatabase),
}

pub struct Handle {
    db: Db,
    /// Damaged records skipped by reads through this handle.
    pub(super) damaged: Arc<AtomicUsize>,
}

impl Handle {
    /// Opens the store as its single writer, creating it when there is no
    /// file at `path`.
    pub fn writer(path: &Path) -> Result<Self, StoreError> {
        if !path.exists() {
            create_new(path)?;
        }
        check_is_a_store(path)?;
        if let Ok(Some(mode)) = crate::files::tighten(path, 0o600) {
            tracing::warn!(path = %path.display(), "the store was open to other users (mode {mode:04o}); made it 0600");
        }
        builder().open(path).map(|db| Self::new(Db::Writer(db))).map_err(|e| open_error(path, e))
    }

    /// A store that lives in memory only (the simulator's peers, tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        // No other process can share memory: the default (single process)
        // concurrency mode, which the in-memory backend needs.
        Builder::new()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map(|db| Self::new(Db::Writer(db)))
            .map_err(|e| StoreError::Open { path: "(memory)".into(), reason: e.to_string() })
    }

    /// Opens an existing store to read, beside a writer if one runs.
    pub fn reader(path: &Path) -> Result<Self, StoreError> {
        check_is_a_store(path)?;
        builder().open_read_only(path).map(|db| Self::new(Db::Reader(db))).map_err(|e| open_error(path, e))
    }

    fn new(db: Db) -> Self {
        Self { db, damaged: Arc::default() }
    }

    pub fn read(&self) -> Result<ReadTransaction, redb::TransactionError> {
        match &self.db {
            Db::Writer(db) => db.begin_read(),
            Db::Reader(db) => db.begin_read(),
        }
    }

    pub fn write(&self) -> Result<WriteTransaction, StoreError> {
        match &self.db {
            Db::Writer(db) => Ok(db.begin_write()?),
            Db::Reader(_) => Err(StoreError::ReadOnly),
        }
    }

    pub fn as_writer(&self) -> Option<&Database> {
        match &self.db {
            Db::Writer(db) => Some(db),
            Db::Reader(_) => None,
        }
    }
}

fn builder() -> Builder {
    let mut builder = Builder::new();
    builder.set_concurrency_mode(ConcurrencyMode::SingleWriter);
    builder
}

/// Initializes an empty database in a private temporary file beside
/// `path`, then links it to `path` unless another process got there first.
fn create_new(path: &Path) -> Result<(), StoreError> {
    let failed = |e: std::io::Error| StoreError::Open { path: path.to_path_buf(), reason: e.to_string() };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temp = tempfile::Builder::new().prefix(".store-new-").suffix(".redb").tempfile_in(dir).map_err(failed)?;
    drop(builder().create(temp.path()).map_err(|e| open_error(path, e))?);
    match temp.persist_noclobber(path) {
        Ok(_) => {}
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(failed(e.error)),
    }
    crate::files::sync_dir(dir);
    Ok(())
}

/// An existing file must start like a redb database; otherwise it is
/// refused as it is, with what to do about it.
fn check_is_a_store(path: &Path) -> Result<(), StoreError> {
    let not_a_store = |what: String| StoreError::NotAStore { path: path.to_path_buf(), what };
    let mut file =
        std::fs::File::open(path).map_err(|e| StoreError::Open { path: path.to_path_buf(), reason: e.to_string() })?;
    let mut head = Vec::with_capacity(REDB_MAGIC.len());
    (&mut file)
        .take(REDB_MAGIC.len() as u64)
        .read_to_end(&mut head)
        .map_err(|e| StoreError::Open { path: path.to_path_buf(), reason: e.to_string() })?;
    match head.len() {
        0 => Err(not_a_store("it is empty (0 bytes)".into())),
        _ if head != REDB_MAGIC => Err(not_a_store("it is not a redb database".into())),
        _ => Ok(()),
    }
}

fn open_error(path: &Path, error: redb::DatabaseError) -> StoreError {
    match error {
        redb::DatabaseError::DatabaseAlreadyOpen => StoreError::AlreadyInUse(path.to_path_buf()),
        other => StoreError::Open { path: path.to_path_buf(), reason: other.to_string() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_foreign_file_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        for contents in [&b""[..], b"not a database at all, just text", b"redb"] {
            std::fs::write(&path, contents).unwrap();
            for error in [Handle::writer(&path).err().unwrap(), Handle::reader(&path).err().unwrap()] {
                let text = error.to_string();
                assert!(matches!(error, StoreError::NotAStore { .. }), "{text}");
                assert!(text.contains(&path.display().to_string()) && text.contains("move it away"), "{text}");
            }
            assert_eq!(std::fs::read(&path).unwrap(), contents, "nothing was written to it");
        }
    }

    #[test]
    fn a_new_store_appears_whole_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.redb");
        drop(Handle::writer(&path).unwrap());
        check_is_a_store(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["store.redb"], "no temporary file is left");
        drop(Handle::writer(&path).unwrap());
    }
}
