//! What a command needs, opened lazily: the home, its config, the key, the store.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::config::Config;
use crate::home::Home;
use crate::identity::Identity;
use crate::store::Store;

pub struct Context {
    pub home: Home,
}

impl Context {
    pub fn new(home: Option<PathBuf>) -> anyhow::Result<Self> {
        Ok(Self { home: Home::resolve(home)? })
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

    pub fn store(&self) -> anyhow::Result<Store> {
        let config = self.config()?;
        self.home.ensure_data_dir()?;
        let path = self.store_path(&config);
        Store::open(&path).with_context(|| "opening the store")
    }

    /// The time zone for new listings: the profile's, else this computer's.
    pub fn time_zone(&self, config: &Config) -> String {
        if !config.profile.time_zone.is_empty() {
            return config.profile.time_zone.clone();
        }
        jiff::tz::TimeZone::system().iana_name().unwrap_or("UTC").to_owned()
    }
}
