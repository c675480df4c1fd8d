//! Where an instance lives: `--home DIR` or `AGORA_HOME` puts the key,
//! config, store and logs in one directory (several peers on one machine);
//! otherwise the platform's data and config directories are used.
//!
//! The data directory is private (0700, tightened with a warning when it is
//! open to others) and the key file must be too: a key others can read is
//! refused, as ssh does.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::identity::{Identity, multibase_secret, secret_from_multibase};

#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    #[error("no home directory could be determined; set AGORA_HOME or pass --home DIR")]
    NoPlatformDirs,
    #[error("cannot create {path}: {source}")]
    Create { path: PathBuf, source: std::io::Error },
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path} is not an agora identity key (expected one line `z3u2…`)")]
    BadKey { path: PathBuf },
    #[error("cannot draw random bytes for a new key: {0}")]
    Random(getrandom::Error),
    #[error(
        "{path} is readable by other users (mode {mode:04o}); anyone who reads it can sign as you. \
         Run `chmod 600 {path}` and start again"
    )]
    KeyOpenToOthers { path: PathBuf, mode: u32 },
}

#[derive(Clone, Debug)]
pub struct Home {
    data_dir: PathBuf,
    config_dir: PathBuf,
}

impl Home {
    /// `explicit` comes from `--home` or `AGORA_HOME`.
    pub fn resolve(explicit: Option<PathBuf>) -> Result<Self, HomeError> {
        if let Some(dir) = explicit {
            return Ok(Self { data_dir: dir.clone(), config_dir: dir });
        }
        let dirs = directories::ProjectDirs::from("org", "agora", "agora").ok_or(HomeError::NoPlatformDirs)?;
        Ok(Self { data_dir: dirs.data_dir().to_path_buf(), config_dir: dirs.config_dir().to_path_buf() })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }
    pub fn identity_file(&self) -> PathBuf {
        self.data_dir.join("identity.key")
    }
    pub fn default_store_file(&self) -> PathBuf {
        self.data_dir.join("store.redb")
    }
    /// Where a running agora listens for commands from this home's CLI.
    pub fn control_socket(&self) -> PathBuf {
        self.data_dir.join("control.sock")
    }

    /// The client's log files are `agora.YYYY-MM-DD.log` here, one a day.
    pub fn log_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Creates the data directory mode 0700. When it exists and group or
    /// others may enter it, it is made 0700 and the old mode returned, so
    /// the caller can say so.
    pub fn ensure_data_dir(&self) -> Result<Option<u32>, HomeError> {
        let tightened = crate::files::ensure_private_dir(&self.data_dir)
            .map_err(|source| HomeError::Create { path: self.data_dir.clone(), source })?;
        if let Some(mode) = tightened {
            tracing::warn!(dir = %self.data_dir.display(), "the data directory was open to other users (mode {mode:04o}); made it 0700");
        }
        Ok(tightened)
    }

    /// Loads `identity.key`, creating it (mode 0600) on first run.
    /// Returns the identity and whether it was just created.
    pub fn load_or_create_identity(&self) -> Result<(Identity, bool), HomeError> {
        let path = self.identity_file();
        match read_private(&path) {
            Ok(text) => {
                let seed = secret_from_multibase(text.trim()).map_err(|_| HomeError::BadKey { path: path.clone() })?;
                Ok((Identity::from_secret_bytes(&seed), false))
            }
            Err(KeyRead::OpenToOthers(mode)) => Err(HomeError::KeyOpenToOthers { path, mode }),
            Err(KeyRead::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                self.ensure_data_dir()?;
                let identity = Identity::generate().map_err(HomeError::Random)?;
                write_new_secret(&path, &identity)?;
                // Another process may have won the race; the file on disk is the truth.
                let (identity, _) = self.load_or_create_identity()?;
                Ok((identity, true))
            }
            Err(KeyRead::Io(source)) => Err(HomeError::Read { path, source }),
        }
    }
}

enum KeyRead {
    Io(std::io::Error),
    OpenToOthers(u32),
}

/// Reads the key file, checking the mode of the file it opened (not of
/// whatever the path names a moment later) before reading a byte.
fn read_private(path: &Path) -> Result<String, KeyRead> {
    let file = fs::File::open(path).map_err(KeyRead::Io)?;
    let meta = file.metadata().map_err(KeyRead::Io)?;
    if crate::files::open_to_others(&meta) != 0 {
        #[cfg(unix)]
        let mode = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o7777;
        #[cfg(not(unix))]
        let mode = 0;
        return Err(KeyRead::OpenToOthers(mode));
    }
    let mut text = String::new();
    file.take(4096).read_to_string(&mut text).map_err(KeyRead::Io)?;
    Ok(text)
}

/// Writes the key to a private temporary file, then links it into place
/// without ever replacing an existing key.
fn write_new_secret(path: &Path, identity: &Identity) -> Result<(), HomeError> {
    let create = |source| HomeError::Create { path: path.to_path_buf(), source };
    let temp = path.with_extension(format!("key.tmp{}", std::process::id()));
    let mut file = crate::files::private_options().write(true).create_new(true).open(&temp).map_err(create)?;
    writeln!(file, "{}", multibase_secret(identity)).and_then(|_| file.sync_all()).map_err(create)?;
    let linked = fs::hard_link(&temp, path);
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(create(e)),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_key_others_can_read_is_refused_naming_the_file_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let home = Home::resolve(Some(dir.path().to_path_buf())).unwrap();
        let (created, new) = home.load_or_create_identity().unwrap();
        assert!(new);
        let key = home.identity_file();
        assert_eq!(fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
        for loose in [0o644, 0o640, 0o604] {
            fs::set_permissions(&key, fs::Permissions::from_mode(loose)).unwrap();
            let error = home.load_or_create_identity().unwrap_err();
            let text = error.to_string();
            assert!(matches!(error, HomeError::KeyOpenToOthers { .. }), "{text}");
            assert!(text.contains(&key.display().to_string()) && text.contains("chmod 600"), "{text}");
            assert!(text.contains(&format!("{loose:04o}")), "{text}");
        }
        fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(home.load_or_create_identity().unwrap().0.public(), created.public());
    }
}
