//! Plain-text rows for command output. Rows are escaped as a whole (see
//! [`crate::text`]) and [`clip`] escapes before it cuts, so a peer's name or
//! title never reaches the terminal raw.

use jiff::Timestamp;

use crate::endorse::Endorsement;
use crate::identity::PublicKey;

pub fn listing_table_header() -> String {
    format!("{:<8}  {:<7}  {:<20}  {:<30}  {:<16}  {}", "ID", "KIND", "SKILLS", "TITLE", "PRICE", "BY / EXPIRES")
}

pub fn listing_row(listing: &crate::market::Listing, by: &str, now: Timestamp) -> String {
    let days = (listing.expires_at.duration_since(now).as_hours() + 23) / 24;
    safe_row(format!(
        "{:<8}  {:<7}  {:<20}  {:<30}  {:<16}  {by}, {days}d left",
        listing.id.short(),
        listing.kind.to_string(),
        clip(&listing.skills.join(","), 20),
        clip(&listing.title, 30),
        listing.price.to_string(),
    ))
}

pub fn endorsement_table_header() -> String {
    format!("{:<8}  {:<10}  {:<8}  {:<16}  {:<20}  {:>5}  {}", "ID", "DATE", "ROLE", "SKILL", "WITH", "MIN", "RATING")
}

pub fn endorsement_row(e: &Endorsement, me: &PublicKey) -> String {
    let (role, other) = if e.teacher.key == *me { ("taught", &e.learner) } else { ("learned", &e.teacher) };
    safe_row(format!(
        "{:<8}  {:<10}  {:<8}  {:<16}  {:<20}  {:>5}  {}/5",
        short_id(&e.id),
        e.start.strftime("%Y-%m-%d"),
        role,
        clip(&e.skill, 16),
        clip(&other.name, 20),
        e.minutes(),
        e.rating
    ))
}

/// A whole row, escaped as one line.
pub fn safe_row(row: String) -> String {
    match crate::text::escape(&row) {
        std::borrow::Cow::Borrowed(_) => row,
        std::borrow::Cow::Owned(escaped) => escaped,
    }
}

/// The first 8 characters of an endorsement's uuid.
pub fn short_id(id: &str) -> String {
    id.strip_prefix("urn:uuid:").unwrap_or(id).chars().take(8).collect()
}

/// `text` escaped (see [`crate::text::escape`]) and cut to `width`
/// characters, the cut marked with `…`.
pub fn clip(text: &str, width: usize) -> String {
    let text = crate::text::escape(text);
    if text.chars().count() <= width {
        text.into_owned()
    } else {
        let mut clipped: String = text.chars().take(width.saturating_sub(1)).collect();
        clipped.push('…');
        clipped
    }
}
