//! Which community a listing or a hide note belongs to, and whether this
//! node keeps it. A peer keeps only what is placed in the communities it
//! joined; in an invite-only one, only listings by maintainers or by
//! people whose listing carries a maintainer's invitation; and only the
//! hide notes of the community's current maintainers. Own listings are
//! placed the same way before they are signed.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::Core;
use super::intake::IntakeError;
use crate::community::{Charter, CommunityId, HideNote, may_publish};
use crate::market::Listing;
use crate::node::NodeError;
use crate::wire::Verified;

impl Core {
    /// The current charters of the communities joined here, read once and
    /// kept until a community changes.
    pub(super) fn joined_charters(&mut self) -> &BTreeMap<CommunityId, Charter> {
        if self.joined.is_none() {
            let mut charters = BTreeMap::new();
            match self.store.joined_communities() {
                Ok(ids) => {
                    for id in ids {
                        match self.store.charter(&id) {
                            Ok(Some(charter)) => {
                                charters.insert(id, charter.into_value());
                            }
                            Ok(None) => {}
                            Err(e) => tracing::warn!(community = %id.short(), "cannot read its charter: {e}"),
                        }
                    }
                }
                Err(e) => tracing::warn!("cannot read the communities joined: {e}"),
            }
            self.joined = Some(charters);
        }
        self.joined.get_or_insert_default()
    }

    /// Joins community `id`'s own topic through `via` and the peers most
    /// likely to be in it: its maintainers, and the neighbours of the
    /// named topics (a peer outside the topic ignores the join).
    pub(super) fn join_topic(&mut self, id: CommunityId, via: &[crate::identity::PublicKey]) {
        let me = self.me.public();
        let mut peers: Vec<crate::identity::PublicKey> = via.to_vec();
        if let Some(charter) = self.joined_charters().get(&id) {
            peers.extend(charter.maintainers.iter().copied());
        }
        peers.extend(self.neighbors.iter().copied());
        let mut seen = std::collections::BTreeSet::new();
        peers.retain(|p| *p != me && seen.insert(*p));
        peers.truncate(16);
        self.out.push(super::Output::JoinTopic(id, peers));
    }

    /// The communities joined here, in order.
    pub(super) fn joined_ids(&mut self) -> Vec<CommunityId> {
        self.joined_charters().keys().copied().collect()
    }

    /// Whether a listing from someone else is kept: `Ok(false)` when it is
    /// placed in a community not joined here (not an offence: gossip
    /// carries every community's news), an error when its author may not
    /// publish there.
    pub(super) fn admit_listing(&mut self, listing: &Verified<Listing>, now: Timestamp) -> Result<bool, IntakeError> {
        let Some(placement) = &listing.value().placement else { return Ok(true) };
        let author = listing.author();
        let Some(charter) = self.joined_charters().get(&placement.community) else { return Ok(false) };
        may_publish(charter, &author, placement, now).map_err(|e| IntakeError::Invalid(e.to_string()))?;
        Ok(true)
    }

    /// Whether a hide note is kept: `Ok(false)` for a community not joined
    /// here, an error when its author is not a maintainer now.
    pub(super) fn admit_note(&mut self, note: &Verified<HideNote>) -> Result<bool, IntakeError> {
        let author = note.author();
        let Some(charter) = self.joined_charters().get(&note.value().community) else { return Ok(false) };
        if !charter.is_maintainer(&author) {
            return Err(IntakeError::Invalid("a hide note by someone who is not a maintainer".into()));
        }
        Ok(true)
    }

    /// After community `id`'s charter changed: drops the listings kept for
    /// it whose authors may no longer publish there (it became invite-only,
    /// or an invitation's signer is no longer a maintainer). Should the
    /// charter admit them again, they come back with the next
    /// reconciliation.
    pub(super) fn recheck_placed(&mut self, id: CommunityId, now: Timestamp) {
        let Some(charter) = self.joined_charters().get(&id).cloned() else { return };
        let admitted = |listing: &Verified<Listing>| {
            listing.value().placement.as_ref().is_none_or(|p| may_publish(&charter, &listing.author(), p, now).is_ok())
        };
        match self.store.retain_placed(&id, admitted) {
            Ok(dropped) if dropped.is_empty() => {}
            Ok(dropped) => {
                tracing::info!(community = %id.short(), "{} listings no longer admitted by its charter", dropped.len());
                self.sync.directory_changed();
                for listing in dropped {
                    self.emit(crate::node::Event::ListingWithdrawn { author: listing.author, id: listing.id });
                }
            }
            Err(e) => tracing::warn!(community = %id.short(), "cannot recheck its listings: {e}"),
        }
    }

    /// Places an own listing before it is signed (see
    /// [`crate::node::community::place`]).
    pub(super) fn place(&mut self, listing: &mut Listing, now: Timestamp) -> Result<(), NodeError> {
        let Some(community) = listing.community() else { return Ok(()) };
        let me = self.me.public();
        let charter = self.joined_charters().get(&community).cloned();
        let invitation = self.store.invitation(&community)?;
        crate::node::community::place(listing, &me, charter.as_ref(), invitation, now)
    }
}
