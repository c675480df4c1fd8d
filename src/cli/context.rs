//! What a command needs, opened lazily: the home, its config, the key, the store.

use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Context as _;

use crate::config::Config;
use crate::home::Home;
use crate::identity::Identity;
use crate::store::{DamageCount, Store, StoreError};

pub struct Context {
    pub home: Home,
    /// The damaged-record counters of every store opened, for the note at
    /// the end of the command.
    opened: Mutex<Vec<DamageCount>>,
}

impl Context {
    pub fn new(home: Option<PathBuf>) -> anyhow::Result<Self> {
        Ok(Self { home: Home::resolve(home)?, opened: Mutex::default() })
    }

    fn opened(&self, store: Store) -> Store {
        self.opened.lock().unwrap_or_else(|e| e.into_inner()).push(store.damage());
        store
    }

    /// Says on stderr how many damaged records the command's reads
    /// skipped, if any (each is in the log with its table and key).
    pub fn report_damage(&self) {
        let skipped: usize = self.opened.lock().unwrap_or_else(|e| e.into_inner()).iter().map(DamageCount::get).sum();
        if skipped > 0 {
            let plural = if skipped == 1 { "record was" } else { "records were" };
            eprintln!(
                "note: {skipped} damaged {plural} skipped; see the log in {}",
                crate::text::safe(self.home.log_dir().display())
            );
        }
    }

    pub fn config(&self) -> anyhow::Result<Config> {
        Ok(Config::load(&self.home.config_file())?)
    }

    /// The user's identity, created on first use.
    pub fn identity(&self) -> anyhow::Result<Identity> {
        let (identity, created) = self.home.load_or_create_identity()?;
        if created {
            eprintln!("Created a new identity in {}", self.home.identity_file().display());
            tracing::info!(did = %identity.did(), "created identity");
        }
        Ok(identity)
    }

    pub fn store_path(&self, config: &Config) -> PathBuf {
        if config.storage.path.is_empty() {
            self.home.default_store_file()
        } else {
            let path = PathBuf::from(&config.storage.path);
            if path.is_absolute() { path } else { self.home.data_dir().join(path) }
        }
    }

    /// The store, to write: fails with [`StoreError::AlreadyInUse`] while
    /// an agora runs on this home.
    pub fn store(&self) -> anyhow::Result<Store> {
        let config = self.config()?;
        self.home.ensure_data_dir()?;
        let path = self.store_path(&config);
        Store::open(&path).map(|s| self.opened(s)).with_context(|| "opening the store")
    }

    /// The store, to read: beside a running agora if there is one. Falls
    /// back to opening it as the writer when it is new, needs an upgrade or
    /// needs repair after a crash (only a writer may do those).
    pub fn store_to_read(&self) -> anyhow::Result<Store> {
        let config = self.config()?;
        let path = self.store_path(&config);
        if !path.exists() {
            return self.store();
        }
        match Store::open_read_only(&path) {
            Ok(store) => Ok(self.opened(store)),
            Err(read_error) => match Store::open(&path) {
                Ok(store) => Ok(self.opened(store)),
                Err(StoreError::AlreadyInUse(_)) => Err(read_error).context("opening the store"),
                Err(e) => Err(e).context("opening the store"),
            },
        }
    }

    /// Whether another agora process has this home's store open to write.
    pub fn node_running(&self) -> anyhow::Result<bool> {
        match self.store() {
            Ok(_) => Ok(false),
            Err(e) if is_in_use(&e) => Ok(true),
            Err(e) => Err(e),
        }
    }

    /// The time zone for new listings: the profile's, else this computer's.
    pub fn time_zone(&self, config: &Config) -> String {
        if !config.profile.time_zone.is_empty() {
            return config.profile.time_zone.clone();
        }
        jiff::tz::TimeZone::system().iana_name().unwrap_or("UTC").to_owned()
    }
}

/// Whether `error` says another agora process owns the store.
pub fn is_in_use(error: &anyhow::Error) -> bool {
    error.downcast_ref::<StoreError>().is_some_and(|e| matches!(e, StoreError::AlreadyInUse(_)))
}
