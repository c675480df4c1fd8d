//! `[trust]`: the peers a user pinned. Trust, as the client computes it,
//! starts from the people you co-signed sessions with; pinned peers are
//! added to that circle, so whoever they learned from or taught is within
//! reach too. Pinning is saved by editing the user's `config.toml`.

use std::path::Path;

use serde::Deserialize;

use super::{Config, ConfigError};
use crate::identity::{PublicKey, did_key_from_public, public_from_did_key};

/// At most this many pinned peers.
pub const MAX_PINNED: usize = 256;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TrustConfig {
    /// did:key identifiers of pinned peers.
    pub pinned: Vec<String>,
}

impl TrustConfig {
    /// The pinned peers' keys (checked when the config loads).
    pub fn pinned_keys(&self) -> Vec<PublicKey> {
        self.pinned.iter().filter_map(|did| public_from_did_key(did).ok()).collect()
    }

    pub(super) fn validate(&self) -> Result<(), String> {
        if self.pinned.len() > MAX_PINNED {
            return Err(format!("`trust.pinned`: at most {MAX_PINNED} peers"));
        }
        for did in &self.pinned {
            public_from_did_key(did).map_err(|e| format!("`trust.pinned`: `{did}`: {e}"))?;
        }
        Ok(())
    }
}

/// Pins `peer` (or unpins it) in the user's file, keeping every other key;
/// returns the config as it now loads.
pub fn set_pinned(user_file: &Path, peer: &PublicKey, pinned: bool) -> Result<Config, ConfigError> {
    super::edit::edit_user_file(user_file, |table, invalid| {
        let trust = table.entry("trust").or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(trust) = trust else { return Err(invalid("`trust` is not a table".into())) };
        let peer_did = did_key_from_public(peer);
        let mut dids: Vec<toml::Value> = match trust.get("pinned") {
            Some(toml::Value::Array(items)) => {
                items.iter().filter(|d| d.as_str() != Some(&peer_did)).cloned().collect()
            }
            _ => Vec::new(),
        };
        if pinned {
            dids.push(toml::Value::String(peer_did));
        }
        trust.insert("pinned".into(), toml::Value::Array(dids));
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_and_unpins_keeping_other_keys() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "[network]\nrelay = \"disabled\"\n").unwrap();
        let ada = crate::identity::Identity::from_secret_bytes(&[2; 32]).public();
        let config = set_pinned(&file, &ada, true).unwrap();
        assert_eq!(config.trust.pinned_keys(), vec![ada]);
        assert_eq!(config.network.relay, crate::config::RelayMode::Disabled);
        assert_eq!(set_pinned(&file, &ada, true).unwrap().trust.pinned.len(), 1, "pinning twice keeps one");
        assert!(set_pinned(&file, &ada, false).unwrap().trust.pinned.is_empty());
        assert!(Config::load(&file).unwrap().trust.pinned.is_empty());
    }

    #[test]
    fn a_bad_pin_names_the_key() {
        let error = Config::parse("[trust]\npinned = [\"did:key:nope\"]\n", Path::new("c.toml")).unwrap_err();
        assert!(error.to_string().contains("`trust.pinned`"), "{error}");
    }
}
