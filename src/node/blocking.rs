//! Blocking and unblocking peers while the node runs: the store keeps the
//! mark, the actor's block list takes effect at once, and a blocked peer's
//! listings leave the directory.

use super::actor::Actor;
use super::{Event, NodeError};
use crate::identity::PublicKey;

impl Actor {
    /// Returns how many of the peer's listings were dropped.
    pub(super) fn set_blocked(&mut self, peer: PublicKey, blocked: bool) -> Result<usize, NodeError> {
        if peer == self.identity.public() {
            return Err(NodeError::Invalid("that is your own key".into()));
        }
        if !blocked && self.configured_blocks.contains(&peer) {
            return Err(NodeError::Invalid("this peer is blocked in config.toml; remove it there".into()));
        }
        let dropped = self.store.set_blocked(&peer, blocked, self.config.clock.now())?;
        self.config.blocked.retain(|p| *p != peer);
        if blocked {
            self.config.blocked.push(peer);
            tracing::info!(peer = %peer.fingerprint(), dropped = dropped.len(), "blocked");
        } else {
            tracing::info!(peer = %peer.fingerprint(), "unblocked");
        }
        for id in &dropped {
            self.emit(Event::ListingWithdrawn { author: peer, id: *id });
        }
        Ok(dropped.len())
    }
}
