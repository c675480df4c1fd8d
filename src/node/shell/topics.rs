//! Communities' own gossip topics: one per community joined, its id
//! derived from the community's ([`crate::community::CommunityId::topic`]).
//! What is placed in a community (listings, hide notes, charter news) is
//! broadcast there, so it reaches its members and not everyone on the
//! named topics. Only messages are passed on to the core: neighbours are
//! counted on the named topics, where every peer of this node meets.

use std::collections::BTreeMap;

use iroh::EndpointId;
use iroh_gossip::TopicId;
use iroh_gossip::api::{Event as GossipEvent, GossipSender};
use n0_future::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::ToShell;
use super::gossip::GossipSlot;
use crate::community::CommunityId;

#[derive(Default)]
pub(super) struct CommunityTopics {
    joined: BTreeMap<CommunityId, (GossipSender, JoinHandle<()>)>,
}

impl CommunityTopics {
    /// Joins `id`'s topic through `bootstrap`, or asks them in when joined.
    pub async fn join(
        &mut self,
        gossip: &GossipSlot,
        inbox: &mpsc::Sender<ToShell>,
        id: CommunityId,
        bootstrap: Vec<EndpointId>,
    ) {
        if let Some((sender, _)) = self.joined.get(&id) {
            if !bootstrap.is_empty()
                && let Err(e) = sender.join_peers(bootstrap).await
            {
                tracing::debug!(community = %id.short(), "asking peers into its topic: {e}");
            }
            return;
        }
        let topic = match gossip.current().subscribe(TopicId::from_bytes(id.topic()), bootstrap).await {
            Ok(topic) => topic,
            Err(e) => return tracing::warn!(community = %id.short(), "joining its topic: {e}"),
        };
        let (sender, mut receiver) = topic.split();
        let forward = inbox.clone();
        let task = tokio::spawn(async move {
            while let Some(Ok(event)) = receiver.next().await {
                if matches!(event, GossipEvent::Received(_)) && forward.send(ToShell::Gossip(event)).await.is_err() {
                    break;
                }
            }
        });
        self.joined.insert(id, (sender, task));
    }

    /// Leaves `id`'s topic (dropping both halves quits it).
    pub fn leave(&mut self, id: &CommunityId) {
        if let Some((_, task)) = self.joined.remove(id) {
            task.abort();
        }
    }

    /// Broadcasts on `id`'s topic; false when it is not joined.
    pub async fn broadcast(&self, id: &CommunityId, frame: &[u8]) -> bool {
        let Some((sender, _)) = self.joined.get(id) else { return false };
        if let Err(e) = sender.broadcast(frame.to_vec().into()).await {
            tracing::warn!(community = %id.short(), "broadcast failed: {e}");
        }
        true
    }

    /// Asks `peers` into every topic joined (after an outage).
    pub async fn rejoin(&self, peers: &[EndpointId]) {
        for (id, (sender, _)) in &self.joined {
            if let Err(e) = sender.join_peers(peers.to_vec()).await {
                tracing::debug!(community = %id.short(), "asking peers again failed: {e}");
            }
        }
    }

    /// Forgets every topic (a fresh gossip instance); returns their ids.
    pub fn drain(&mut self) -> Vec<CommunityId> {
        let ids: Vec<CommunityId> = self.joined.keys().copied().collect();
        for (_, (_, task)) in std::mem::take(&mut self.joined) {
            task.abort();
        }
        ids
    }
}
