//! The actor loop: gossip events, directory pulls, commands and timers, one
//! at a time, so the store has a single writer.

use std::collections::HashSet;
use std::sync::Arc;

use iroh::address_lookup::MemoryLookup;
use iroh::{Endpoint, EndpointId};
use iroh_gossip::Gossip;
use iroh_gossip::api::{Event as GossipEvent, GossipSender};
use n0_future::StreamExt;
use tokio::sync::{broadcast, mpsc};

use super::intake::{Policy, take_envelope};
use super::limits::RateLimiter;
use super::session::Inbound;
use super::{Command, Event, NodeConfig, NodeError, directory};
use crate::identity::{Identity, PublicKey};
use crate::market::{Listing, ListingWithdrawal};
use crate::net::Ack;
use crate::net::{Frame, Ticket, topic_for};
use crate::store::OutboxKey;
use crate::store::Store;
use crate::wire::{Verified, seal, timestamp_of};

/// Entries signed this recently count as news worth passing on.
const FRESH: jiff::SignedDuration = jiff::SignedDuration::from_secs(120);
/// How often the outbox is checked for messages due.
const OUTBOX_TICK: std::time::Duration = std::time::Duration::from_millis(250);

pub(super) enum Internal {
    Gossip(GossipEvent),
    Pulled { peer: EndpointId, envelopes: anyhow::Result<Vec<Vec<u8>>> },
    Delivered { key: OutboxKey, to: EndpointId, result: anyhow::Result<Ack> },
}

pub struct Actor {
    pub(super) identity: Identity,
    pub(super) store: Arc<Store>,
    pub(super) endpoint: Endpoint,
    gossip: Gossip,
    memory: MemoryLookup,
    events: broadcast::Sender<Event>,
    pub(super) config: NodeConfig,
    /// The block list from the config (the store's is added to `config.blocked`).
    pub(super) configured_blocks: Vec<PublicKey>,
    topics: Vec<(String, GossipSender)>,
    neighbors: HashSet<EndpointId>,
    /// Peers with a delivery in flight: one at a time each, in order.
    pub(super) delivering: HashSet<EndpointId>,
    limiter: RateLimiter,
    pub(super) internal_tx: mpsc::Sender<Internal>,
    pub(super) internal_rx: mpsc::Receiver<Internal>,
    /// One permit per store commit running off the actor; shutdown takes
    /// them all, so the store is released when it returns.
    pub(super) writes: Arc<tokio::sync::Semaphore>,
}

/// Store commits that may run off the actor at once.
pub(super) const MAX_WRITES: u32 = 64;

impl Actor {
    pub async fn start(
        identity: Identity,
        store: Arc<Store>,
        endpoint: Endpoint,
        gossip: Gossip,
        memory: MemoryLookup,
        events: broadcast::Sender<Event>,
        config: NodeConfig,
    ) -> Result<Self, NodeError> {
        let (internal_tx, internal_rx) = mpsc::channel(1024);
        let mut actor = Self {
            identity,
            store,
            endpoint,
            gossip,
            memory,
            events,
            configured_blocks: config.blocked.clone(),
            config,
            topics: Vec::new(),
            neighbors: HashSet::new(),
            delivering: HashSet::new(),
            limiter: RateLimiter::default(),
            internal_tx,
            internal_rx,
            writes: Arc::new(tokio::sync::Semaphore::new(MAX_WRITES as usize)),
        };
        for peer in actor.store.blocked_peers()? {
            if !actor.config.blocked.contains(&peer) {
                actor.config.blocked.push(peer);
            }
        }
        if let Some(profile) = actor.config.profile.clone() {
            let signed = seal(&actor.identity, &profile, actor.config.clock.now())?;
            actor.store.put_profile(&signed)?;
        }
        let mut tickets = actor.config.bootstrap.clone();
        tickets.extend(actor.stored_contacts());
        let mut bootstrap: Vec<EndpointId> = tickets.iter().map(|t| actor.learn(t)).collect();
        bootstrap.sort();
        bootstrap.dedup();
        bootstrap.retain(|id| *id != actor.endpoint.id());
        for community in actor.config.communities.clone() {
            actor.join(&community, bootstrap.clone()).await?;
        }
        Ok(actor)
    }

    /// Tickets kept from earlier `connect`s (unreadable ones skipped).
    fn stored_contacts(&self) -> Vec<Ticket> {
        let contacts = self.store.contacts().unwrap_or_else(|e| {
            tracing::warn!("cannot read contacts: {e}");
            Vec::new()
        });
        contacts
            .into_iter()
            .filter_map(|(peer, text)| match text.parse() {
                Ok(ticket) => Some(ticket),
                Err(e) => {
                    tracing::warn!(peer = %peer.fingerprint(), "skipping a kept contact: {e}");
                    None
                }
            })
            .collect()
    }

    /// Remembers a ticket's addresses; returns its endpoint id.
    fn learn(&self, ticket: &Ticket) -> EndpointId {
        self.memory.add_endpoint_info(ticket.addr.clone());
        ticket.addr.id
    }

    async fn join(&mut self, community: &str, bootstrap: Vec<EndpointId>) -> Result<(), NodeError> {
        let topic = self
            .gossip
            .subscribe(topic_for(community), bootstrap)
            .await
            .map_err(|e| NodeError::Gossip(e.to_string()))?;
        let (sender, mut receiver) = topic.split();
        let forward = self.internal_tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(event)) = receiver.next().await {
                if forward.send(Internal::Gossip(event)).await.is_err() {
                    break;
                }
            }
        });
        self.topics.push((community.to_owned(), sender));
        Ok(())
    }

    pub async fn run(mut self, mut commands: mpsc::Receiver<Command>, mut sessions: mpsc::Receiver<Inbound>) {
        let mut announce = tokio::time::interval(self.config.announce_every);
        let mut sync = tokio::time::interval(self.config.sync_every);
        let mut outbox = tokio::time::interval(OUTBOX_TICK);
        sync.tick().await; // the first sync happens on NeighborUp
        self.withdraw_expired_own().await;
        loop {
            tokio::select! {
                Some(command) = commands.recv() => self.handle_command(command).await,
                Some(internal) = self.internal_rx.recv() => self.handle_queued(internal).await,
                Some(inbound) = sessions.recv() => {
                    let ack = self.take_session_message(inbound.from, inbound.message);
                    let _ = inbound.reply.send(ack);
                }
                _ = announce.tick() => self.announce().await,
                _ = sync.tick() => {
                    if let Err(e) = self.store.prune_expired(self.config.clock.now()) {
                        tracing::warn!("pruning expired listings: {e}");
                    }
                    self.withdraw_expired_own().await;
                    self.sync_with_neighbors();
                }
                _ = outbox.tick() => self.deliver_due(),
                else => break,
            }
        }
    }

    async fn handle_command(&mut self, command: Command) {
        match command {
            Command::Publish(listing, reply) => {
                let result = self.publish(listing).await;
                let _ = reply.send(result);
            }
            Command::Withdraw(id, reply) => {
                let result = self.withdraw(id).await;
                let _ = reply.send(result);
            }
            Command::Propose(listing, terms, reply) => {
                let _ = reply.send(self.propose(listing, terms));
            }
            Command::Act(id, action, reply) => {
                let _ = reply.send(self.act(id, action));
            }
            Command::Chat(id, text, reply) => {
                let _ = reply.send(self.send_chat(id, text));
            }
            Command::Review(id, rating, words, reply) => {
                let _ = reply.send(self.review(id, rating, words));
            }
            Command::Pause(id, reply) => {
                let result = self.pause(id).await;
                let _ = reply.send(result);
            }
            Command::Resume(id, reply) => {
                let result = self.resume(id).await;
                let _ = reply.send(result);
            }
            Command::Present(credentials, binding, suite, reply) => {
                let now = self.config.clock.now();
                let signed = crate::endorse::presentation::present(&self.identity, &credentials, suite, &binding, now);
                let _ = reply.send(signed.map_err(NodeError::from));
            }
            Command::SetProfile(profile, reply) => {
                let result = self.set_profile(profile).await;
                let _ = reply.send(result);
            }
            Command::SetBlocked(peer, blocked, reply) => {
                let _ = reply.send(self.set_blocked(peer, blocked));
            }
            Command::Attest(id, attestation, reply) => {
                let _ = reply.send(self.attest(id, attestation));
            }
            Command::Connect(ticket, reply) => {
                if ticket.addr.id == self.endpoint.id() {
                    let _ = reply.send(Err(NodeError::Invalid("that is this agora's own ticket".into())));
                    return;
                }
                let peer = self.learn(&ticket);
                if let Err(e) = self.store.put_contact(&key(peer), &ticket.to_string()) {
                    tracing::warn!("not keeping the contact: {e}");
                }
                // A fresh address: what waits for this peer need not wait
                // out the backoff of attempts made without it.
                if let Err(e) = self.store.outbox_due_now(&key(peer), self.config.clock.now()) {
                    tracing::warn!("outbox: {e}");
                }
                self.deliver_due();
                for community in &ticket.communities {
                    if !self.topics.iter().any(|(name, _)| name == community)
                        && let Err(e) = self.join(community, vec![peer]).await
                    {
                        let _ = reply.send(Err(e));
                        return;
                    }
                }
                for (_, sender) in &self.topics {
                    let _ = sender.join_peers(vec![peer]).await;
                }
                let _ = reply.send(Ok(()));
            }
        }
    }

    async fn publish(&mut self, listing: Listing) -> Result<Verified<Listing>, NodeError> {
        let signed = seal(&self.identity, &listing, self.config.clock.now())?;
        self.store.put_own_listing(&signed)?;
        self.broadcast(Frame::Listing(signed.bytes().to_vec())).await;
        Ok(signed)
    }

    pub(super) async fn withdraw(&mut self, id: crate::market::ListingId) -> Result<bool, NodeError> {
        let Some(listing) = self.store.own_listing(&id)? else {
            // A paused listing is already withdrawn: forgetting it is enough.
            return Ok(self.store.forget_paused_listing(&id)?);
        };
        let withdrawal = ListingWithdrawal { id, version: listing.value().version };
        let signed = seal(&self.identity, &withdrawal, self.config.clock.now())?;
        self.store.withdraw_own_listing(&signed)?;
        self.broadcast(Frame::Withdrawal(signed.bytes().to_vec())).await;
        Ok(true)
    }

    /// Re-broadcasts own profile and listings (peers that missed them, or
    /// joined since, catch up; anti-entropy covers the rest).
    async fn announce(&mut self) {
        let mut frames = Vec::new();
        if let Ok(Some(profile)) = self.store.profile() {
            frames.push(Frame::Profile(profile.bytes().to_vec()));
        }
        let now = self.config.clock.now();
        if let Ok(listings) = self.store.own_listings() {
            frames.extend(
                listings.iter().filter(|l| !l.value().is_expired(now)).map(|l| Frame::Listing(l.bytes().to_vec())),
            );
        }
        for frame in frames {
            self.broadcast(frame).await;
        }
    }

    pub(super) async fn broadcast(&self, frame: Frame) {
        let bytes = match frame.encode() {
            Ok(bytes) => bytes,
            Err(e) => return tracing::warn!("not broadcasting: {e}"),
        };
        for (community, sender) in &self.topics {
            if let Err(e) = sender.broadcast(bytes.clone().into()).await {
                tracing::warn!(community, "broadcast failed: {e}");
            }
        }
    }

    pub(super) async fn handle_internal(&mut self, internal: Internal) {
        match internal {
            Internal::Gossip(GossipEvent::NeighborUp(peer)) => {
                if self.neighbors.insert(peer) {
                    self.emit(Event::NeighborUp(key(peer)));
                }
                self.pull_from(peer);
            }
            Internal::Gossip(GossipEvent::NeighborDown(peer)) => {
                if self.neighbors.remove(&peer) {
                    self.emit(Event::NeighborDown(key(peer)));
                }
            }
            Internal::Gossip(GossipEvent::Received(message)) => self.take_gossip(vec![message]).await,
            Internal::Gossip(GossipEvent::Lagged) => self.sync_with_neighbors(),
            Internal::Pulled { peer, envelopes } => self.take_pulled(peer, envelopes).await,
            Internal::Delivered { key, to, result } => self.delivered(key, to, result),
        }
    }

    /// Takes what a pull brought. Fresh news among it (signed moments ago)
    /// most likely missed the gossip broadcast, e.g. because its author had
    /// no neighbors yet, so it is passed on over gossip once; old entries a
    /// late joiner catches up on are not.
    async fn take_pulled(&mut self, peer: EndpointId, envelopes: anyhow::Result<Vec<Vec<u8>>>) {
        let envelopes = match envelopes {
            Ok(envelopes) => envelopes,
            Err(e) => return tracing::debug!(%peer, "directory pull failed: {e:#}"),
        };
        let now = self.config.clock.now();
        let mut received = 0;
        let batch = match self.store.directory_batch() {
            Ok(batch) => batch,
            Err(e) => return tracing::warn!(%peer, "not taking a directory pull: {e}"),
        };
        let policy = self.policy();
        let mut news = Vec::new();
        let mut events = Vec::new();
        for envelope in envelopes {
            match take_envelope(&batch, &envelope, now, &policy) {
                Ok(Some(event)) => {
                    received += 1;
                    let fresh = timestamp_of(&envelope).is_ok_and(|t| now.duration_since(t) < FRESH);
                    match event {
                        Event::ListingUpdated { .. } if fresh => news.push(Frame::Listing(envelope)),
                        Event::ListingWithdrawn { .. } if fresh => news.push(Frame::Withdrawal(envelope)),
                        _ => {}
                    }
                    events.push(event);
                }
                Ok(None) => {}
                Err(e) => events.push(Event::Rejected { from: key(peer), reason: e.to_string() }),
            }
        }
        if let Err(e) = super::gossip_intake::commit_off_runtime(batch, &self.writes).await {
            return tracing::warn!(%peer, "storing a directory pull: {e}");
        }
        for event in events {
            self.emit(event);
        }
        self.emit(Event::Synced { peer: key(peer), received });
        for frame in news {
            self.broadcast(frame).await;
        }
    }

    fn sync_with_neighbors(&mut self) {
        for peer in self.neighbors.clone() {
            self.pull_from(peer);
        }
    }

    /// Pulls from `peer` in the background; the answer comes back as an
    /// internal message so that only the actor writes to the store.
    fn pull_from(&self, peer: EndpointId) {
        let digest = match self.store.digest(self.config.clock.now()) {
            Ok(digest) => digest,
            Err(e) => return tracing::warn!("no digest: {e}"),
        };
        let endpoint = self.endpoint.clone();
        let back = self.internal_tx.clone();
        tokio::spawn(async move {
            let envelopes = directory::pull(&endpoint, peer, &digest).await;
            let _ = back.send(Internal::Pulled { peer, envelopes }).await;
        });
    }

    /// Whether a message from `peer` may be handled at all: not blocked and
    /// within its rate.
    pub(super) fn admit(&mut self, peer: PublicKey) -> Result<(), &'static str> {
        if self.config.blocked.contains(&peer) {
            return Err("peer is blocked");
        }
        if !self.limiter.allow(peer, &self.config.limits, std::time::Instant::now()) {
            return Err("peer is over its message rate");
        }
        Ok(())
    }

    pub(super) fn policy(&self) -> Policy<'_> {
        Policy {
            me: self.identity.public(),
            blocked: &self.config.blocked,
            listings_per_author: self.config.limits.listings_per_author,
        }
    }

    pub(super) fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }
}

pub(super) fn key(id: EndpointId) -> PublicKey {
    PublicKey::from(*id.as_bytes())
}
