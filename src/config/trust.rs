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

/// Pins `peer` (or unpins it) in the user's file, keeping every other key
/// and the comments (those beside other pins too); returns the config as it
/// now loads.
pub fn set_pinned(user_file: &Path, peer: &PublicKey, pinned: bool) -> Result<Config, ConfigError> {
    super::edit::edit_user_file(user_file, |doc, invalid| {
        let trust = super::edit::table_in(doc, "trust", invalid)?;
        let peer_did = did_key_from_public(peer);
        match trust.get_mut("pinned").map(|item| item.as_array_mut()) {
            Some(Some(dids)) => {
                dids.retain(|d| d.as_str() != Some(&peer_did));
                if pinned {
                    dids.push(peer_did);
                }
            }
            Some(None) => return Err(invalid("`trust.pinned` is not a list".into())),
            None if pinned => {
                super::edit::set(trust, "pinned", [peer_did].into_iter().collect::<toml_edit::Array>().into())
            }
            None => {}
        }
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
    fn pinning_keeps_the_comments() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let grace = did_key_from_public(&crate::identity::Identity::from_secret_bytes(&[3; 32]).public());
        let text = format!("# trust settings\n[trust]\npinned = [\n  \"{grace}\", # Grace, met in Lisbon\n]\n");
        std::fs::write(&file, text).unwrap();
        let ada = crate::identity::Identity::from_secret_bytes(&[2; 32]).public();
        assert_eq!(set_pinned(&file, &ada, true).unwrap().trust.pinned.len(), 2);
        assert_eq!(set_pinned(&file, &ada, false).unwrap().trust.pinned, [grace]);
        let after = std::fs::read_to_string(&file).unwrap();
        assert!(after.contains("# trust settings") && after.contains("# Grace, met in Lisbon"), "{after}");
    }

    #[test]
    fn a_bad_pin_names_the_key() {
        let error = Config::parse("[trust]\npinned = [\"did:key:nope\"]\n", Path::new("c.toml")).unwrap_err();
        assert!(error.to_string().contains("`trust.pinned`"), "{error}");
    }
}
