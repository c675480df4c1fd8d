//! A listing: an offer to teach or a request to learn, versioned and signed
//! by its author. The latest version per (author, id) wins.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{Availability, ListingId, Price};
use crate::community::CommunityId;
use crate::identity::PublicKey;
use crate::wire::{Body, FieldError, WireError, check_list, check_tag, check_text, decode_exact};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListingKind {
    /// "I can teach this."
    Offer,
    /// "I want to learn this."
    Request,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Level {
    Any,
    Beginner,
    Intermediate,
    Advanced,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    Online,
    /// In person, somewhere in `area` (a city or neighbourhood, never an address).
    InPerson {
        area: String,
    },
    Either {
        area: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub id: ListingId,
    /// Increases with every edit; peers keep the highest they have seen.
    pub version: u32,
    pub kind: ListingKind,
    pub title: String,
    /// Lowercase skill tags, most specific first (`rust`, `ownership`).
    pub skills: Vec<String>,
    pub level: Level,
    pub description: String,
    pub format: Format,
    pub price: Price,
    pub availability: Availability,
    #[serde(with = "super::time_ms")]
    pub expires_at: Timestamp,
    /// Where it is published: a community's directory, or (none) the open
    /// directory every peer keeps.
    pub placement: Option<Placement>,
}

/// A listing's community, and for an invite-only one the author's proof
/// of membership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub community: CommunityId,
    /// A maintainer's signed [`crate::community::Invitation`] of the
    /// author (envelope bytes); maintainers themselves need none.
    pub invitation: Option<Vec<u8>>,
}

/// An invitation envelope is a few hundred bytes; nothing larger is read.
pub const MAX_INVITATION_BYTES: usize = 400;

/// A listing as signed before listings named a community
/// (`agora/listing/1`): still read, as one in the open directory.
#[derive(Deserialize)]
struct ListingV1 {
    id: ListingId,
    version: u32,
    kind: ListingKind,
    title: String,
    skills: Vec<String>,
    level: Level,
    description: String,
    format: Format,
    price: Price,
    availability: Availability,
    #[serde(with = "super::time_ms")]
    expires_at: Timestamp,
}

/// A signed tombstone: the author withdraws a listing up to `version`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingWithdrawal {
    pub id: ListingId,
    pub version: u32,
}

/// Names one listing on the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ListingRef {
    pub author: PublicKey,
    pub id: ListingId,
}

pub const MAX_SKILLS: usize = 8;
pub const MAX_SKILL_CHARS: usize = 32;
/// A listing expires at most this long after it was signed; a withdrawal
/// is kept this long, since every version it covers is gone by then.
pub const MAX_LISTING_LIFETIME: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 90);

/// Checks that a listing signed at `signed_at` expires within
/// [`MAX_LISTING_LIFETIME`] of it.
pub fn check_lifetime(listing: &Listing, signed_at: Timestamp) -> Result<(), FieldError> {
    let latest = signed_at.saturating_add(MAX_LISTING_LIFETIME).unwrap_or(Timestamp::MAX);
    if listing.expires_at > latest {
        return Err(FieldError::new("expires_at", "a listing may run at most 90 days; publish it again after that"));
    }
    Ok(())
}

impl Listing {
    pub fn is_expired(&self, now: Timestamp) -> bool {
        self.expires_at <= now
    }

    /// The community it is published in, if any.
    pub fn community(&self) -> Option<CommunityId> {
        self.placement.as_ref().map(|p| p.community)
    }

    /// The main skill: the first tag.
    pub fn skill(&self) -> &str {
        self.skills.first().map(String::as_str).unwrap_or("")
    }
}

impl Body for Listing {
    const DOMAIN: &'static str = "agora/listing/2";
    // Fits in one gossip message with the envelope around it.
    const MAX_BODY_BYTES: usize = 3400;
    const OLDER_DOMAINS: &'static [&'static str] = &["agora/listing/1"];

    fn decode_older(domain: &str, body: &[u8]) -> Result<Self, WireError> {
        if domain != "agora/listing/1" {
            return Err(WireError::Body(format!("no listing form `{domain}`")));
        }
        let v1: ListingV1 = decode_exact(body)?;
        Ok(Listing {
            id: v1.id,
            version: v1.version,
            kind: v1.kind,
            title: v1.title,
            skills: v1.skills,
            level: v1.level,
            description: v1.description,
            format: v1.format,
            price: v1.price,
            availability: v1.availability,
            expires_at: v1.expires_at,
            placement: None,
        })
    }

    fn validate(&self) -> Result<(), FieldError> {
        if self.title.trim().is_empty() {
            return Err(FieldError::new("title", "must not be empty"));
        }
        check_text("title", &self.title, 80, false)?;
        check_list("skills", &self.skills, 1, MAX_SKILLS)?;
        for skill in &self.skills {
            check_tag("skills", skill, MAX_SKILL_CHARS)?;
        }
        check_text("description", &self.description, 1500, true)?;
        match &self.format {
            Format::Online => {}
            Format::InPerson { area } | Format::Either { area } => check_text("format.area", area, 80, false)?,
        }
        self.price.validate()?;
        if let Some(Placement { invitation: Some(bytes), .. }) = &self.placement
            && bytes.len() > MAX_INVITATION_BYTES
        {
            return Err(FieldError::new("placement.invitation", format!("over {MAX_INVITATION_BYTES} bytes")));
        }
        self.availability.validate()
    }
}

impl Body for ListingWithdrawal {
    const DOMAIN: &'static str = "agora/withdraw/1";
    const MAX_BODY_BYTES: usize = 64;

    fn validate(&self) -> Result<(), FieldError> {
        Ok(())
    }
}

impl std::fmt::Display for ListingKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ListingKind::Offer => "offer",
            ListingKind::Request => "request",
        })
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Level::Any => "any level",
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        })
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Format::Online => f.write_str("online"),
            Format::InPerson { area } => write!(f, "in person ({area})"),
            Format::Either { area } => write!(f, "online or in person ({area})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_larger_than_any_real_one_is_refused() {
        let listing = |bytes: usize| Listing {
            id: ListingId::default(),
            version: 1,
            kind: ListingKind::Offer,
            title: "Soldering".into(),
            skills: vec!["solder".into()],
            level: Level::Any,
            description: String::new(),
            format: Format::Online,
            price: Price::Free,
            availability: Availability { time_zone: "UTC".into(), windows: vec![] },
            expires_at: Timestamp::from_second(1_800_000_000).unwrap(),
            placement: Some(Placement { community: CommunityId([1; 32]), invitation: Some(vec![0; bytes]) }),
        };
        assert!(listing(MAX_INVITATION_BYTES).validate().is_ok());
        assert!(listing(MAX_INVITATION_BYTES + 1).validate().is_err());
    }
}
