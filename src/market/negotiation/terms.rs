//! The terms two people agree on: when, how long, at what price, about what.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::market::Price;
use crate::wire::{FieldError, check_text};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    #[serde(with = "crate::market::time_ms")]
    pub start: Timestamp,
    pub duration_minutes: u16,
    pub price: Price,
    pub topic: String,
}

pub const MIN_MINUTES: u16 = 15;
pub const MAX_MINUTES: u16 = 8 * 60;

impl Terms {
    pub fn end(&self) -> Timestamp {
        self.start.saturating_add(SignedDuration::from_mins(i64::from(self.duration_minutes))).unwrap_or(self.start)
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        if !(MIN_MINUTES..=MAX_MINUTES).contains(&self.duration_minutes) {
            return Err(FieldError::new("duration", format!("must be {MIN_MINUTES} to {MAX_MINUTES} minutes")));
        }
        check_text("topic", &self.topic, 200, false)?;
        self.price.validate()
    }
}
