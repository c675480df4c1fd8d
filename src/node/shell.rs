//! The node's shell: everything that touches the world, and no decision.
//!
//! The core ([`super::core`]) runs on a thread of its own, so its store
//! reads and commits never hold up the async runtime. One task here owns
//! the endpoint's side of things: it turns what arrives (a command, gossip,
//! a peer's request, the outcome of a send, a timer) into [`Input`]s for
//! the core, and carries the core's [`Output`]s out: messages over warm
//! pooled connections ([`pool`]), broadcasts, answers, events, timers.
//! Peers' requests reach it through the protocol handlers in [`session`],
//! [`directory`] and [`portfolio`].

pub(super) mod directory;
pub(super) mod gossip;
pub(super) mod network;
pub(super) mod pool;
pub(super) mod portfolio;
pub(super) mod session;
mod streams;
mod topics;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use iroh::EndpointId;
use iroh::address_lookup::MemoryLookup;
use iroh_gossip::api::{Event as GossipEvent, GossipSender};
use jiff::Timestamp;
use n0_future::StreamExt;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::core::{Command, Core, Done, GossipMessage, Input, Outcome, Output, Timer, Token};
use super::{Clock, Event, NodeError};
use crate::identity::PublicKey;
use crate::net::{DIRECTORY_ALPN, MAX_ACK_BYTES, MAX_DIRECTORY_MESSAGE_BYTES, SESSION_ALPN, Ticket, topic_for};
use crate::store::OutboxKey;

/// How far ahead the shell sleeps at most, so a clock moved forward (the
/// demo skipping ahead) is noticed within this.
const MAX_SLEEP: Duration = Duration::from_secs(1);
/// Inputs handed to the core in one go at most.
const MAX_BATCH: usize = 256;

/// What reaches the shell from the rest of the process.
pub(crate) enum ToShell {
    Command(Command, oneshot::Sender<Result<Done, NodeError>>),
    /// Dial a ticket's peer, join its communities, keep it as a contact.
    Connect(Ticket, oneshot::Sender<Result<Done, NodeError>>),
    Session {
        from: PublicKey,
        bytes: Vec<u8>,
        reply: oneshot::Sender<Vec<u8>>,
    },
    Directory {
        from: PublicKey,
        bytes: Vec<u8>,
        reply: oneshot::Sender<Vec<u8>>,
    },
    Portfolio {
        from: PublicKey,
        reply: oneshot::Sender<Vec<u8>>,
    },
    Gossip(GossipEvent),
    Delivered {
        to: PublicKey,
        key: OutboxKey,
        outcome: Outcome,
    },
    DirectoryAnswer {
        from: PublicKey,
        round: u64,
        outcome: Outcome,
    },
    /// A relay answers again or this node's addresses changed (see [`network`]).
    NetworkBack,
}

pub(super) struct Shell {
    pub gossip: gossip::GossipSlot,
    pub endpoint: iroh::Endpoint,
    /// Rounds of asking known peers again that brought no neighbour.
    fruitless_rejoins: u32,
    pub memory: MemoryLookup,
    pub pool: Arc<pool::Pool>,
    pub topics: Vec<(String, GossipSender)>,
    /// Communities' own topics.
    community_topics: topics::CommunityTopics,
    pub inbox: mpsc::Sender<ToShell>,
    pub to_core: mpsc::UnboundedSender<Vec<Input>>,
    pub events: broadcast::Sender<Event>,
    pub clock: Clock,
    pub me: EndpointId,
    timers: BTreeMap<Timer, Timestamp>,
    next_token: u64,
    commands: HashMap<Token, oneshot::Sender<Result<Done, NodeError>>>,
    answers: HashMap<Token, oneshot::Sender<Vec<u8>>>,
}

/// Rounds of asking known peers again (one every ten seconds) before the
/// gossip instance is started afresh.
const FRUITLESS_REJOINS: u32 = 2;

/// Runs `core` on a thread of its own: batches of inputs in, outputs out.
/// The thread ends (dropping the core and its store) when the input side
/// closes; `done` then fires.
pub(super) fn run_core(
    mut core: Core,
    clock: Clock,
    mut inputs: mpsc::UnboundedReceiver<Vec<Input>>,
    outputs: mpsc::UnboundedSender<Vec<Output>>,
    done: oneshot::Sender<()>,
) -> std::io::Result<()> {
    std::thread::Builder::new().name("agora-core".into()).spawn(move || {
        while let Some(batch) = inputs.blocking_recv() {
            let mut out = Vec::new();
            for input in batch {
                out.extend(core.handle(input, clock.now()));
            }
            if outputs.send(out).is_err() {
                break;
            }
        }
        drop(core);
        let _ = done.send(());
    })?;
    Ok(())
}

impl Shell {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        gossip: gossip::GossipSlot,
        endpoint: iroh::Endpoint,
        memory: MemoryLookup,
        pool: Arc<pool::Pool>,
        inbox: mpsc::Sender<ToShell>,
        to_core: mpsc::UnboundedSender<Vec<Input>>,
        events: broadcast::Sender<Event>,
        clock: Clock,
        me: EndpointId,
    ) -> Self {
        Self {
            gossip,
            endpoint,
            fruitless_rejoins: 0,
            memory,
            pool,
            topics: Vec::new(),
            community_topics: topics::CommunityTopics::default(),
            inbox,
            to_core,
            events,
            clock,
            me,
            timers: BTreeMap::new(),
            next_token: 0,
            commands: HashMap::new(),
            answers: HashMap::new(),
        }
    }

    /// Joins a community's topic through `bootstrap` and forwards its events.
    pub async fn join(&mut self, community: &str, bootstrap: Vec<EndpointId>) -> Result<(), NodeError> {
        let topic = self
            .gossip
            .current()
            .subscribe(topic_for(community), bootstrap)
            .await
            .map_err(|e| NodeError::Gossip(e.to_string()))?;
        let (sender, mut receiver) = topic.split();
        let forward = self.inbox.clone();
        tokio::spawn(async move {
            while let Some(Ok(event)) = receiver.next().await {
                if forward.send(ToShell::Gossip(event)).await.is_err() {
                    break;
                }
            }
        });
        self.topics.push((community.to_owned(), sender));
        Ok(())
    }

    /// Replaces the gossip instance with a fresh one and joins every
    /// community anew through `peers` (see [`gossip`] for why).
    async fn fresh_gossip(&mut self, peers: Vec<EndpointId>) {
        tracing::info!(peers = peers.len(), "no gossip neighbour after asking again; starting gossip afresh");
        self.fruitless_rejoins = 0;
        let old = self.gossip.replace(gossip::spawn(&self.endpoint));
        let communities: Vec<String> = self.topics.drain(..).map(|(community, _)| community).collect();
        tokio::spawn(async move {
            let _ = old.shutdown().await;
        });
        for community in communities {
            if let Err(e) = self.join(&community, peers.clone()).await {
                tracing::warn!(community, "joining again: {e}");
            }
        }
        for id in self.community_topics.drain() {
            self.community_topics.join(&self.gossip, &self.inbox, id, peers.clone()).await;
        }
    }

    /// Remembers a ticket's addresses; returns its endpoint id.
    pub fn learn(&self, ticket: &Ticket) -> EndpointId {
        self.memory.add_endpoint_info(ticket.addr.clone());
        ticket.addr.id
    }

    pub async fn run(
        mut self,
        mut inbox: mpsc::Receiver<ToShell>,
        mut from_core: mpsc::UnboundedReceiver<Vec<Output>>,
    ) {
        loop {
            let sleep = self.until_next_timer();
            tokio::select! {
                message = inbox.recv() => {
                    let Some(message) = message else { break };
                    let mut batch = Vec::new();
                    self.take(message, &mut batch).await;
                    while batch.len() < MAX_BATCH {
                        match inbox.try_recv() {
                            Ok(message) => self.take(message, &mut batch).await,
                            Err(_) => break,
                        }
                    }
                    if !batch.is_empty() && self.to_core.send(batch).is_err() {
                        break;
                    }
                }
                outputs = from_core.recv() => {
                    let Some(outputs) = outputs else { break };
                    for output in outputs {
                        self.carry_out(output).await;
                    }
                }
                _ = tokio::time::sleep(sleep) => {
                    let due = self.due_timers();
                    if !due.is_empty() && self.to_core.send(due).is_err() {
                        break;
                    }
                }
            }
        }
        self.pool.close_all();
    }

    fn token(&mut self) -> Token {
        self.next_token += 1;
        Token(self.next_token)
    }

    /// Turns what arrived into inputs for the core (consecutive gossip
    /// messages go together, so the core stores them in one batch).
    async fn take(&mut self, message: ToShell, batch: &mut Vec<Input>) {
        match message {
            ToShell::Command(command, reply) => {
                let token = self.token();
                self.commands.insert(token, reply);
                batch.push(Input::Command(token, command));
            }
            ToShell::Connect(ticket, reply) => match self.connect(&ticket).await {
                Ok(peer) => {
                    let token = self.token();
                    self.commands.insert(token, reply);
                    batch.push(Input::Command(token, Command::Contact(peer, ticket.to_string())));
                }
                Err(e) => {
                    let _ = reply.send(Err(e));
                }
            },
            ToShell::Session { from, bytes, reply } => {
                let token = self.token();
                self.answers.insert(token, reply);
                batch.push(Input::Session { from, token, bytes });
            }
            ToShell::Directory { from, bytes, reply } => {
                let token = self.token();
                self.answers.insert(token, reply);
                batch.push(Input::Directory { from, token, bytes });
            }
            ToShell::Portfolio { from, reply } => {
                let token = self.token();
                self.answers.insert(token, reply);
                batch.push(Input::Portfolio { from, token });
            }
            ToShell::Gossip(GossipEvent::Received(message)) => {
                let message =
                    GossipMessage { content: message.content.to_vec(), delivered_from: key(message.delivered_from) };
                match batch.last_mut() {
                    Some(Input::Gossip(run)) => run.push(message),
                    _ => batch.push(Input::Gossip(vec![message])),
                }
            }
            ToShell::Gossip(GossipEvent::NeighborUp(peer)) => {
                self.fruitless_rejoins = 0;
                batch.push(Input::NeighborUp(key(peer)))
            }
            ToShell::Gossip(GossipEvent::NeighborDown(peer)) => batch.push(Input::NeighborDown(key(peer))),
            ToShell::Gossip(GossipEvent::Lagged) => batch.push(Input::Lagged),
            ToShell::Delivered { to, key, outcome } => batch.push(Input::Delivered { to, key, outcome }),
            ToShell::DirectoryAnswer { from, round, outcome } => {
                batch.push(Input::DirectoryAnswer { from, round, outcome })
            }
            ToShell::NetworkBack => {
                // Dials that failed while the network was away stay stuck in
                // gossip (see [`gossip`]): if the core asks again, start afresh.
                self.fruitless_rejoins = FRUITLESS_REJOINS;
                batch.push(Input::NetworkBack)
            }
        }
    }

    /// Learns the ticket's addresses and joins its communities through it.
    async fn connect(&mut self, ticket: &Ticket) -> Result<PublicKey, NodeError> {
        if ticket.addr.id == self.me {
            return Err(NodeError::Invalid("that is this agora's own ticket".into()));
        }
        let peer = self.learn(ticket);
        for community in &ticket.communities {
            if !self.topics.iter().any(|(name, _)| name == community) {
                self.join(community, vec![peer]).await?;
            }
        }
        for (_, sender) in &self.topics {
            let _ = sender.join_peers(vec![peer]).await;
        }
        Ok(key(peer))
    }

    async fn carry_out(&mut self, output: Output) {
        match output {
            Output::Done(token, result) => {
                if let Some(reply) = self.commands.remove(&token) {
                    let _ = reply.send(result);
                }
            }
            Output::Emit(event) => {
                let _ = self.events.send(event);
            }
            Output::Rejoin(peers) => {
                let peers: Vec<EndpointId> =
                    peers.iter().filter_map(|p| EndpointId::from_bytes(p.as_bytes()).ok()).collect();
                self.fruitless_rejoins += 1;
                if self.fruitless_rejoins > FRUITLESS_REJOINS {
                    self.fresh_gossip(peers).await;
                    return;
                }
                for (community, sender) in &self.topics {
                    if let Err(e) = sender.join_peers(peers.clone()).await {
                        tracing::debug!(community, "asking peers again failed: {e}");
                    }
                }
                self.community_topics.rejoin(&peers).await;
            }
            Output::BroadcastIn(id, frame) => {
                if !self.community_topics.broadcast(&id, &frame).await {
                    // Its topic is not joined (yet): the named topics carry it.
                    for (community, sender) in &self.topics {
                        if let Err(e) = sender.broadcast(frame.clone().into()).await {
                            tracing::warn!(community, "broadcast failed: {e}");
                        }
                    }
                }
            }
            Output::JoinTopic(id, peers) => {
                let peers = peers.iter().filter_map(|p| EndpointId::from_bytes(p.as_bytes()).ok()).collect();
                self.community_topics.join(&self.gossip, &self.inbox, id, peers).await;
            }
            Output::LeaveTopic(id) => self.community_topics.leave(&id),
            Output::Broadcast(frame) => {
                for (community, sender) in &self.topics {
                    if let Err(e) = sender.broadcast(frame.clone().into()).await {
                        tracing::warn!(community, "broadcast failed: {e}");
                    }
                }
            }
            Output::Deliver { to, key, message } => {
                let (pool, back) = (self.pool.clone(), self.inbox.clone());
                tokio::spawn(async move {
                    let outcome =
                        ask(&pool, to, SESSION_ALPN, &message, MAX_ACK_BYTES, session::DELIVERY_TIMEOUT).await;
                    let _ = back.send(ToShell::Delivered { to, key, outcome }).await;
                });
            }
            Output::AskDirectory { to, round, request } => {
                let (pool, back) = (self.pool.clone(), self.inbox.clone());
                tokio::spawn(async move {
                    let outcome =
                        ask(&pool, to, DIRECTORY_ALPN, &request, MAX_DIRECTORY_MESSAGE_BYTES, directory::ROUND_TIMEOUT)
                            .await;
                    let _ = back.send(ToShell::DirectoryAnswer { from: to, round, outcome }).await;
                });
            }
            Output::Answer(token, bytes) => {
                if let Some(reply) = self.answers.remove(&token) {
                    let _ = reply.send(bytes);
                }
            }
            Output::WakeAt(at, timer) => {
                let slot = self.timers.entry(timer).or_insert(at);
                *slot = (*slot).min(at);
            }
        }
    }

    fn until_next_timer(&self) -> Duration {
        let Some(next) = self.timers.values().min() else { return MAX_SLEEP };
        let ahead = next.duration_since(self.clock.now());
        if ahead.is_negative() { Duration::ZERO } else { ahead.unsigned_abs().min(MAX_SLEEP) }
    }

    fn due_timers(&mut self) -> Vec<Input> {
        let now = self.clock.now();
        let due: Vec<Timer> = self.timers.iter().filter(|(_, at)| **at <= now).map(|(t, _)| *t).collect();
        for timer in &due {
            self.timers.remove(timer);
        }
        due.into_iter().map(Input::Timer).collect()
    }
}

async fn ask(
    pool: &pool::Pool,
    to: PublicKey,
    alpn: &'static [u8],
    request: &[u8],
    limit: usize,
    timeout: Duration,
) -> Outcome {
    let Ok(peer) = EndpointId::from_bytes(to.as_bytes()) else { return Outcome::Failed("not a peer key".into()) };
    match pool.request(peer, alpn, request, limit, timeout).await {
        Ok(answer) => Outcome::Answered(answer),
        Err(e) => Outcome::Failed(format!("{e:#}")),
    }
}

pub(super) fn key(id: EndpointId) -> PublicKey {
    PublicKey::from(*id.as_bytes())
}

/// How a protocol handler ends a connection: failures are the peer's
/// business or the network's, logged and never propagated.
pub(super) fn served(protocol: &'static str, peer: EndpointId, result: anyhow::Result<()>) {
    if let Err(e) = result {
        tracing::debug!(%peer, protocol, "connection ended: {e:#}");
    }
}
