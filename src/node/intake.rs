//! Turns bytes from peers into stored records and events. Every envelope is
//! verified here before anything else looks at it.

use jiff::Timestamp;

use super::Event;
use crate::identity::PublicKey;
use crate::market::{Listing, ListingWithdrawal, Profile};
use crate::net::Frame;
use crate::store::{DirectoryBatch, PeerRecord, StoreError};
use crate::wire::{Body, WireError, domain_of, open};

/// Why something from a peer was not taken.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Wire(#[from] WireError),
    #[error(transparent)]
    Frame(#[from] crate::net::FrameError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a profile, listing or withdrawal was expected")]
    UnknownKind,
    #[error("author is blocked")]
    Blocked,
    #[error("author already has {0} listings here")]
    TooManyListings(usize),
}

/// What the node will take from whom.
pub struct Policy<'a> {
    /// This node: its own envelopes coming back are ignored.
    pub me: PublicKey,
    pub blocked: &'a [PublicKey],
    pub listings_per_author: usize,
}

/// Takes one gossip frame into `batch`; returns the event it will cause
/// once the batch is committed, if any.
pub fn take_frame(
    batch: &DirectoryBatch,
    bytes: &[u8],
    now: Timestamp,
    policy: &Policy<'_>,
) -> Result<Option<Event>, IntakeError> {
    match Frame::decode(bytes)? {
        Frame::Listing(envelope) | Frame::Withdrawal(envelope) | Frame::Profile(envelope) => {
            take_envelope(batch, &envelope, now, policy)
        }
    }
}

/// Takes one profile, listing or withdrawal envelope (from gossip or a
/// directory pull) into `batch`, chosen by its domain tag and then
/// verified as that.
pub fn take_envelope(
    batch: &DirectoryBatch,
    envelope: &[u8],
    now: Timestamp,
    policy: &Policy<'_>,
) -> Result<Option<Event>, IntakeError> {
    match domain_of(envelope)? {
        Listing::DOMAIN => {
            let listing = open::<Listing>(envelope, now)?;
            if listing.value().is_expired(now) {
                return Ok(None);
            }
            let (author, id) = (listing.author(), listing.value().id);
            if author == policy.me {
                return Ok(None);
            }
            if policy.blocked.contains(&author) {
                return Err(IntakeError::Blocked);
            }
            let (count, present) = batch.seen_listing_count(&author, &id)?;
            if !present && count >= policy.listings_per_author {
                return Err(IntakeError::TooManyListings(count));
            }
            let kept = batch.put_seen_listing(&listing)?;
            Ok(kept.then_some(Event::ListingUpdated { author, id }))
        }
        ListingWithdrawal::DOMAIN => {
            let withdrawal = open::<ListingWithdrawal>(envelope, now)?;
            let (author, id) = (withdrawal.author(), withdrawal.value().id);
            if author == policy.me {
                return Ok(None);
            }
            let news = batch.put_withdrawal(&withdrawal)?;
            Ok(news.then_some(Event::ListingWithdrawn { author, id }))
        }
        Profile::DOMAIN => {
            let profile = open::<Profile>(envelope, now)?;
            if profile.author() == policy.me {
                return Ok(None);
            }
            let known = batch.peer(&profile.author())?;
            let record = PeerRecord {
                key: profile.author(),
                name: profile.value().name.clone(),
                last_seen: now,
                blocked: known.is_some_and(|k| k.blocked),
            };
            batch.put_peer(&record)?;
            batch.put_peer_profile(&profile)?;
            Ok(None)
        }
        _ => Err(IntakeError::UnknownKind),
    }
}
