//! The user's own statements: listings (publish, withdraw, pause, resume),
//! the profile, blocks, contacts, presentations. Each is signed, stored
//! and, where peers should hear of it, broadcast, in that order.

use jiff::{SignedDuration, Timestamp};

use super::{Command, Core, Done, Timer};
use crate::identity::PublicKey;
use crate::market::{Listing, ListingId, ListingWithdrawal, Profile, check_lifetime};
use crate::net::Frame;
use crate::node::{Event, NodeError};
use crate::wire::{Verified, seal};

/// How long a resumed listing that had expired stays up.
const RESUMED_FOR: SignedDuration = SignedDuration::from_hours(24 * 30);

impl Core {
    pub(super) fn command(&mut self, command: Command, now: Timestamp) -> Result<Done, NodeError> {
        // Whoever asked (the client, or a command beside it through the
        // control socket), every screen on this home shows it at once.
        let own = matches!(
            command,
            Command::Publish(_)
                | Command::Withdraw(_)
                | Command::Pause(_)
                | Command::Resume(_)
                | Command::SetProfile(_)
                | Command::SetBlocked(..)
                | Command::Contact(..)
                | Command::SetJoined(..)
                | Command::KeepValidation(_)
                | Command::KeepInvitation(_)
                | Command::Hide(_)
                | Command::Follow(..)
        );
        let done = self.carry_out(command, now);
        if own && done.is_ok() {
            self.emit(crate::node::Event::OwnChanged);
        }
        done
    }

    fn carry_out(&mut self, command: Command, now: Timestamp) -> Result<Done, NodeError> {
        match command {
            Command::Publish(listing) => self.publish(listing, now).map(|l| Done::Listing(Box::new(l))),
            Command::Withdraw(id) => self.withdraw(id, now).map(Done::Bool),
            Command::Pause(id) => self.pause(id, now).map(Done::Bool),
            Command::Resume(id) => self.resume(id, now).map(Done::Bool),
            Command::SetProfile(profile) => self.set_profile(profile, now).map(|_| Done::Unit),
            Command::SetBlocked(peer, blocked) => self.set_blocked(peer, blocked, now).map(Done::Count),
            Command::Contact(peer, ticket) => self.contact(peer, &ticket, now).map(|_| Done::Unit),
            Command::Propose(listing, terms) => {
                self.propose(listing, terms, now).map(|n| Done::Negotiation(Box::new(n)))
            }
            Command::Act(id, action) => self.act(id, action, now).map(|n| Done::Negotiation(Box::new(n))),
            Command::Chat(id, text) => self.send_chat(id, text, now).map(|_| Done::Unit),
            Command::Review(id, rating, words) => self.review(id, rating, words, now).map(|_| Done::Unit),
            Command::Attest(id, attestation) => self.attest(id, attestation, now).map(|_| Done::Unit),
            Command::Approve(id, seen) => self.approve(id, seen, now).map(|_| Done::Unit),
            Command::DeclineRecord(id, seen, reason) => self.decline_record(id, seen, reason, now).map(|_| Done::Unit),
            Command::SetJoined(id, joined) => self.set_joined(id, joined, now).map(Done::Bool),
            Command::PublishCharter(charter) => self.publish_charter(charter, now).map(|_| Done::Unit),
            Command::JoinVia(id, peer) => self.join_via(id, peer, now).map(Done::Bool),
            Command::KeepValidation(text) => {
                crate::endorse::validation::keep(&self.store, &self.me.public(), text.as_bytes(), now)
                    .map(|(_, added)| Done::Bool(added))
                    .map_err(|e| NodeError::Invalid(e.to_string()))
            }
            Command::Hide(note) => {
                let signed = crate::node::community::hide(&self.store, &self.me, &note, now)?;
                self.sync.directory_changed();
                self.broadcast_in(Some(note.community), Frame::HideNote(signed.bytes().to_vec()));
                self.emit(crate::node::Event::ModerationChanged(note.community));
                Ok(Done::Unit)
            }
            Command::Follow(community, maintainer, follow) => {
                let changed = self.store.set_following(&community, &maintainer, follow)?;
                self.emit(crate::node::Event::ModerationChanged(community));
                Ok(Done::Bool(changed))
            }
            Command::KeepInvitation(bytes) => {
                crate::node::community::keep_invitation(&self.store, &self.me.public(), &bytes, now)?;
                Ok(Done::Unit)
            }
            Command::Present(credentials, validations, binding, suite) => {
                let signed = crate::endorse::presentation::present_with(
                    &self.me,
                    &credentials,
                    &validations,
                    suite,
                    &binding,
                    now,
                )?;
                Ok(Done::Bytes(signed))
            }
        }
    }

    fn publish(&mut self, mut listing: Listing, now: Timestamp) -> Result<Verified<Listing>, NodeError> {
        check_lifetime(&listing, now).map_err(|e| NodeError::Invalid(e.to_string()))?;
        self.place(&mut listing, now)?;
        let signed = seal(&self.me, &listing, now)?;
        // Moved to another community (or out of one, or into one): the
        // version before is withdrawn, so peers outside the new place do
        // not keep showing it.
        let moved = self.store.own_listing(&listing.id)?.filter(|held| held.value().community() != listing.community());
        match moved {
            Some(held) => {
                let previous = ListingWithdrawal { id: listing.id, version: held.value().version };
                let previous = seal(&self.me, &previous, now)?;
                self.store.move_own_listing(&signed, &previous)?;
                self.broadcast(Frame::Withdrawal(previous.bytes().to_vec()));
            }
            None => self.store.put_own_listing(&signed)?,
        }
        self.sync.directory_changed();
        self.broadcast_in(listing.community(), Frame::Listing(signed.bytes().to_vec()));
        Ok(signed)
    }

    fn withdraw(&mut self, id: ListingId, now: Timestamp) -> Result<bool, NodeError> {
        let Some(listing) = self.store.own_listing(&id)? else {
            // A paused listing is already withdrawn: forgetting it is enough.
            return Ok(self.store.forget_paused_listing(&id)?);
        };
        let withdrawal = ListingWithdrawal { id, version: listing.value().version };
        let signed = seal(&self.me, &withdrawal, now)?;
        self.store.withdraw_own_listing(&signed)?;
        self.sync.directory_changed();
        self.broadcast(Frame::Withdrawal(signed.bytes().to_vec()));
        Ok(true)
    }

    /// Withdraws the listing everywhere (a signed tombstone) but keeps it
    /// here, to be resumed as its next version.
    fn pause(&mut self, id: ListingId, now: Timestamp) -> Result<bool, NodeError> {
        let Some(listing) = self.store.own_listing(&id)? else { return Ok(false) };
        let withdrawal = ListingWithdrawal { id, version: listing.value().version };
        let signed = seal(&self.me, &withdrawal, now)?;
        let paused = self.store.pause_own_listing(&signed)?;
        if paused {
            self.sync.directory_changed();
            self.broadcast(Frame::Withdrawal(signed.bytes().to_vec()));
        }
        Ok(paused)
    }

    fn resume(&mut self, id: ListingId, now: Timestamp) -> Result<bool, NodeError> {
        let paused = self.store.paused_listings()?;
        let Some(listing) = paused.iter().find(|l| l.value().id == id) else { return Ok(false) };
        let mut next: Listing = listing.value().clone();
        next.version = next.version.saturating_add(1);
        if next.is_expired(now) || check_lifetime(&next, now).is_err() {
            next.expires_at = now.saturating_add(RESUMED_FOR).unwrap_or(now);
        }
        self.place(&mut next, now)?;
        let signed = seal(&self.me, &next, now)?;
        self.store.resume_own_listing(&signed)?;
        self.sync.directory_changed();
        self.broadcast_in(next.community(), Frame::Listing(signed.bytes().to_vec()));
        Ok(true)
    }

    fn set_profile(&mut self, profile: Profile, now: Timestamp) -> Result<(), NodeError> {
        let signed = seal(&self.me, &profile, now)?;
        self.store.put_profile(&signed)?;
        self.config.profile = Some(profile);
        self.sync.directory_changed();
        self.broadcast(Frame::Profile(signed.bytes().to_vec()));
        Ok(())
    }

    /// Joins or leaves a community; true when that changed anything.
    fn set_joined(
        &mut self,
        id: crate::community::CommunityId,
        joined: bool,
        now: Timestamp,
    ) -> Result<bool, NodeError> {
        self.joined = None;
        self.sync.directory_changed();
        if !joined {
            let left = self.store.leave_community(&id)?;
            self.out.push(super::Output::LeaveTopic(id));
            return Ok(left);
        }
        if self.store.charter(&id)?.is_none() {
            return Err(NodeError::Invalid("no charter of that community is held here".into()));
        }
        let joined = self.store.join_community(&id, now)?;
        if joined {
            self.join_topic(id, &[]);
            // Its directory, from every neighbour, now rather than at the next round.
            self.sync_all(now);
        }
        Ok(joined)
    }

    /// Blocks (or unblocks) a peer: its messages are refused from now on,
    /// and its listings and profile leave the directory. Returns how many
    /// listings went.
    fn set_blocked(&mut self, peer: PublicKey, blocked: bool, now: Timestamp) -> Result<usize, NodeError> {
        if peer == self.me.public() {
            return Err(NodeError::Invalid("that is your own key".into()));
        }
        if !blocked && self.config.blocked.contains(&peer) {
            return Err(NodeError::Invalid("this peer is blocked in config.toml; remove it there".into()));
        }
        let dropped = self.store.set_blocked(&peer, blocked, now)?;
        if blocked {
            self.blocked.insert(peer);
            tracing::info!(peer = %peer.fingerprint(), dropped = dropped.len(), "blocked");
        } else {
            self.blocked.remove(&peer);
            tracing::info!(peer = %peer.fingerprint(), "unblocked");
        }
        self.sync.directory_changed();
        for id in &dropped {
            self.emit(Event::ListingWithdrawn { author: peer, id: *id });
        }
        Ok(dropped.len())
    }

    /// Keeps the ticket a peer was met through; what waits for that peer
    /// need not wait out the backoff of attempts made without it.
    fn contact(&mut self, peer: PublicKey, ticket: &str, now: Timestamp) -> Result<(), NodeError> {
        if peer == self.me.public() {
            return Err(NodeError::Invalid("that is this agora's own ticket".into()));
        }
        if !self.store.put_contact(&peer, ticket)? {
            tracing::warn!(peer = %peer.fingerprint(), "not keeping the contact: the list is full");
        }
        self.delivery.hurry(&peer, now);
        self.deliver_due(now);
        Ok(())
    }

    /// Re-broadcasts own profile and live listings (peers that missed them,
    /// or joined since, catch up; reconciliation covers the rest).
    pub(super) fn announce(&mut self, now: Timestamp) {
        if let Ok(Some(profile)) = self.store.profile() {
            self.broadcast(Frame::Profile(profile.bytes().to_vec()));
        }
        match self.store.own_listings() {
            Ok(listings) => {
                for listing in listings.iter().filter(|l| !l.value().is_expired(now)) {
                    self.broadcast_in(listing.value().community(), Frame::Listing(listing.bytes().to_vec()));
                }
            }
            Err(e) => tracing::warn!("cannot read own listings: {e}"),
        }
        self.wake(now.saturating_add(self.config.announce_every).unwrap_or(now), Timer::Announce);
    }

    /// Own listings past their expiry leave the store: every copy expires
    /// at the same moment, so no withdrawal is needed (or piles up).
    pub(super) fn drop_expired_own(&mut self, now: Timestamp) {
        let expired: Vec<ListingId> = match self.store.own_listings() {
            Ok(own) => own.iter().filter(|l| l.value().is_expired(now)).map(|l| l.value().id).collect(),
            Err(e) => return tracing::warn!("cannot read own listings: {e}"),
        };
        for id in expired {
            match self.store.drop_expired_own_listing(&id) {
                Ok(_) => tracing::info!(listing = %id.short(), "an own listing expired"),
                Err(e) => tracing::warn!(listing = %id.short(), "cannot drop an expired listing: {e}"),
            }
            self.sync.directory_changed();
        }
    }

    /// Drops what ran out (others' listings, old withdrawals), durably.
    pub(super) fn prune(&mut self, now: Timestamp) {
        match self.store.prune_expired(now) {
            Ok(0) => {}
            Ok(n) => {
                tracing::debug!(pruned = n, "pruned the directory");
                self.sync.directory_changed();
            }
            Err(e) => tracing::warn!("pruning the directory: {e}"),
        }
        self.drop_expired_own(now);
        self.forget_closed_proposals_of_strangers(now);
    }
}
