//! The marketplace's domain: who people are (profiles), what they offer or
//! ask for (listings), and how two of them agree on a session (the pure
//! negotiation state machine). Nothing here reads a clock or touches I/O.

mod availability;
mod chat;
mod ids;
mod listing;
pub mod negotiation;
mod price;
mod profile;
pub(crate) mod time_ms;

pub use availability::{Availability, Weekday, Window, overlap};
pub use chat::{ChatMessage, MAX_CHAT_CHARS};
pub use ids::{Id16, ListingId, NegotiationId};
pub use listing::{
    Format, Level, Listing, ListingKind, ListingRef, ListingWithdrawal, MAX_INVITATION_BYTES, MAX_LISTING_LIFETIME,
    MAX_SKILL_CHARS, MAX_SKILLS, Placement, check_lifetime,
};
pub use negotiation::{Action, Effect, Negotiation, NegotiationError, NegotiationEvent, Phase, Role, Terms};
pub use price::{Price, PriceParseError};
pub use profile::Profile;

/// Checks an IANA time zone name against the bundled time zone database.
pub fn check_time_zone(field: &'static str, name: &str) -> Result<(), crate::wire::FieldError> {
    crate::wire::check_text(field, name, 64, false)?;
    jiff::tz::TimeZone::get(name)
        .map(|_| ())
        .map_err(|_| crate::wire::FieldError::new(field, format!("`{name}` is not a known time zone")))
}
