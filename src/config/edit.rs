//! Writing the profile chosen in the client back to the user's
//! `config.toml`, keeping every other key the user set. (Comments in the
//! file are not kept: the file is rewritten from its parsed form.)

use std::path::Path;

use super::{Config, ConfigError};

/// What the first-run screen (or editing the profile) sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileChoice {
    pub name: String,
    pub time_zone: String,
    pub languages: Vec<String>,
    pub communities: Vec<String>,
}

/// Sets `[profile] name, time_zone, languages` and `communities` in the
/// user's file, then checks that the whole config still loads.
pub fn save_profile(user_file: &Path, choice: &ProfileChoice) -> Result<Config, ConfigError> {
    edit_user_file(user_file, |table, invalid| {
        let strings = |items: &[String]| toml::Value::Array(items.iter().cloned().map(toml::Value::String).collect());
        table.insert("communities".into(), strings(&choice.communities));
        let profile = table.entry("profile").or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let toml::Value::Table(profile) = profile else { return Err(invalid("`profile` is not a table".into())) };
        profile.insert("name".into(), toml::Value::String(choice.name.clone()));
        profile.insert("time_zone".into(), toml::Value::String(choice.time_zone.clone()));
        profile.insert("languages".into(), strings(&choice.languages));
        Ok(())
    })
}

/// Reads the user's file (none is an empty one), lets `change` edit its
/// table, checks that the result loads, and only then writes it back.
pub(super) fn edit_user_file(
    user_file: &Path,
    change: impl FnOnce(&mut toml::Table, &dyn Fn(String) -> ConfigError) -> Result<(), ConfigError>,
) -> Result<Config, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid { path: user_file.to_path_buf(), message };
    let text = match std::fs::read_to_string(user_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(ConfigError::Read { path: user_file.to_path_buf(), source }),
    };
    let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| invalid(e.message().to_owned()))?;
    change(&mut table, &invalid)?;
    let text = toml::to_string(&table).map_err(|e| invalid(e.to_string()))?;
    let config = Config::parse(&text, user_file)?;
    if let Some(dir) = user_file.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ConfigError::Read { path: dir.to_path_buf(), source })?;
    }
    std::fs::write(user_file, text).map_err(|source| ConfigError::Read { path: user_file.to_path_buf(), source })?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_other_keys_and_validates() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "[network]\nrelay = \"disabled\"\n[profile]\nbio = \"Hi\"\n").unwrap();
        let choice = ProfileChoice {
            name: "Ada".into(),
            time_zone: "Europe/London".into(),
            languages: vec!["en".into(), "fr".into()],
            communities: vec!["agora".into(), "lisbon-makers".into()],
        };
        let config = save_profile(&file, &choice).unwrap();
        assert_eq!(config.profile.name, "Ada");
        assert_eq!(config.profile.bio, "Hi");
        assert_eq!(config.network.relay, crate::config::RelayMode::Disabled);
        assert_eq!(config.communities, choice.communities);
        let bad = ProfileChoice { time_zone: "Nowhere/Land".into(), ..choice };
        assert!(save_profile(&file, &bad).is_err());
        assert_eq!(Config::load(&file).unwrap().profile.time_zone, "Europe/London", "a refused change writes nothing");
    }
}
