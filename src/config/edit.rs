//! Writing choices made in the client (the profile, pinned peers) back to
//! the user's `config.toml`. The file is edited as a document
//! (`toml_edit`), so the user's comments, order and formatting stay; the
//! result must load as a whole config before it replaces the file, and it
//! replaces it atomically (a temporary file beside it, flushed, renamed
//! over it), so a failure midway leaves the old file as it was.

use std::path::Path;

use toml_edit::{Array, DocumentMut, Item, TableLike, Value};

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
    edit_user_file(user_file, |doc, invalid| {
        set(doc.as_table_mut(), "communities", strings(&choice.communities));
        let profile = table_in(doc, "profile", invalid)?;
        set(profile, "name", choice.name.as_str().into());
        set(profile, "time_zone", choice.time_zone.as_str().into());
        set(profile, "languages", strings(&choice.languages));
        Ok(())
    })
}

fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(String::as_str).collect::<Array>())
}

/// The table `name` at the top of `doc`, made when missing.
pub(super) fn table_in<'a>(
    doc: &'a mut DocumentMut,
    name: &str,
    invalid: &dyn Fn(String) -> ConfigError,
) -> Result<&'a mut dyn TableLike, ConfigError> {
    doc.as_table_mut()
        .entry(name)
        .or_insert_with(|| Item::Table(toml_edit::Table::new()))
        .as_table_like_mut()
        .ok_or_else(|| invalid(format!("`{name}` is not a table")))
}

/// Sets `key` to `value`, keeping the comment that followed the old value.
pub(super) fn set(table: &mut dyn TableLike, key: &str, mut value: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        None => {
            table.insert(key, Item::Value(value));
        }
    }
}

/// Reads the user's file (none is an empty one), lets `change` edit it,
/// checks that the result loads, and only then replaces the file.
pub(super) fn edit_user_file(
    user_file: &Path,
    change: impl FnOnce(&mut DocumentMut, &dyn Fn(String) -> ConfigError) -> Result<(), ConfigError>,
) -> Result<Config, ConfigError> {
    edit_user_file_with(user_file, change, |_| Ok(()))
}

fn edit_user_file_with(
    user_file: &Path,
    change: impl FnOnce(&mut DocumentMut, &dyn Fn(String) -> ConfigError) -> Result<(), ConfigError>,
    before_rename: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<Config, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid { path: user_file.to_path_buf(), message };
    let text = match std::fs::read_to_string(user_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => return Err(ConfigError::Read { path: user_file.to_path_buf(), source }),
    };
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| invalid(e.message().to_owned()))?;
    change(&mut doc, &invalid)?;
    let text = doc.to_string();
    let config = Config::parse(&text, user_file)?;
    let write_error = |source| ConfigError::Write { path: user_file.to_path_buf(), source };
    if let Some(dir) = user_file.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        crate::files::ensure_private_dir(dir).map_err(write_error)?;
    }
    crate::files::replace_with(user_file, text.as_bytes(), before_rename).map_err(write_error)?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice() -> ProfileChoice {
        ProfileChoice {
            name: "Ada".into(),
            time_zone: "Europe/London".into(),
            languages: vec!["en".into(), "fr".into()],
            communities: vec!["agora".into(), "lisbon-makers".into()],
        }
    }

    #[test]
    fn keeps_other_keys_and_validates() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "[network]\nrelay = \"disabled\"\n[profile]\nbio = \"Hi\"\n").unwrap();
        let config = save_profile(&file, &choice()).unwrap();
        assert_eq!(config.profile.name, "Ada");
        assert_eq!(config.profile.bio, "Hi");
        assert_eq!(config.network.relay, crate::config::RelayMode::Disabled);
        assert_eq!(config.communities, choice().communities);
        let bad = ProfileChoice { time_zone: "Nowhere/Land".into(), ..choice() };
        assert!(save_profile(&file, &bad).is_err());
        assert_eq!(Config::load(&file).unwrap().profile.time_zone, "Europe/London", "a refused change writes nothing");
    }

    #[test]
    fn comments_order_and_formatting_survive() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let before = "# My agora settings.\n\
                      communities = [\"agora\"] # where I hang out\n\
                      \n\
                      [network]\n\
                      # No relays on this laptop.\n\
                      relay = \"disabled\"\n\
                      \n\
                      [profile]\n\
                      name = \"Old\"   # shown to peers\n\
                      bio = \"Hi\"\n";
        std::fs::write(&file, before).unwrap();
        save_profile(&file, &choice()).unwrap();
        let after = std::fs::read_to_string(&file).unwrap();
        for kept in [
            "# My agora settings.\n",
            "# where I hang out",
            "# No relays on this laptop.\nrelay = \"disabled\"",
            "# shown to peers",
            "bio = \"Hi\"",
        ] {
            assert!(after.contains(kept), "lost {kept:?}:\n{after}");
        }
        assert!(after.contains("name = \"Ada\""), "{after}");
        assert!(after.find("[network]") < after.find("[profile]"), "the order stays:\n{after}");
    }

    #[test]
    fn a_failure_before_the_rename_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let before = "# mine\n[profile]\nname = \"Old\"\n";
        std::fs::write(&file, before).unwrap();
        let failed = edit_user_file_with(
            &file,
            |doc, invalid| {
                set(table_in(doc, "profile", invalid)?, "name", "New".into());
                Ok(())
            },
            |_| Err(std::io::Error::other("no space left on device")),
        );
        let error = failed.unwrap_err().to_string();
        assert!(error.contains("no space left") && error.contains("left as it was"), "{error}");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), before);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["config.toml"], "no temporary file is left");
    }

    #[test]
    fn a_missing_file_and_directory_are_made_private() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("agora").join("config.toml");
        save_profile(&file, &choice()).unwrap();
        assert_eq!(Config::load(&file).unwrap().profile.name, "Ada");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!((mode(file.parent().unwrap()), mode(&file)), (0o700, 0o600));
        }
    }
}
