//! A simulated network of node cores, for tests and figures.
//!
//! N [`Core`]s run in one thread on a virtual clock, each with an
//! in-memory redb store and the real iroh-gossip protocol state machine
//! (HyParView and PlumTree) for its community topic. Links have latency
//! (fixed per link, plus jitter, so messages can overtake each other),
//! loss, partitions; peers crash and restart (the store survives, memory
//! does not). Every choice comes from one seed, and events at the same
//! moment are taken in the order they were scheduled, so a run replays
//! exactly: [`Sim::trace`] fingerprints it.
//!
//! A request that gets no answer (lost, partitioned, the peer down)
//! fails after the same timeout the shell uses, as real iroh would.
//!
//! - [`net`]: links, the event queue, the trace.
//! - [`peer`]: one simulated peer: its core, gossip state, store, and a
//!   hook that lets a test make it misbehave.
//! - [`broadcasts`]: how far and how fast gossip alone spread each frame
//!   (a raw baseline for figures; off unless asked for).

pub mod broadcasts;
pub mod net;
pub mod peer;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use iroh_gossip::proto::{Command as GossipCommand, Event as GossipEvent, InEvent, OutEvent, Scope, TopicId};
use jiff::Timestamp;

pub use net::{Links, Trace};
pub use peer::{Behaviour, PeerOptions, SimPeer};

use crate::identity::{Identity, PublicKey};
use crate::net::topic_for;
use crate::node::core::{Command, Done, GossipMessage, Input, Outcome, Output, Timer, Token};
use crate::node::{Event, NodeError};
use crate::store::Store;

/// How long a request waits for its answer before it fails (as the
/// shell's delivery and directory timeouts).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What the simulator does next, at some moment.
#[derive(Debug)]
enum Happening {
    Core { peer: usize, input: Input },
    Gossip { peer: usize, event: InEvent<PublicKey> },
    Timer { peer: usize, timer: Timer },
}

/// A request in flight, awaiting its answer.
#[derive(Debug, Clone)]
enum Pending {
    Deliver {
        from: usize,
        to: PublicKey,
        key: crate::store::OutboxKey,
    },
    Directory {
        from: usize,
        to: PublicKey,
        round: u64,
    },
    /// A test's own request; the answer is kept for it.
    Test,
}

pub struct Sim {
    links: Links,
    peers: Vec<SimPeer>,
    by_key: BTreeMap<PublicKey, usize>,
    queue: BTreeMap<(Duration, u64), Happening>,
    next_seq: u64,
    elapsed: Duration,
    base: Timestamp,
    base_instant: tokio::time::Instant,
    topic: TopicId,
    next_token: u64,
    pending: BTreeMap<Token, (Pending, Duration)>,
    results: BTreeMap<Token, Result<Done, NodeError>>,
    answers: BTreeMap<Token, Option<Vec<u8>>>,
    timers: BTreeMap<(usize, Timer), Duration>,
    trace: Trace,
    broadcasts: Option<broadcasts::Broadcasts>,
    /// Communities' own topics each peer joined (its core asked to).
    community_topics: BTreeMap<usize, std::collections::BTreeSet<TopicId>>,
}

impl Sim {
    /// A network whose links follow `links`, starting at `base` on the
    /// wall clock the cores see.
    pub fn new(links: Links, base: Timestamp) -> Self {
        Self {
            links,
            peers: Vec::new(),
            by_key: BTreeMap::new(),
            queue: BTreeMap::new(),
            next_seq: 0,
            elapsed: Duration::ZERO,
            base,
            base_instant: tokio::time::Instant::from_std(std::time::Instant::now()),
            topic: topic_for(crate::net::DEFAULT_COMMUNITY),
            next_token: 1 << 40,
            pending: BTreeMap::new(),
            results: BTreeMap::new(),
            answers: BTreeMap::new(),
            timers: BTreeMap::new(),
            trace: Trace::default(),
            broadcasts: None,
            community_topics: BTreeMap::new(),
        }
    }

    /// From now on, note how far and how fast gossip spreads each frame
    /// a core broadcasts (see [`Sim::spreads`]).
    pub fn watch_broadcasts(&mut self) {
        self.broadcasts.get_or_insert_default();
    }

    /// Each frame broadcast since [`Sim::watch_broadcasts`], and its spread.
    pub fn spreads(&self) -> Vec<broadcasts::Spread> {
        self.broadcasts.iter().flat_map(|b| b.spreads().cloned()).collect()
    }

    /// The cores' wall clock now.
    pub fn now(&self) -> Timestamp {
        self.base.saturating_add(self.elapsed).unwrap_or(self.base)
    }

    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    pub fn trace(&self) -> &Trace {
        &self.trace
    }

    pub fn links_mut(&mut self) -> &mut Links {
        &mut self.links
    }

    /// Adds a peer with `identity`, joining the community through the
    /// peers at `bootstrap` (indexes). Returns its index.
    pub fn add_peer(&mut self, identity: Identity, mut options: PeerOptions) -> usize {
        let index = self.peers.len();
        // The core knows its bootstrap peers, as a node knows its tickets'.
        let known: Vec<PublicKey> =
            options.bootstrap.iter().filter_map(|b| self.peers.get(*b)).map(|p| p.key()).collect();
        options.config.bootstrap.extend(known);
        let key = identity.public();
        let store = Arc::new(Store::in_memory().expect("an in-memory store opens"));
        let seed = self.links.draw_u64();
        let peer = SimPeer::new(identity, store, options, seed);
        self.by_key.insert(key, index);
        self.peers.push(peer);
        self.boot(index);
        index
    }

    /// Starts peer `index`'s core and gossip (at add and at restart).
    fn boot(&mut self, index: usize) {
        let now = self.now();
        let seed = self.links.draw_u64();
        let outputs = self.peers[index].start(now, seed);
        let bootstrap: Vec<PublicKey> =
            self.peers[index].options.bootstrap.iter().map(|b| self.peers[*b].key()).collect();
        self.gossip_in(index, InEvent::Command(self.topic, GossipCommand::Join(bootstrap)));
        self.carry_out(index, outputs);
    }

    pub fn peer(&self, index: usize) -> &SimPeer {
        &self.peers[index]
    }

    pub fn peer_mut(&mut self, index: usize) -> &mut SimPeer {
        &mut self.peers[index]
    }

    pub fn len(&self) -> usize {
        self.peers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.peers.is_empty()
    }

    pub fn key(&self, index: usize) -> PublicKey {
        self.peers[index].key()
    }

    pub fn store(&self, index: usize) -> &Arc<Store> {
        self.peers[index].store()
    }

    /// Everything peer `index`'s core emitted so far, with when.
    pub fn events(&self, index: usize) -> &[(Timestamp, Event)] {
        &self.peers[index].events
    }

    /// Bytes peer `index` has sent so far (every protocol counted).
    pub fn bytes_sent(&self, index: usize) -> u64 {
        self.peers[index].bytes_sent
    }

    /// Stops a peer: its memory is lost, its store kept; requests to it fail.
    pub fn crash(&mut self, index: usize) {
        self.trace.note(self.elapsed, &format!("crash {index}"));
        self.peers[index].crash();
        // Its gossip state is gone; its core joins its topics again at start.
        self.community_topics.remove(&index);
        let gone = self.key(index);
        let neighbours: Vec<usize> = (0..self.peers.len()).filter(|i| *i != index && self.peers[*i].is_up()).collect();
        for other in neighbours {
            let at = self.links.close_in_order(gone, self.key(other), self.elapsed);
            self.schedule(at, Happening::Gossip { peer: other, event: InEvent::PeerDisconnected(gone) });
        }
    }

    /// Starts a crashed peer again from its store.
    pub fn restart(&mut self, index: usize) {
        self.trace.note(self.elapsed, &format!("restart {index}"));
        self.boot(index);
    }

    /// Runs a user's command on peer `index` until its result is in (or
    /// `within` passes on the virtual clock).
    pub fn command(&mut self, index: usize, command: Command) -> Result<Done, NodeError> {
        let token = self.token();
        self.schedule(self.elapsed, Happening::Core { peer: index, input: Input::Command(token, command) });
        let deadline = self.elapsed + Duration::from_secs(60);
        while !self.results.contains_key(&token) && self.elapsed < deadline && self.step() {}
        self.results.remove(&token).unwrap_or(Err(NodeError::Stopped))
    }

    /// Delivers `input` to peer `index`'s core now, as if it had arrived.
    pub fn inject(&mut self, index: usize, input: Input) {
        self.schedule(self.elapsed, Happening::Core { peer: index, input });
    }

    /// Sends raw session-message bytes to peer `to` as `from` (any key,
    /// in the simulator or not) and runs until the answer is in. `None`
    /// when the peer gave none within the timeout.
    pub fn ask_session(&mut self, from: PublicKey, to: usize, bytes: Vec<u8>) -> Option<Vec<u8>> {
        let token = self.token();
        self.pending.insert(token, (Pending::Test, self.elapsed));
        self.schedule(self.elapsed, Happening::Core { peer: to, input: Input::Session { from, token, bytes } });
        self.await_answer(token)
    }

    /// The same for a directory request.
    pub fn ask_directory(&mut self, from: PublicKey, to: usize, bytes: Vec<u8>) -> Option<Vec<u8>> {
        let token = self.token();
        self.pending.insert(token, (Pending::Test, self.elapsed));
        self.schedule(self.elapsed, Happening::Core { peer: to, input: Input::Directory { from, token, bytes } });
        self.await_answer(token)
    }

    /// The same for a portfolio request.
    pub fn ask_portfolio(&mut self, from: PublicKey, to: usize) -> Option<Vec<u8>> {
        let token = self.token();
        self.pending.insert(token, (Pending::Test, self.elapsed));
        self.schedule(self.elapsed, Happening::Core { peer: to, input: Input::Portfolio { from, token } });
        self.await_answer(token)
    }

    fn await_answer(&mut self, token: Token) -> Option<Vec<u8>> {
        let deadline = self.elapsed + REQUEST_TIMEOUT;
        while !self.answers.contains_key(&token) && self.elapsed < deadline && self.step() {}
        self.pending.remove(&token);
        self.answers.remove(&token).flatten()
    }

    /// Runs for `duration` of virtual time.
    pub fn run_for(&mut self, duration: Duration) {
        let until = self.elapsed + duration;
        while self.queue.first_key_value().is_some_and(|((at, _), _)| *at <= until) {
            self.step();
        }
        self.elapsed = self.elapsed.max(until);
    }

    /// Runs until `done` holds (checked after every event, and at least
    /// every `check_every`), or `within` passes. Returns whether it held.
    pub fn run_until(&mut self, within: Duration, mut done: impl FnMut(&Sim) -> bool) -> bool {
        let deadline = self.elapsed + within;
        loop {
            if done(self) {
                return true;
            }
            if self.elapsed >= deadline {
                return false;
            }
            let next = self.queue.first_key_value().map(|((at, _), _)| *at);
            match next {
                Some(at) if at <= deadline => {
                    self.step();
                }
                _ => {
                    self.elapsed = deadline;
                    return done(self);
                }
            }
        }
    }

    /// Takes the next happening; false when there is none.
    pub fn step(&mut self) -> bool {
        let Some(((at, _), happening)) = self.queue.pop_first() else { return false };
        self.elapsed = self.elapsed.max(at);
        match happening {
            Happening::Core { peer, input } => {
                if !self.peers[peer].is_up() {
                    self.fail_requests_to(peer, &input);
                    return true;
                }
                self.trace.input(self.elapsed, peer, &input);
                let now = self.now();
                let outputs = self.peers[peer].handle(input, now);
                self.carry_out(peer, outputs);
            }
            Happening::Timer { peer, timer } => {
                if self.timers.get(&(peer, timer)) == Some(&at) {
                    self.timers.remove(&(peer, timer));
                }
                if self.peers[peer].is_up() {
                    self.trace.input(self.elapsed, peer, &Input::Timer(timer));
                    let now = self.now();
                    let outputs = self.peers[peer].handle(Input::Timer(timer), now);
                    self.carry_out(peer, outputs);
                }
            }
            Happening::Gossip { peer, event } => {
                if self.peers[peer].is_up() {
                    self.gossip_in(peer, event);
                }
            }
        }
        true
    }

    fn schedule(&mut self, at: Duration, happening: Happening) {
        self.next_seq += 1;
        self.queue.insert((at, self.next_seq), happening);
    }

    fn token(&mut self) -> Token {
        self.next_token += 1;
        Token(self.next_token)
    }

    /// A request reached a peer that is down: the asker hears nothing and
    /// gives up after the timeout.
    fn fail_requests_to(&mut self, peer: usize, input: &Input) {
        let token = match input {
            Input::Session { token, .. } | Input::Directory { token, .. } | Input::Portfolio { token, .. } => *token,
            Input::Command(token, _) => {
                self.results.insert(*token, Err(NodeError::Stopped));
                return;
            }
            _ => return,
        };
        self.answer_lost(token, peer);
    }

    fn answer_lost(&mut self, token: Token, _at_peer: usize) {
        let Some((pending, sent)) = self.pending.remove(&token) else { return };
        let at = sent + REQUEST_TIMEOUT;
        match pending {
            Pending::Deliver { from, to, key } => {
                let input = Input::Delivered { to, key, outcome: Outcome::Failed("timed out".into()) };
                self.schedule(at.max(self.elapsed), Happening::Core { peer: from, input });
            }
            Pending::Directory { from, to, round } => {
                let input = Input::DirectoryAnswer { from: to, round, outcome: Outcome::Failed("timed out".into()) };
                self.schedule(at.max(self.elapsed), Happening::Core { peer: from, input });
            }
            Pending::Test => {
                self.answers.insert(token, None);
            }
        }
    }

    fn carry_out(&mut self, peer: usize, outputs: Vec<Output>) {
        let me = self.key(peer);
        for output in outputs {
            match output {
                Output::Done(token, result) => {
                    self.results.insert(token, result);
                }
                Output::Emit(event) => {
                    let now = self.now();
                    self.peers[peer].events.push((now, event));
                }
                Output::Broadcast(frame) => {
                    if let Some(watch) = self.broadcasts.as_mut() {
                        watch.sent(peer, &frame, self.elapsed);
                    }
                    let command = GossipCommand::Broadcast(frame.into(), Scope::Swarm);
                    self.gossip_in(peer, InEvent::Command(self.topic, command));
                }
                Output::Deliver { to, key, message } => {
                    let token = self.token();
                    self.pending.insert(token, (Pending::Deliver { from: peer, to, key }, self.elapsed));
                    self.request(peer, to, token, message, |from, token, bytes| Input::Session { from, token, bytes });
                }
                Output::AskDirectory { to, round, request } => {
                    let token = self.token();
                    self.pending.insert(token, (Pending::Directory { from: peer, to, round }, self.elapsed));
                    self.request(peer, to, token, request, |from, token, bytes| Input::Directory {
                        from,
                        token,
                        bytes,
                    });
                }
                Output::Answer(token, bytes) => self.answer(peer, me, token, bytes),
                Output::Rejoin(peers) => {
                    self.gossip_in(peer, InEvent::Command(self.topic, GossipCommand::Join(peers.clone())));
                    let topics: Vec<TopicId> =
                        self.community_topics.get(&peer).into_iter().flatten().copied().collect();
                    for topic in topics {
                        self.gossip_in(peer, InEvent::Command(topic, GossipCommand::Join(peers.clone())));
                    }
                }
                Output::BroadcastIn(community, frame) => {
                    if let Some(watch) = self.broadcasts.as_mut() {
                        watch.sent(peer, &frame, self.elapsed);
                    }
                    let topic = TopicId::from_bytes(community.topic());
                    // As the shell: the named topic while its own is not joined.
                    let joined = self.community_topics.get(&peer).is_some_and(|t| t.contains(&topic));
                    let topic = if joined { topic } else { self.topic };
                    let command = GossipCommand::Broadcast(frame.into(), Scope::Swarm);
                    self.gossip_in(peer, InEvent::Command(topic, command));
                }
                Output::JoinTopic(community, peers) => {
                    let topic = TopicId::from_bytes(community.topic());
                    self.community_topics.entry(peer).or_default().insert(topic);
                    self.gossip_in(peer, InEvent::Command(topic, GossipCommand::Join(peers)));
                }
                Output::LeaveTopic(community) => {
                    let topic = TopicId::from_bytes(community.topic());
                    if self.community_topics.get_mut(&peer).is_some_and(|t| t.remove(&topic)) {
                        self.gossip_in(peer, InEvent::Command(topic, GossipCommand::Quit));
                    }
                }
                Output::WakeAt(at, timer) => {
                    let offset = at.duration_since(self.base);
                    let at =
                        if offset.is_negative() { Duration::ZERO } else { offset.unsigned_abs() }.max(self.elapsed);
                    let slot = self.timers.get(&(peer, timer)).copied();
                    if slot.is_none_or(|held| held > at) {
                        self.timers.insert((peer, timer), at);
                        self.schedule(at, Happening::Timer { peer, timer });
                    }
                }
            }
        }
    }

    /// Sends a request from `peer` to `to` (by key); lost requests fail
    /// after the timeout.
    fn request(
        &mut self,
        peer: usize,
        to: PublicKey,
        token: Token,
        bytes: Vec<u8>,
        input: impl FnOnce(PublicKey, Token, Vec<u8>) -> Input,
    ) {
        let me = self.key(peer);
        self.peers[peer].bytes_sent += bytes.len() as u64;
        let Some(&target) = self.by_key.get(&to) else { return self.answer_lost(token, peer) };
        match self.links.carry(me, to, self.elapsed) {
            Some(at) => self.schedule(at, Happening::Core { peer: target, input: input(me, token, bytes) }),
            None => self.answer_lost(token, peer),
        }
    }

    /// An answer from `peer` travels back to whoever asked.
    fn answer(&mut self, peer: usize, me: PublicKey, token: Token, bytes: Vec<u8>) {
        self.peers[peer].bytes_sent += bytes.len() as u64;
        let Some((pending, _)) = self.pending.get(&token).cloned() else { return };
        let asker = match &pending {
            Pending::Deliver { from, .. } | Pending::Directory { from, .. } => Some(*from),
            Pending::Test => None,
        };
        let Some(asker) = asker else {
            self.pending.remove(&token);
            self.answers.insert(token, Some(bytes));
            return;
        };
        let Some(at) = self.links.carry(me, self.key(asker), self.elapsed) else {
            return self.answer_lost(token, peer);
        };
        self.pending.remove(&token);
        let input = match pending {
            Pending::Deliver { to, key, .. } => Input::Delivered { to, key, outcome: Outcome::Answered(bytes) },
            Pending::Directory { to, round, .. } => {
                Input::DirectoryAnswer { from: to, round, outcome: Outcome::Answered(bytes) }
            }
            Pending::Test => return,
        };
        self.schedule(at, Happening::Core { peer: asker, input });
    }

    /// Feeds the gossip state machine of `peer` and carries out what it says.
    fn gossip_in(&mut self, peer: usize, event: InEvent<PublicKey>) {
        let instant = self.base_instant + self.elapsed;
        let me = self.key(peer);
        let outs = self.peers[peer].gossip(event, instant);
        let mut received = Vec::new();
        for out in outs {
            match out {
                OutEvent::SendMessage(to, message) => {
                    self.peers[peer].bytes_sent += message.size().unwrap_or(0) as u64;
                    let Some(&target) = self.by_key.get(&to) else { continue };
                    if let Some(at) = self.links.carry_in_order(me, to, self.elapsed) {
                        self.schedule(at, Happening::Gossip { peer: target, event: InEvent::RecvMessage(me, message) });
                    }
                }
                OutEvent::ScheduleTimer(after, timer) => {
                    self.schedule(
                        self.elapsed + after,
                        Happening::Gossip { peer, event: InEvent::TimerExpired(timer) },
                    );
                }
                OutEvent::DisconnectPeer(to) => {
                    if let Some(&target) = self.by_key.get(&to) {
                        let at = self.links.close_in_order(me, to, self.elapsed);
                        self.schedule(at, Happening::Gossip { peer: target, event: InEvent::PeerDisconnected(me) });
                    }
                }
                // Neighbours are counted on the named topic (as the shell).
                OutEvent::EmitEvent(topic, event) => match event {
                    GossipEvent::NeighborUp(p) if topic == self.topic => received.push(Input::NeighborUp(p)),
                    GossipEvent::NeighborDown(p) if topic == self.topic => received.push(Input::NeighborDown(p)),
                    GossipEvent::NeighborUp(_) | GossipEvent::NeighborDown(_) => {}
                    GossipEvent::Received(message) => {
                        if let Some(watch) = self.broadcasts.as_mut() {
                            watch.delivered(&message.content, self.elapsed);
                        }
                        let message =
                            GossipMessage { content: message.content.to_vec(), delivered_from: message.delivered_from };
                        match received.last_mut() {
                            Some(Input::Gossip(run)) => run.push(message),
                            _ => received.push(Input::Gossip(vec![message])),
                        }
                    }
                },
                OutEvent::PeerData(..) => {}
            }
        }
        for input in received {
            self.schedule(self.elapsed, Happening::Core { peer, input });
        }
    }
}
