//! Configuration: the repository's `config.toml` holds the documented
//! defaults (compiled in), and the user's `config.toml` overrides it key by
//! key. Unknown keys and wrong types are errors that name the key.

mod edit;
mod hub;
mod keys;
mod merge;
mod trust;

pub use edit::{ProfileChoice, save_profile};
pub use hub::{Approval, HubConfig};
pub use keys::{KeyChord, KeyCode};
pub use trust::{TrustConfig, set_pinned};

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::endorse::timebank::DebtLimit;
use crate::wire::{check_tag, check_text};

/// The documented defaults, exactly as shipped at the repository root.
pub const DEFAULT_CONFIG: &str = include_str!("../config.toml");

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("cannot write {path}: {source} (the file was left as it was)")]
    Write { path: PathBuf, source: std::io::Error },
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub communities: Vec<String>,
    pub profile: ProfileConfig,
    pub network: NetworkConfig,
    pub storage: StorageConfig,
    pub credits: CreditsConfig,
    pub tui: TuiConfig,
    pub trust: TrustConfig,
    pub hub: HubConfig,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    pub name: String,
    pub bio: String,
    pub languages: Vec<String>,
    pub time_zone: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    pub bind: IpAddr,
    pub port: u16,
    pub relay: RelayMode,
    /// A PEM file with the certificate authority of your own relay (for a
    /// relay whose certificate no public authority signed); empty: none.
    pub relay_ca: String,
    /// Where addresses are published and looked up by endpoint id.
    pub address_lookup: AddressLookup,
    pub lan_discovery: bool,
    pub bootstrap: Vec<String>,
    /// did:key identifiers of peers whose messages are dropped.
    pub blocked: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RelayMode {
    /// The public relays of the iroh network.
    Default,
    /// No relays: LAN and direct addresses only.
    Disabled,
    /// A relay of your own.
    Custom(String),
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub path: String,
    pub max_seen_listings: u32,
}

/// Time credits: the timebank recomputed from co-signed endorsements.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CreditsConfig {
    /// Whether to check a learner's balance before accepting a session on
    /// a listing priced in credits.
    pub require_debt_limit: bool,
    /// How far below zero (in hours) that balance may go after the session.
    pub debt_limit_hours: f64,
}

impl CreditsConfig {
    /// The limit this teacher requires, if any (checked in validation).
    pub fn debt_limit(&self) -> Option<DebtLimit> {
        self.require_debt_limit.then(|| DebtLimit::from_hours(self.debt_limit_hours).unwrap_or_default())
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    Dark,
    Light,
    Mono,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TuiConfig {
    pub theme: Theme,
    pub mouse: bool,
    pub keys: KeyBindings,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KeyBindings {
    pub quit: KeyChord,
    pub help: KeyChord,
    pub search: KeyChord,
    pub next_tab: KeyChord,
    pub prev_tab: KeyChord,
    pub up: KeyChord,
    pub down: KeyChord,
    pub open: KeyChord,
    pub back: KeyChord,
    pub new: KeyChord,
    pub edit: KeyChord,
    pub delete: KeyChord,
    pub pause: KeyChord,
    pub propose: KeyChord,
    pub accept: KeyChord,
    pub decline: KeyChord,
    pub counter: KeyChord,
    pub chat: KeyChord,
    pub endorse: KeyChord,
    pub cancel: KeyChord,
    pub start: KeyChord,
    pub complete: KeyChord,
    pub block: KeyChord,
    pub pin: KeyChord,
    pub connect: KeyChord,
    pub export: KeyChord,
    pub filter_kind: KeyChord,
    pub filter_price: KeyChord,
    pub filter_level: KeyChord,
    pub filter_language: KeyChord,
    pub filter_overlap: KeyChord,
    pub filter_rating: KeyChord,
    pub filter_community: KeyChord,
    pub show_hidden: KeyChord,
    pub validate: KeyChord,
    pub fast_forward: KeyChord,
    pub join: KeyChord,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressLookup {
    /// The public pkarr/DNS servers of the iroh network (with relays on).
    Default,
    /// None: peers meet through tickets, LAN and relays only.
    None,
    /// A pkarr relay of your own (your community's), by URL.
    Custom(String),
}

impl<'de> Deserialize<'de> for AddressLookup {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "default" => Ok(AddressLookup::Default),
            "none" => Ok(AddressLookup::None),
            url if (url.starts_with("https://") || url.starts_with("http://"))
                && !url.contains(char::is_whitespace) =>
            {
                Ok(AddressLookup::Custom(url.to_owned()))
            }
            other => Err(serde::de::Error::custom(format!(
                "`{other}` is not \"default\", \"none\" or the URL of a pkarr relay"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for RelayMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_str() {
            "default" => Ok(RelayMode::Default),
            "disabled" => Ok(RelayMode::Disabled),
            url if (url.starts_with("https://") || url.starts_with("http://"))
                && !url.contains(char::is_whitespace) =>
            {
                Ok(RelayMode::Custom(url.to_owned()))
            }
            other => {
                Err(serde::de::Error::custom(format!("`{other}` is not \"default\", \"disabled\" or a relay URL")))
            }
        }
    }
}

impl Config {
    /// The built-in defaults.
    pub fn defaults() -> Self {
        Self::parse(DEFAULT_CONFIG, Path::new("config.toml (built in)")).expect("the shipped config.toml is valid")
    }

    /// Loads the defaults overridden by `user_file`, if it exists.
    pub fn load(user_file: &Path) -> Result<Self, ConfigError> {
        match std::fs::read_to_string(user_file) {
            Ok(text) => Self::parse(&text, user_file),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::defaults()),
            Err(source) => Err(ConfigError::Read { path: user_file.to_path_buf(), source }),
        }
    }

    /// Parses user text over the defaults; `path` only names it in errors.
    pub fn parse(user_text: &str, path: &Path) -> Result<Self, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: path.to_path_buf(), message };
        // toml's own text: where (line, column), the line, and a caret.
        let user: toml::Table =
            user_text.parse().map_err(|e: toml::de::Error| invalid(e.to_string().trim_end().to_owned()))?;
        let mut merged: toml::Table = DEFAULT_CONFIG.parse().expect("the shipped config.toml parses");
        merge::overlay(&mut merged, user, "").map_err(invalid)?;
        let config: Config =
            serde_path_to_error::deserialize(toml::Value::Table(merged)).map_err(|e| invalid(describe(&e)))?;
        config.validate().map_err(invalid)?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        if self.communities.is_empty() || self.communities.len() > 16 {
            return Err("`communities`: list 1 to 16 communities".into());
        }
        for community in &self.communities {
            check_tag("communities", community, 48).map_err(|e| format!("`{e}`"))?;
        }
        check_text("profile.name", &self.profile.name, 64, false).map_err(|e| format!("`{e}`"))?;
        if !self.profile.time_zone.is_empty() {
            crate::market::check_time_zone("profile.time_zone", &self.profile.time_zone)
                .map_err(|e| format!("`{e}`"))?;
        }
        DebtLimit::from_hours(self.credits.debt_limit_hours).map_err(|e| format!("`credits.debt_limit_hours`: {e}"))?;
        self.trust.validate()?;
        self.hub.validate()?;
        Ok(())
    }
}

/// `unknown key `tui.colour`` or `` `network.port`: invalid type… ``.
fn describe(error: &serde_path_to_error::Error<toml::de::Error>) -> String {
    let path = error.path().to_string();
    let inner = one_line(&error.inner().to_string());
    if inner.starts_with("unknown field `") {
        return format!("unknown key `{path}`");
    }
    let inner = inner.strip_suffix(&format!(" in `{path}`")).unwrap_or(&inner);
    format!("`{path}`: {inner}")
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_defaults_parse() {
        let config = Config::defaults();
        assert_eq!(config.communities, vec!["agora"]);
        assert_eq!(config.network.relay, RelayMode::Default);
        assert!(config.network.lan_discovery);
        assert_eq!(config.tui.keys.quit, "q".parse().unwrap());
    }

    #[test]
    fn user_values_override_key_by_key() {
        let text = "[network]\nrelay = \"https://relay.example.org\"\nport = 4433\n[tui.keys]\nquit = \"ctrl-q\"\n";
        let config = Config::parse(text, Path::new("user.toml")).unwrap();
        assert_eq!(config.network.relay, RelayMode::Custom("https://relay.example.org".into()));
        assert_eq!(config.network.port, 4433);
        assert!(config.network.lan_discovery, "untouched keys keep their defaults");
        assert!(config.tui.keys.quit.ctrl);
        assert_eq!(config.tui.keys.help, "?".parse().unwrap());
    }

    #[test]
    fn mistakes_name_the_key() {
        let message = |text: &str| Config::parse(text, Path::new("c.toml")).unwrap_err().to_string();
        assert_eq!(message("[storage]\nsize = 3\n"), "c.toml: unknown key `storage.size`");
        assert_eq!(message("extra = true\n"), "c.toml: unknown key `extra`");
        assert!(message("[network]\nbind = \"nowhere\"\n").contains("`network.bind`"));
        assert!(message("communities = []\n").contains("`communities`"));
        assert!(message("[tui]\ntheme = \"neon\"\n").contains("`tui.theme`"));
    }

    #[test]
    fn the_debt_limit_defaults_on_at_minus_ten_hours() {
        assert_eq!(Config::defaults().credits.debt_limit(), Some(DebtLimit { minutes: -600 }));
        let parse = |text: &str| Config::parse(text, Path::new("c.toml"));
        let own = parse("[credits]\ndebt_limit_hours = -2.5\n").unwrap();
        assert_eq!(own.credits.debt_limit(), Some(DebtLimit { minutes: -150 }));
        assert_eq!(parse("[credits]\nrequire_debt_limit = false\n").unwrap().credits.debt_limit(), None);
        let message = |text: &str| parse(text).unwrap_err().to_string();
        assert_eq!(
            message("[credits]\ndebt_limit_hours = 5\n"),
            "c.toml: `credits.debt_limit_hours`: must be a number of hours from -8760 to 0 (e.g. -10), not 5"
        );
        assert!(message("[credits]\ndebt_limit_hours = \"ten\"\n").starts_with("c.toml: `credits.debt_limit_hours`: "));
        assert!(message("[credits]\nrequire_debt_limit = \"yes\"\n").contains("`credits.require_debt_limit`"));
        assert_eq!(message("[credits]\nlimit = 1\n"), "c.toml: unknown key `credits.limit`");
        for text in ["[credits]\ndebt_limit_hours = 5\n", "[credits]\ndebt_limit_hours = \"ten\"\n"] {
            assert!(!message(text).contains('\n'), "one line: {text}");
        }
    }

    #[test]
    fn a_missing_file_means_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Config::load(&dir.path().join("absent.toml")).unwrap(), Config::defaults());
    }
}
