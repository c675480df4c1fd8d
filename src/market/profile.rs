//! A person's public profile, signed and broadcast by its owner.

use serde::{Deserialize, Serialize};

use crate::wire::{Body, FieldError, check_list, check_text};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub name: String,
    pub bio: String,
    /// BCP 47 language tags (`en`, `pt-BR`).
    pub languages: Vec<String>,
    /// IANA time zone (`Europe/Berlin`).
    pub time_zone: String,
}

impl Body for Profile {
    const DOMAIN: &'static str = "agora/profile/1";
    const MAX_BODY_BYTES: usize = 2048;

    fn validate(&self) -> Result<(), FieldError> {
        if self.name.trim().is_empty() {
            return Err(FieldError::new("name", "must not be empty"));
        }
        check_text("name", &self.name, 64, false)?;
        check_text("bio", &self.bio, 500, true)?;
        check_list("languages", &self.languages, 0, 8)?;
        for language in &self.languages {
            let ok =
                (2..=35).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
            if !ok {
                return Err(FieldError::new(
                    "languages",
                    format!("`{language}` is not a language tag like `en` or `pt-BR`"),
                ));
            }
        }
        super::check_time_zone("time_zone", &self.time_zone)
    }
}
