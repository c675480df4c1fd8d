//! `[hub]`: what a hub requires before it validates a learner's sessions
//! (`agora hub validate`), and whether its operator confirms each one.

use serde::Deserialize;

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    /// How the hub names itself in validations; empty: the profile's name.
    pub name: String,
    pub min_sessions: u32,
    pub min_hours: f64,
    pub min_teachers: u32,
    pub approval: Approval,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    /// The operator reads each validation and confirms it.
    Ask,
    /// Whatever meets the policy is signed.
    Automatic,
}

impl HubConfig {
    pub(super) fn validate(&self) -> Result<(), String> {
        crate::wire::check_text("hub.name", &self.name, 64, false).map_err(|e| format!("`{e}`"))?;
        if !(0.0..=10_000.0).contains(&self.min_hours) {
            return Err("`hub.min_hours`: 0 to 10000".into());
        }
        Ok(())
    }
}
