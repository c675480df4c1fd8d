//! Profiles, listings and withdrawals from others, whether gossiped or
//! fetched in reconciliation: each envelope is verified before anything
//! looks at it, then checked against who may say what and how much a
//! stranger may make this node keep, and stored in one batch per run.

use jiff::{SignedDuration, Timestamp};

use super::{Core, GossipMessage};
use crate::community::HideNote;
use crate::identity::PublicKey;
use crate::market::{Listing, ListingWithdrawal, Profile, check_lifetime};
use crate::net::Frame;
use crate::node::Event;
use crate::store::{DirectoryBatch, Kept, NoteStored, StoreError, Withdrawn};
use crate::wire::{Body, Verified, WireError, domain_of, open, reads};

/// Entries signed this recently count as news worth passing on.
const FRESH: SignedDuration = SignedDuration::from_secs(120);

/// Why something from a peer was not taken.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    #[error(transparent)]
    Wire(#[from] WireError),
    #[error(transparent)]
    Frame(#[from] crate::net::FrameError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a profile, listing, withdrawal or hide note was expected")]
    UnknownKind,
    #[error("author is blocked")]
    Blocked,
    #[error("author is over its message rate")]
    OverRate,
    #[error("author already has {0} listings here")]
    TooManyListings(usize),
    #[error("{0}")]
    Invalid(String),
}

/// Where an envelope came from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Via {
    Gossip,
    Fetch,
}

/// A verified envelope waiting for the batch, profiles after the rest (so a
/// profile arriving with its author's first listing finds it).
enum Checked {
    Listing(Verified<Listing>),
    Withdrawal(Verified<ListingWithdrawal>),
    Profile(Verified<Profile>),
    Note(Verified<HideNote>),
}

impl Core {
    pub(super) fn take_gossip(&mut self, messages: Vec<GossipMessage>, now: Timestamp) {
        let mut checked = Vec::new();
        for message in messages {
            let from = message.delivered_from;
            if !self.limiter.by_neighbor.allow(from, now) {
                self.refused(from, "neighbour is over its relay rate", now);
                continue;
            }
            let envelope = match Frame::decode(&message.content) {
                Ok(Frame::Listing(e) | Frame::Withdrawal(e) | Frame::Profile(e) | Frame::HideNote(e)) => e,
                Ok(Frame::CharterNews { community, member }) => {
                    self.charter_news(from, community, member, now);
                    continue;
                }
                Err(e) => {
                    self.refused(from, &e.to_string(), now);
                    continue;
                }
            };
            match self.check(&envelope, Via::Gossip, now) {
                Ok(Some(c)) => checked.push((from, envelope, c)),
                Ok(None) => {}
                Err(e) => self.refused(from, &e.to_string(), now),
            }
        }
        self.store_checked(checked, Via::Gossip, now);
    }

    /// Takes envelopes fetched from `from` (already matched to the hashes
    /// asked for); returns how many were news and how many were refused.
    pub(super) fn take_fetched(&mut self, from: PublicKey, envelopes: Vec<Vec<u8>>, now: Timestamp) -> (usize, usize) {
        let mut checked = Vec::new();
        let mut refused = 0;
        for envelope in envelopes {
            match self.check(&envelope, Via::Fetch, now) {
                Ok(Some(c)) => checked.push((from, envelope, c)),
                // Fetched yet not news (expired, or placed in a community
                // not joined here): counted against the session, so a peer
                // that offers such things by the thousand is left alone
                // for a while; not remembered, since joining later makes
                // it news.
                Ok(None) => refused += 1,
                Err(e) => {
                    refused += 1;
                    self.refused(from, &e.to_string(), now);
                    self.sync.refuse_hash(&envelope);
                }
            }
        }
        let (news, refused_here) = self.store_checked(checked, Via::Fetch, now);
        (news, refused + refused_here)
    }

    /// Verifies one envelope and checks who says it; `None` for what is
    /// simply not news here (own envelopes coming back, expired listings).
    fn check(&mut self, envelope: &[u8], via: Via, now: Timestamp) -> Result<Option<Checked>, IntakeError> {
        let checked = match domain_of(envelope)? {
            domain if reads::<Listing>(domain) => {
                let listing = open::<Listing>(envelope, now)?;
                if listing.value().is_expired(now) {
                    return Ok(None);
                }
                check_lifetime(listing.value(), listing.timestamp())
                    .map_err(|e| IntakeError::Invalid(e.to_string()))?;
                Checked::Listing(listing)
            }
            ListingWithdrawal::DOMAIN => Checked::Withdrawal(open::<ListingWithdrawal>(envelope, now)?),
            Profile::DOMAIN => Checked::Profile(open::<Profile>(envelope, now)?),
            HideNote::DOMAIN => Checked::Note(open::<HideNote>(envelope, now)?),
            _ => return Err(IntakeError::UnknownKind),
        };
        let author = match &checked {
            Checked::Listing(v) => v.author(),
            Checked::Withdrawal(v) => v.author(),
            Checked::Profile(v) => v.author(),
            Checked::Note(v) => v.author(),
        };
        if author == self.me.public() {
            return Ok(None);
        }
        if self.blocked.contains(&author) {
            return Err(IntakeError::Blocked);
        }
        // Kept only in the communities joined here, by those who may.
        let admitted = match &checked {
            Checked::Listing(listing) => self.admit_listing(listing, now)?,
            Checked::Note(note) => self.admit_note(note)?,
            Checked::Withdrawal(_) | Checked::Profile(_) => true,
        };
        if !admitted {
            return Ok(None);
        }
        if via == Via::Gossip && !self.limiter.by_author.allow(author, now) {
            return Err(IntakeError::OverRate);
        }
        Ok(Some(checked))
    }

    /// Stores a run of checked envelopes in one batch; events (and the
    /// rebroadcast of fresh news that came by fetch) follow its commit.
    /// Returns how many were news, and how many were refused.
    fn store_checked(
        &mut self,
        mut checked: Vec<(PublicKey, Vec<u8>, Checked)>,
        via: Via,
        now: Timestamp,
    ) -> (usize, usize) {
        if checked.is_empty() {
            return (0, 0);
        }
        checked.sort_by_key(|(_, _, c)| matches!(c, Checked::Profile(_)));
        let batch = match self.store.directory_batch() {
            Ok(batch) => batch,
            Err(e) => {
                tracing::warn!("not taking directory news: {e}");
                return (0, 0);
            }
        };
        let mut events = Vec::new();
        let mut news = Vec::new();
        let mut refused = 0;
        for (from, envelope, item) in checked {
            let community = match &item {
                Checked::Listing(listing) => listing.value().community(),
                Checked::Note(note) => Some(note.value().community),
                Checked::Withdrawal(_) | Checked::Profile(_) => None,
            };
            match self.keep(&batch, item, now) {
                Ok(Some(event)) => {
                    let fresh = crate::wire::timestamp_of(&envelope).is_ok_and(|t| now.duration_since(t) < FRESH);
                    if via == Via::Fetch && fresh {
                        news.push((
                            community,
                            match event {
                                Event::ListingWithdrawn { .. } => Frame::Withdrawal(envelope),
                                Event::ModerationChanged(_) => Frame::HideNote(envelope),
                                _ => Frame::Listing(envelope),
                            },
                        ));
                    }
                    events.push(event);
                }
                Ok(None) => {}
                Err(e) => {
                    refused += 1;
                    self.refused(from, &e.to_string(), now);
                    if via == Via::Fetch {
                        self.sync.refuse_hash(&envelope);
                    }
                }
            }
        }
        if let Err(e) = batch.commit() {
            // Lost news comes back with the next reconciliation.
            tracing::warn!("storing directory news: {e}");
            return (0, refused);
        }
        self.sync.directory_changed();
        let received = events.len();
        for event in events {
            self.emit(event);
        }
        for (community, frame) in news {
            self.broadcast_in(community, frame);
        }
        (received, refused)
    }

    /// Puts one checked envelope in the batch, within the caps.
    fn keep(&self, batch: &DirectoryBatch, item: Checked, now: Timestamp) -> Result<Option<Event>, IntakeError> {
        let limits = &self.config.limits;
        match item {
            Checked::Listing(listing) => {
                let (author, id) = (listing.author(), listing.value().id);
                let (count, present) = batch.seen_listing_count(&author, &id)?;
                if !present && count >= limits.listings_per_author {
                    return Err(IntakeError::TooManyListings(count));
                }
                match batch.put_seen_listing(&listing, limits.max_seen_listings)? {
                    Kept::Kept => Ok(Some(Event::ListingUpdated { author, id })),
                    Kept::Full => Err(IntakeError::Invalid(format!(
                        "the directory is full ({} listings) of listings that outlive this one",
                        limits.max_seen_listings
                    ))),
                    Kept::NotNewer | Kept::Withdrawn => Ok(None),
                }
            }
            Checked::Withdrawal(withdrawal) => {
                let (author, id) = (withdrawal.author(), withdrawal.value().id);
                match batch.put_withdrawal(&withdrawal, limits.withdrawals_per_author, limits.max_withdrawals)? {
                    Withdrawn::News => Ok(Some(Event::ListingWithdrawn { author, id })),
                    Withdrawn::NotNewer => Ok(None),
                    Withdrawn::Full => Err(IntakeError::Invalid(format!(
                        "the author has {} withdrawals here already, and this one withdraws nothing held",
                        limits.withdrawals_per_author
                    ))),
                }
            }
            Checked::Profile(profile) => {
                // Names are not news the client is told of one by one.
                batch.put_peer_profile(&profile, now, limits.max_profiles)?;
                Ok(None)
            }
            Checked::Note(note) => match batch.put_hide_note(&note)? {
                NoteStored::Kept => Ok(Some(Event::ModerationChanged(note.value().community))),
                NoteStored::NotNewer => Ok(None),
                NoteStored::Full => Err(IntakeError::Invalid(format!(
                    "the community holds {} hide notes already",
                    crate::store::MAX_NOTES_PER_COMMUNITY
                ))),
            },
        }
    }
}
