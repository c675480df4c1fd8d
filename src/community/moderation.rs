//! Moderation by the community, not by a platform: a maintainer signs a
//! note that hides a listing or an author in their community, with a
//! reason, or lifts such a note. Members' clients apply the notes of the
//! maintainers they follow; nothing is deleted from anyone's store, and a
//! member can always look at what is hidden.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::CommunityId;
use crate::identity::PublicKey;
use crate::market::ListingRef;
use crate::wire::{Body, FieldError, check_text};

pub const MAX_REASON_CHARS: usize = 200;

/// What a note is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Target {
    Listing(ListingRef),
    Author(PublicKey),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HideNote {
    pub community: CommunityId,
    pub target: Target,
    /// True hides; false lifts an earlier note of the same maintainer.
    pub hidden: bool,
    /// Why, in plain words (shown to members).
    pub reason: String,
}

impl HideNote {
    /// Which earlier notes this one replaces: the same maintainer's about
    /// the same target in the same community (the latest signed wins).
    pub fn slot(&self) -> [u8; 16] {
        let mut hash = Sha256::new();
        hash.update(b"agora hide slot v1\0");
        hash.update(self.community.0);
        hash.update(postcard::to_stdvec(&self.target).unwrap_or_default());
        let digest: [u8; 32] = hash.finalize().into();
        let mut slot = [0u8; 16];
        slot.copy_from_slice(&digest[..16]);
        slot
    }
}

impl Body for HideNote {
    const DOMAIN: &'static str = "agora/hide/1";
    const MAX_BODY_BYTES: usize = 1024;

    fn validate(&self) -> Result<(), FieldError> {
        if self.hidden && self.reason.trim().is_empty() {
            return Err(FieldError::new("reason", "say why, for the members who will see it"));
        }
        check_text("reason", &self.reason, MAX_REASON_CHARS, false)
    }
}

impl Target {
    /// Whether this target covers the listing `listing`.
    pub fn covers(&self, listing: &ListingRef) -> bool {
        match self {
            Target::Listing(r) => r == listing,
            Target::Author(author) => *author == listing.author,
        }
    }
}

/// What a member's view hides in one community: the notes of its current
/// maintainers that the member follows (the store keeps only each
/// maintainer's latest note per target).
#[derive(Clone, Debug, Default)]
pub struct Moderation {
    hides: Vec<(Target, PublicKey, String)>,
}

impl Moderation {
    pub fn new(notes: &[crate::wire::Verified<HideNote>], charter: &super::Charter, unfollowed: &[PublicKey]) -> Self {
        let community = charter.id();
        let hides = notes
            .iter()
            .filter(|n| n.value().community == community && n.value().hidden)
            .filter(|n| charter.is_maintainer(&n.author()) && !unfollowed.contains(&n.author()))
            .map(|n| (n.value().target, n.author(), n.value().reason.clone()))
            .collect();
        Self { hides }
    }

    /// Why `listing` is hidden (the first note that hides it), if it is.
    pub fn hidden(&self, listing: &ListingRef) -> Option<&str> {
        self.hides.iter().find(|(target, _, _)| target.covers(listing)).map(|(_, _, reason)| reason.as_str())
    }

    /// How many notes hide something.
    pub fn len(&self) -> usize {
        self.hides.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hides.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hiding_note_says_why_within_its_limit() {
        let note = |hidden: bool, reason: &str| HideNote {
            community: CommunityId([1; 32]),
            target: Target::Author(PublicKey::from([2; 32])),
            hidden,
            reason: reason.into(),
        };
        assert!(note(true, "Advertising").validate().is_ok());
        assert!(note(true, "  ").validate().is_err(), "hiding needs a reason");
        assert!(note(false, "").validate().is_ok(), "lifting needs none");
        assert!(note(true, &"x".repeat(MAX_REASON_CHARS + 1)).validate().is_err());
        assert!(note(true, "a\u{1b}[2J").validate().is_err(), "no terminal escapes");
    }
}
