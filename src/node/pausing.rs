//! Pausing and resuming one's own listings while the node runs: a pause
//! withdraws the listing everywhere (signed tombstone) but keeps it here;
//! resuming publishes its next version, so the tombstone no longer covers it.

use super::NodeError;
use super::actor::Actor;
use crate::market::{Listing, ListingId, ListingWithdrawal};
use crate::net::Frame;
use crate::wire::seal;

/// How long a resumed listing that had expired stays up.
const RESUMED_FOR: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 30);

impl Actor {
    pub(super) async fn pause(&mut self, id: ListingId) -> Result<bool, NodeError> {
        let Some(listing) = self.store.own_listing(&id)? else { return Ok(false) };
        let withdrawal = ListingWithdrawal { id, version: listing.value().version };
        let signed = seal(&self.identity, &withdrawal, self.config.clock.now())?;
        let paused = self.store.pause_own_listing(&signed)?;
        if paused {
            self.broadcast(Frame::Withdrawal(signed.bytes().to_vec())).await;
        }
        Ok(paused)
    }

    pub(super) async fn resume(&mut self, id: ListingId) -> Result<bool, NodeError> {
        let paused = self.store.paused_listings()?;
        let Some(listing) = paused.iter().find(|l| l.value().id == id) else { return Ok(false) };
        let now = self.config.clock.now();
        let mut next: Listing = listing.value().clone();
        next.version = next.version.saturating_add(1);
        if next.is_expired(now) {
            next.expires_at = now.saturating_add(RESUMED_FOR).unwrap_or(now);
        }
        let signed = seal(&self.identity, &next, now)?;
        self.store.resume_own_listing(&signed)?;
        self.broadcast(Frame::Listing(signed.bytes().to_vec())).await;
        Ok(true)
    }
}
