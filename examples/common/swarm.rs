//! What the simulator examples build their swarms from: a key per peer
//! and a plain offer per listing, both derived from a number, so every run
//! with the same seed is the same.

use agora::community::CommunityId;
use agora::identity::Identity;
use agora::market::{Availability, Format, Id16, Level, Listing, ListingKind, Placement, Price};
use jiff::{SignedDuration, Timestamp};

/// Peer `i`'s key.
pub fn identity(i: usize) -> Identity {
    let mut secret = [0x42u8; 32];
    secret[..8].copy_from_slice(&(i as u64).to_be_bytes());
    Identity::from_secret_bytes(&secret)
}

/// Offer number `k`, a week long, in `community` (none: the open directory).
pub fn listing(k: usize, now: Timestamp, community: Option<CommunityId>) -> Listing {
    let mut id = [0u8; 16];
    id[..8].copy_from_slice(&(k as u64).to_be_bytes());
    Listing {
        id: Id16(id),
        version: 1,
        kind: ListingKind::Offer,
        title: format!("Offer {k}"),
        skills: vec!["rust".into()],
        level: Level::Any,
        description: "An hour of pairing on whatever you are stuck on.".into(),
        format: Format::Online,
        price: Price::Free,
        availability: Availability { time_zone: "UTC".into(), windows: vec![] },
        expires_at: now.saturating_add(SignedDuration::from_hours(24 * 7)).unwrap(),
        placement: community.map(|community| Placement { community, invitation: None }),
    }
}
