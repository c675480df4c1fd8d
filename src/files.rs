//! Files only their owner may read: directories made 0700, files 0600
//! (on Unix; elsewhere the platform's defaults), and whole-file
//! replacement through a temporary file in the same directory, so a crash
//! or a full disk leaves either the old contents or the new, never half.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// Group and other permission bits: none of them may be set on private files.
pub const OTHERS: u32 = 0o077;

/// Creates `dir` mode 0700 if it is missing (its missing parents get the
/// usual mode). Returns the mode it had when it was open to others and was
/// made private now, so the caller can say so; `None` otherwise. A
/// directory whose mode cannot be changed (another user's, or on a file
/// system without Unix modes) is used as it is, with a warning in the log.
pub fn ensure_private_dir(dir: &Path) -> io::Result<Option<u32>> {
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Ok(()) => Ok(None),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => match tighten(dir, 0o700) {
            Ok(tightened) => Ok(tightened),
            Err(e) => {
                tracing::warn!(dir = %dir.display(), "cannot make the directory private: {e}");
                Ok(None)
            }
        },
        Err(e) => Err(e),
    }
}

/// Takes group and other permissions off `path` (to `private`, e.g. 0600)
/// when it has any. Returns the mode it had then.
pub fn tighten(path: &Path, private: u32) -> io::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(path)?.permissions().mode() & 0o7777;
        if mode & OTHERS != 0 {
            fs::set_permissions(path, fs::Permissions::from_mode(private))?;
            return Ok(Some(mode));
        }
    }
    #[cfg(not(unix))]
    let _ = (path, private);
    Ok(None)
}

/// The permission bits that group or others hold on a file (0 when none,
/// and always 0 off Unix).
pub fn open_to_others(meta: &fs::Metadata) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.permissions().mode() & OTHERS
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0
    }
}

/// Options that create a file mode 0600 (an existing file keeps its mode).
pub fn private_options() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Writes `bytes` to `path`, creating it mode 0600 or truncating it (for
/// exports a user names, which may be special files such as a pipe).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    private_options().write(true).create(true).truncate(true).open(path)?.write_all(bytes)
}

/// Replaces `path` with `bytes` as a whole: written to a private temporary
/// file beside it, flushed to disk, then renamed over it.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    replace_with(path, bytes, |_| Ok(()))
}

/// [`replace`], with `before_rename` run on the written temporary file
/// (tests use it to fail midway).
pub fn replace_with(path: &Path, bytes: &[u8], before_rename: impl FnOnce(&Path) -> io::Result<()>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // tempfile creates it mode 0600 and removes it if anything below fails.
    let mut temp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    before_rename(temp.path())?;
    temp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

/// Makes a rename in `dir` durable (best effort: not every platform can).
pub fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn directories_are_made_private_and_loose_ones_tightened() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        assert_eq!(ensure_private_dir(&dir).unwrap(), None);
        assert_eq!(mode(&dir), 0o700);
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(ensure_private_dir(&dir).unwrap(), Some(0o755));
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(ensure_private_dir(&dir).unwrap(), None, "once private, nothing to say");
    }

    #[test]
    fn replace_writes_a_private_file_and_a_failure_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        replace(&file, b"one").unwrap();
        assert_eq!((fs::read(&file).unwrap(), mode(&file)), (b"one".to_vec(), 0o600));
        let failed = replace_with(&file, b"two", |temp| {
            assert_eq!(fs::read(temp).unwrap(), b"two", "the new text is complete before the rename");
            Err(io::Error::other("disk pulled out"))
        });
        assert!(failed.is_err());
        assert_eq!(fs::read(&file).unwrap(), b"one", "the old file is untouched");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, ["config.toml"], "no temporary file is left behind");
    }

    #[test]
    fn write_private_creates_0600() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("export.json");
        write_private(&file, b"{}").unwrap();
        assert_eq!(mode(&file), 0o600);
    }
}
