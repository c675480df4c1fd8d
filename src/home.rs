//! Where an instance lives: `--home DIR` or `AGORA_HOME` puts the key,
//! config, store and logs in one directory (several peers on one machine);
//! otherwise the platform's data and config directories are used.

use std::fs;
use std::io::Write;
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

    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join("agora.log")
    }

    pub fn ensure_data_dir(&self) -> Result<(), HomeError> {
        fs::create_dir_all(&self.data_dir).map_err(|source| HomeError::Create { path: self.data_dir.clone(), source })
    }

    /// Loads `identity.key`, creating it (mode 0600) on first run.
    /// Returns the identity and whether it was just created.
    pub fn load_or_create_identity(&self) -> Result<(Identity, bool), HomeError> {
        let path = self.identity_file();
        match fs::read_to_string(&path) {
            Ok(text) => {
                let seed = secret_from_multibase(text.trim()).map_err(|_| HomeError::BadKey { path: path.clone() })?;
                warn_if_readable_by_others(&path);
                Ok((Identity::from_secret_bytes(&seed), false))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                self.ensure_data_dir()?;
                let identity = Identity::generate().map_err(HomeError::Random)?;
                write_new_secret(&path, &identity)?;
                // Another process may have won the race; the file on disk is the truth.
                let (identity, _) = self.load_or_create_identity()?;
                Ok((identity, true))
            }
            Err(source) => Err(HomeError::Read { path, source }),
        }
    }
}

/// Writes the key to a private temporary file, then links it into place
/// without ever replacing an existing key.
fn write_new_secret(path: &Path, identity: &Identity) -> Result<(), HomeError> {
    let create = |source| HomeError::Create { path: path.to_path_buf(), source };
    let temp = path.with_extension(format!("key.tmp{}", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp).map_err(create)?;
    writeln!(file, "{}", multibase_secret(identity)).and_then(|_| file.sync_all()).map_err(create)?;
    let linked = fs::hard_link(&temp, path);
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(create(e)),
    }
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    if let Ok(meta) = fs::metadata(path) {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "identity key is readable by other users; run chmod 600 on it");
        }
    }
}
