//! The gossip instance behind the router, in a slot the shell may refill.
//!
//! iroh-gossip (0.101) never dials a peer again once a dial to it failed
//! while messages for it were queued: the peer stays "pending" for good
//! (seen after a relay outage: `dial failed: timed out`, then nothing).
//! When asking known peers again brings no neighbour, the shell replaces
//! the instance with a fresh one and joins its communities anew; incoming
//! gossip connections always reach whichever instance is current.

use std::sync::{Arc, RwLock};

use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh_gossip::Gossip;

/// The largest gossip message, the same on every node (see IROH-NOTES).
pub const MAX_GOSSIP_MESSAGE: usize = 4096;

pub fn spawn(endpoint: &iroh::Endpoint) -> Gossip {
    Gossip::builder().max_message_size(MAX_GOSSIP_MESSAGE).spawn(endpoint.clone())
}

#[derive(Clone, Debug)]
pub struct GossipSlot(Arc<RwLock<Gossip>>);

impl GossipSlot {
    pub fn new(gossip: Gossip) -> Self {
        Self(Arc::new(RwLock::new(gossip)))
    }

    pub fn current(&self) -> Gossip {
        match self.0.read() {
            Ok(gossip) => gossip.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Puts `fresh` in place; returns the one it replaces.
    pub fn replace(&self, fresh: Gossip) -> Gossip {
        match self.0.write() {
            Ok(mut gossip) => std::mem::replace(&mut *gossip, fresh),
            Err(poisoned) => std::mem::replace(&mut *poisoned.into_inner(), fresh),
        }
    }
}

impl ProtocolHandler for GossipSlot {
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        self.current().handle_connection(connection).await.map_err(AcceptError::from_err)
    }

    async fn shutdown(&self) {
        let _ = self.current().shutdown().await;
    }
}
