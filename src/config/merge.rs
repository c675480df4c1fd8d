//! Key-by-key overlay of the user's TOML over the defaults.

/// Overlays `user` onto `base`: tables merge recursively, every other value
/// replaces. A key the defaults do not have is left for deserialization to
/// reject by name, except that a table cannot replace a plain value.
pub fn overlay(base: &mut toml::Table, user: toml::Table, path: &str) -> Result<(), String> {
    for (key, value) in user {
        let here = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(base_table)), toml::Value::Table(user_table)) => {
                overlay(base_table, user_table, &here)?
            }
            (Some(toml::Value::Table(_)), _) => return Err(format!("`{here}` must be a table")),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
    Ok(())
}
