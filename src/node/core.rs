//! The node's core: every protocol decision, and no I/O.
//!
//! [`Core::handle`] takes one [`Input`] (a user's command, gossip, a
//! peer's message, the outcome of something sent, a timer) with the time
//! it happens, and returns the [`Output`]s to carry out: messages to send
//! or broadcast, answers to requests, events for the client, and timers as
//! data ([`Output::WakeAt`]). The core reads and writes the store (its
//! narrow interface to state that outlives it) but never opens a socket,
//! reads a clock, spawns or sleeps, and draws randomness only from the
//! seeded generator it was given, so the same inputs give the same
//! outputs: the shell ([`super::shell`]) runs it on real iroh, and the
//! simulator ([`crate::sim`]) runs many of them on a virtual network.
//!
//! Where each decision lives:
//! - [`commands`]: the user's own listings, profile, blocks, contacts;
//! - [`intake`]: profiles, listings and withdrawals from others (gossip
//!   or fetched), checked and capped before they are stored;
//! - [`negotiating`]: negotiation steps and chat, local and from the
//!   other party, driven by the state machine's effects; resync of a log
//!   with gaps;
//! - [`cosigning`]: the review, draft and final of an endorsement;
//! - [`delivery`]: the outbox, one message in flight per peer, backoff;
//! - [`sync`]: directory reconciliation, as initiator and as responder;
//! - [`serving`]: what peers may ask of this node (session messages,
//!   directory rounds, the public portfolio), each behind its limits;
//! - [`strangers`]: how many proposals from people new here are kept,
//!   and forgetting the closed ones;
//! - [`limits`]: rates and caps; [`refusals`]: what was refused, logged
//!   in summaries so a flood cannot flood the log.

mod charters;
mod commands;
mod cosigning;
mod delivery;
mod intake;
mod limits;
mod negotiating;
mod placement;
mod refusals;
mod serving;
mod strangers;
mod sync;

use std::collections::BTreeSet;
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use rand::SeedableRng;
use rand::rngs::StdRng;

pub use limits::Limits;
pub use serving::{MAX_PORTFOLIO_BYTES, MAX_PORTFOLIO_ENTRIES, PortfolioReply};

use super::{Event, NodeError};
use crate::endorse::cosign::Attestation;
use crate::endorse::data_integrity::Cryptosuite;
use crate::identity::{Identity, PublicKey};
use crate::market::{Action, Listing, ListingId, ListingRef, Negotiation, NegotiationId, Profile, Terms};
use crate::store::{OutboxKey, Store};
use crate::wire::Verified;

/// Names a request that expects an answer ([`Output::Done`] or
/// [`Output::Answer`]); chosen by whoever feeds the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Token(pub u64);

/// What the user (the client, the CLI through the control socket) asks.
#[derive(Debug, Clone)]
pub enum Command {
    Publish(Listing),
    Withdraw(ListingId),
    Pause(ListingId),
    Resume(ListingId),
    SetProfile(Profile),
    SetBlocked(PublicKey, bool),
    /// The shell met `peer` through this ticket (text): keep it as a contact.
    Contact(PublicKey, String),
    Propose(ListingRef, Terms),
    Act(NegotiationId, Action),
    Chat(NegotiationId, String),
    Review(NegotiationId, u8, String),
    Attest(NegotiationId, Attestation),
    /// The user read the record with this digest and approves signing it.
    Approve(NegotiationId, crate::endorse::consent::RecordDigest),
    /// The learner turns the draft with this digest down, with a reason.
    DeclineRecord(NegotiationId, crate::endorse::consent::RecordDigest, String),
    Present(
        Vec<crate::endorse::VerifiedEndorsement>,
        Vec<crate::endorse::validation::VerifiedValidation>,
        crate::endorse::presentation::Binding,
        Cryptosuite,
    ),
    /// Join (true) or leave (false) a community whose charter is held.
    SetJoined(crate::community::CommunityId, bool),
    /// Sign and keep a charter version (a founding one, or the next of one
    /// this user maintains).
    PublishCharter(crate::community::Charter),
    /// Join a community through the peer whose community ticket was used:
    /// its charter is asked of that peer.
    JoinVia(crate::community::CommunityId, PublicKey),
    /// Keep a hub's validation of this user's learning (the file's text):
    /// verified, and about this user, or refused.
    KeepValidation(String),
    /// Sign and pass on a hide note in a community this user maintains.
    Hide(crate::community::HideNote),
    /// Follow (true) or stop following a maintainer's notes in a community.
    Follow(crate::community::CommunityId, PublicKey, bool),
    /// Keep this user's invitation to an invite-only community.
    KeepInvitation(Vec<u8>),
}

/// A command's result.
#[derive(Debug, Clone)]
pub enum Done {
    Unit,
    Bool(bool),
    Count(usize),
    Listing(Box<Verified<Listing>>),
    Negotiation(Box<Negotiation>),
    Bytes(Vec<u8>),
}

/// A gossip message as received: content and the neighbour that passed it
/// on (not its author: authorship comes from signatures only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GossipMessage {
    pub content: Vec<u8>,
    pub delivered_from: PublicKey,
}

/// What became of a message sent or a request made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The peer answered with these bytes.
    Answered(Vec<u8>),
    /// No answer: unreachable, timed out, connection lost.
    Failed(String),
}

#[derive(Debug, Clone)]
pub enum Input {
    Command(Token, Command),
    /// Gossip messages received, in order.
    Gossip(Vec<GossipMessage>),
    NeighborUp(PublicKey),
    NeighborDown(PublicKey),
    /// The gossip layer dropped messages for us: reconcile.
    Lagged,
    /// The way out may be back (a relay answers again, this node's
    /// addresses changed after a network change or a sleep): mail is tried
    /// at once and, with no neighbour left, known peers are asked again.
    NetworkBack,
    /// A session message from `from` (the connection's key); answered with
    /// [`Output::Answer`] (an encoded [`crate::net::Ack`]).
    Session {
        from: PublicKey,
        token: Token,
        bytes: Vec<u8>,
    },
    /// The outcome of an [`Output::Deliver`].
    Delivered {
        to: PublicKey,
        key: OutboxKey,
        outcome: Outcome,
    },
    /// A directory request from `from`; answered with [`Output::Answer`].
    Directory {
        from: PublicKey,
        token: Token,
        bytes: Vec<u8>,
    },
    /// The outcome of an [`Output::AskDirectory`].
    DirectoryAnswer {
        from: PublicKey,
        round: u64,
        outcome: Outcome,
    },
    /// `from` asks for this node's public endorsements; answered with
    /// [`Output::Answer`] (a [`crate::wire::list`] of credentials).
    Portfolio {
        from: PublicKey,
        token: Token,
    },
    /// A timer asked for with [`Output::WakeAt`] is due.
    Timer(Timer),
}

#[derive(Debug)]
pub enum Output {
    /// A command's result.
    Done(Token, Result<Done, NodeError>),
    Emit(Event),
    /// Broadcast this frame on the node's named topics (the
    /// `communities` of its config).
    Broadcast(Vec<u8>),
    /// Broadcast this frame on one community's own topic (on the named
    /// topics while that one is not joined).
    BroadcastIn(crate::community::CommunityId, Vec<u8>),
    /// Join (or, joined already, ask these peers into) a community's own
    /// topic, through these peers.
    JoinTopic(crate::community::CommunityId, Vec<PublicKey>),
    /// Leave a community's own topic.
    LeaveTopic(crate::community::CommunityId),
    /// Deliver this session message to `to`; report with [`Input::Delivered`].
    Deliver {
        to: PublicKey,
        key: OutboxKey,
        message: Vec<u8>,
    },
    /// Send this directory request to `to`; report with
    /// [`Input::DirectoryAnswer`].
    AskDirectory {
        to: PublicKey,
        round: u64,
        request: Vec<u8>,
    },
    /// The answer to a request from a peer.
    Answer(Token, Vec<u8>),
    /// Ask these peers to be gossip neighbours again (in every community):
    /// none are left, after a relay or network outage or a sleep.
    Rejoin(Vec<PublicKey>),
    /// Feed [`Input::Timer`] back at `at` or later. The shell keeps the
    /// earliest time per timer; a timer that fires early does no harm.
    WakeAt(Timestamp, Timer),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Timer {
    /// Re-broadcast own profile and listings.
    Announce,
    /// Reconcile with neighbours; prune what expired.
    Sync,
    /// Messages in the outbox are due.
    Outbox,
    /// A negotiation has a moment to mark (soon to start, no-show window).
    Session(NegotiationId),
    /// Write the summary of recent refusals to the log.
    Refusals,
    /// Write down what was delivered.
    Settle,
    /// With no gossip neighbour left, ask known peers again.
    Heal,
    /// Charter news held back by its rate is due.
    CharterNews,
}

/// How a core runs.
#[derive(Clone, Debug)]
pub struct CoreConfig {
    pub limits: Limits,
    /// Re-broadcast own profile and listings this often.
    pub announce_every: SignedDuration,
    /// Reconcile with each neighbour this often.
    pub sync_every: SignedDuration,
    /// Published (signed and stored) at start when given.
    pub profile: Option<Profile>,
    /// Blocked in the user's config (the store's blocks are added).
    pub blocked: Vec<PublicKey>,
    /// Peers to ask again when no gossip neighbour is left (the config's
    /// bootstrap tickets; kept contacts are added from the store).
    pub bootstrap: Vec<PublicKey>,
    /// How often to look whether neighbours are left.
    pub heal_every: SignedDuration,
}

impl Default for CoreConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            announce_every: SignedDuration::from_secs(300),
            sync_every: SignedDuration::from_secs(60),
            profile: None,
            blocked: Vec::new(),
            bootstrap: Vec::new(),
            heal_every: SignedDuration::from_secs(10),
        }
    }
}

/// See [`Core::stats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreStats {
    pub neighbors: usize,
    pub peers_with_mail: usize,
    pub sync_rounds: usize,
    pub tracked_authors: usize,
    /// Directory sets whose reconciliation snapshot is kept (the open
    /// one and the communities joined, at most).
    pub directory_sets: usize,
}

pub struct Core {
    me: Identity,
    store: Arc<Store>,
    config: CoreConfig,
    /// Blocked peers: the config's and the store's.
    blocked: BTreeSet<PublicKey>,
    rng: StdRng,
    neighbors: BTreeSet<PublicKey>,
    limiter: limits::Limiters,
    delivery: delivery::Delivery,
    sync: sync::Sync,
    refusals: refusals::Refusals,
    strangers: strangers::Strangers,
    out: Vec<Output>,
    /// When the network was last said to be back.
    network_back: Option<Timestamp>,
    /// The current charters of the communities joined (see
    /// [`placement`]); none until read, and again after a change.
    joined: Option<std::collections::BTreeMap<crate::community::CommunityId, crate::community::Charter>>,
}

/// The network being back is acted on at most this often.
const NETWORK_BACK_EVERY: SignedDuration = SignedDuration::from_secs(5);

impl Core {
    /// A core for `me` over `store`, with randomness from `seed`; returns
    /// it with what to do first (the first timers, a first announcement).
    pub fn new(
        me: Identity,
        store: Arc<Store>,
        config: CoreConfig,
        seed: u64,
        now: Timestamp,
    ) -> Result<(Self, Vec<Output>), NodeError> {
        let mut blocked: BTreeSet<PublicKey> = config.blocked.iter().copied().collect();
        blocked.extend(store.blocked_peers()?);
        let mut core = Self {
            me,
            store,
            blocked,
            rng: StdRng::seed_from_u64(seed),
            neighbors: BTreeSet::new(),
            limiter: limits::Limiters::new(&config.limits),
            delivery: delivery::Delivery::default(),
            sync: sync::Sync::default(),
            refusals: refusals::Refusals::default(),
            strangers: strangers::Strangers::default(),
            config,
            out: Vec::new(),
            network_back: None,
            joined: None,
        };
        core.start(now)?;
        let first = std::mem::take(&mut core.out);
        Ok((core, first))
    }

    pub fn id(&self) -> PublicKey {
        self.me.public()
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// What the core holds in memory, for tests and figures.
    pub fn stats(&self) -> CoreStats {
        CoreStats {
            neighbors: self.neighbors.len(),
            peers_with_mail: self.delivery.peers(),
            sync_rounds: self.sync.rounds_in_progress(),
            tracked_authors: self.limiter.by_author.tracked(),
            directory_sets: self.sync.snapshots_kept(),
        }
    }

    /// The directory tables were written around the core (a test filling
    /// a store, a tool): what it remembers of them is read again.
    pub fn directory_written_elsewhere(&mut self) {
        self.sync.directory_changed();
        self.joined = None;
    }

    /// Handles one input at `now`; returns what to carry out.
    pub fn handle(&mut self, input: Input, now: Timestamp) -> Vec<Output> {
        match input {
            Input::Command(token, command) => {
                let result = self.command(command, now);
                self.out.push(Output::Done(token, result));
            }
            Input::Gossip(messages) => self.take_gossip(messages, now),
            Input::NeighborUp(peer) => self.neighbor_up(peer, now),
            Input::NeighborDown(peer) => {
                if self.neighbors.remove(&peer) {
                    self.emit(Event::NeighborDown(peer));
                }
            }
            Input::Lagged => self.sync_all(now),
            // At most once per interval: flapping addresses must not turn
            // every flap into a round of retries.
            Input::NetworkBack if self.network_back.is_none_or(|at| now.duration_since(at) >= NETWORK_BACK_EVERY) => {
                self.network_back = Some(now);
                self.delivery.hurry_all();
                self.deliver_due(now);
                self.heal();
            }
            Input::NetworkBack => {}
            Input::Session { from, token, bytes } => {
                let ack = self.serve_session(from, &bytes, now);
                let encoded = postcard::to_stdvec(&ack).unwrap_or_default();
                self.out.push(Output::Answer(token, encoded));
            }
            Input::Delivered { to, key, outcome } => self.delivered(to, key, outcome, now),
            Input::Directory { from, token, bytes } => {
                let reply = self.serve_directory(from, &bytes, now);
                self.out.push(Output::Answer(token, reply));
            }
            Input::DirectoryAnswer { from, round, outcome } => self.directory_answer(from, round, outcome, now),
            Input::Portfolio { from, token } => {
                let reply = self.serve_portfolio(from, now);
                self.out.push(Output::Answer(token, reply));
            }
            Input::Timer(timer) => self.timer(timer, now),
        }
        std::mem::take(&mut self.out)
    }

    fn start(&mut self, now: Timestamp) -> Result<(), NodeError> {
        if let Some(profile) = self.config.profile.clone() {
            let held = self.store.profile()?;
            if held.is_none_or(|h| *h.value() != profile) {
                let signed = crate::wire::seal(&self.me, &profile, now)?;
                self.store.put_profile(&signed)?;
            }
        }
        self.drop_expired_own(now);
        for id in self.joined_ids() {
            self.join_topic(id, &[]);
        }
        self.announce(now);
        self.wake(now.saturating_add(self.config.sync_every).unwrap_or(now), Timer::Sync);
        self.wake(now.saturating_add(self.config.heal_every).unwrap_or(now), Timer::Heal);
        self.delivery.load(&self.store);
        self.deliver_due(now);
        self.wake_for_sessions(now);
        Ok(())
    }

    fn timer(&mut self, timer: Timer, now: Timestamp) {
        match timer {
            Timer::Announce => self.announce(now),
            Timer::Sync => {
                self.prune(now);
                self.sync_all(now);
                self.wake(now.saturating_add(self.config.sync_every).unwrap_or(now), Timer::Sync);
            }
            Timer::Outbox => self.deliver_due(now),
            Timer::Session(id) => self.session_due(id, now),
            Timer::Refusals => self.log_refusals(now),
            Timer::Settle => self.settle(now),
            Timer::CharterNews => self.charter_news_due(now),
            Timer::Heal => {
                self.heal();
                self.wake(now.saturating_add(self.config.heal_every).unwrap_or(now), Timer::Heal);
            }
        }
    }

    /// With no gossip neighbour left (a relay or the network went away and
    /// came back, the laptop slept), asks the peers this node knows to be
    /// neighbours again: bootstrap peers, kept contacts, and peers with
    /// mail waiting. Gossip alone would not try again.
    fn heal(&mut self) {
        if !self.neighbors.is_empty() {
            return;
        }
        let mut peers: BTreeSet<PublicKey> = self.config.bootstrap.iter().copied().collect();
        match self.store.contacts() {
            Ok(contacts) => peers.extend(contacts.into_iter().map(|(peer, _)| peer)),
            Err(e) => tracing::warn!("cannot read contacts: {e}"),
        }
        peers.extend(self.delivery.waiting_peers());
        peers.remove(&self.me.public());
        peers.retain(|p| !self.blocked.contains(p));
        if !peers.is_empty() {
            tracing::debug!(peers = peers.len(), "no gossip neighbour left; asking known peers again");
            self.out.push(Output::Rejoin(peers.into_iter().collect()));
        }
    }

    fn neighbor_up(&mut self, peer: PublicKey, now: Timestamp) {
        if self.neighbors.insert(peer) {
            self.emit(Event::NeighborUp(peer));
        }
        // A neighbour that comes (back) may be worth trying at once.
        self.delivery.hurry(&peer, now);
        self.deliver_due(now);
        self.sync_with(peer, now, false);
    }

    fn emit(&mut self, event: Event) {
        if matches!(event, Event::CommunityChanged(_)) {
            self.joined = None;
        }
        self.out.push(Output::Emit(event));
    }

    fn wake(&mut self, at: Timestamp, timer: Timer) {
        self.out.push(Output::WakeAt(at, timer));
    }

    fn broadcast(&mut self, frame: crate::net::Frame) {
        match frame.encode() {
            Ok(bytes) => self.out.push(Output::Broadcast(bytes)),
            Err(e) => tracing::warn!("not broadcasting: {e}"),
        }
    }

    /// Broadcasts `frame` where what it is about belongs: a community's
    /// own topic, or (none) the named topics.
    fn broadcast_in(&mut self, community: Option<crate::community::CommunityId>, frame: crate::net::Frame) {
        let Some(community) = community else { return self.broadcast(frame) };
        match frame.encode() {
            Ok(bytes) => self.out.push(Output::BroadcastIn(community, bytes)),
            Err(e) => tracing::warn!("not broadcasting: {e}"),
        }
    }

    /// A fresh random id.
    fn random_id(&mut self) -> crate::market::Id16 {
        use rand::RngExt as _;
        crate::market::Id16(self.rng.random())
    }
}
