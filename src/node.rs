//! The node: one actor that owns the endpoint, gossip, store writes and
//! timers. Commands go in through [`Node`]'s methods, events come out of
//! [`Node::subscribe`]; the terminal client and the tests use the same two.

mod actor;
mod blocking;
mod clock;
mod control;
mod cosigning;
mod credits;
mod delivery;
mod directory;
mod expiry;
mod gossip_intake;
mod intake;
mod limits;
mod negotiating;
mod pausing;
mod portfolio;
mod profile;
mod relays;
mod session;

use std::sync::Arc;
use std::time::Duration;

use iroh::protocol::Router;
use iroh::{Endpoint, EndpointAddr};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::config::Config;
use crate::endorse::cosign::Attestation;
use crate::endorse::data_integrity::Cryptosuite;
use crate::endorse::timebank::{BelowDebtLimit, DebtLimit};
use crate::identity::{Identity, PublicKey};
use crate::market::{Action, Listing, ListingId, ListingRef, Negotiation, NegotiationId, Profile, Terms};
use crate::net::{NetError, NetOptions, Ticket, bind};
use crate::store::Store;
use crate::wire::Verified;

pub use clock::Clock;
pub use control::{ControlReply, ControlRequest};
#[cfg(unix)]
pub use control::{ControlSocket, ask as ask_control};

/// How a protocol handler ends a connection: failures are the peer's
/// business or the network's, logged and never propagated.
fn served(protocol: &'static str, peer: iroh::EndpointId, result: anyhow::Result<()>) {
    if let Err(e) = result {
        tracing::debug!(%peer, protocol, "connection ended: {e:#}");
    }
}
pub use directory::DirectoryProtocol;
pub use limits::Limits;
pub use portfolio::{PORTFOLIO_ALPN, Portfolio, PortfolioProtocol, accept_portfolio};
pub use relays::RelayStatus;
pub use session::SessionProtocol;

/// How a node runs.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub net: NetOptions,
    pub communities: Vec<String>,
    pub bootstrap: Vec<Ticket>,
    /// Re-broadcast own profile and listings this often.
    pub announce_every: Duration,
    /// Compare directories with a neighbor this often.
    pub sync_every: Duration,
    /// Published (signed and announced) at start when given.
    pub profile: Option<Profile>,
    pub clock: Clock,
    pub limits: Limits,
    /// Peers whose messages are dropped (from config and the store).
    pub blocked: Vec<PublicKey>,
    /// The time-credit balance a learner must keep after a session before
    /// this node, as teacher, accepts it on a credits-priced listing; `None`
    /// accepts whatever the balance.
    pub debt_limit: Option<DebtLimit>,
}

impl NodeConfig {
    pub fn from_config(config: &Config) -> Result<Self, NodeError> {
        let bootstrap = config
            .network
            .bootstrap
            .iter()
            .map(|t| t.parse().map_err(|e| NodeError::Ticket(format!("{e}"))))
            .collect::<Result<_, _>>()?;
        let blocked = config
            .network
            .blocked
            .iter()
            .map(|did| {
                crate::identity::public_from_did_key(did)
                    .map_err(|e| NodeError::Invalid(format!("network.blocked: {e}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            net: NetOptions::from_config(&config.network),
            communities: config.communities.clone(),
            bootstrap,
            announce_every: Duration::from_secs(300),
            sync_every: Duration::from_secs(60),
            profile: None,
            clock: Clock::default(),
            limits: Limits::default(),
            blocked,
            debt_limit: config.credits.debt_limit(),
        })
    }

    /// Loopback only, relays off: tests and the demo.
    pub fn loopback(communities: &[&str]) -> Self {
        Self {
            net: NetOptions::loopback(),
            communities: communities.iter().map(|c| c.to_string()).collect(),
            bootstrap: Vec::new(),
            announce_every: Duration::from_secs(300),
            sync_every: Duration::from_secs(60),
            profile: None,
            clock: Clock::default(),
            limits: Limits::default(),
            blocked: Vec::new(),
            debt_limit: Some(DebtLimit::DEFAULT),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error("bootstrap ticket: {0}")]
    Ticket(String),
    #[error("gossip: {0}")]
    Gossip(String),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Wire(#[from] crate::wire::WireError),
    #[error(transparent)]
    Endorse(#[from] crate::endorse::EndorseError),
    #[error(transparent)]
    Negotiation(#[from] crate::market::NegotiationError),
    /// Accepting would take the learner below this teacher's debt limit.
    #[error(transparent)]
    BelowDebtLimit(#[from] BelowDebtLimit),
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("only the {0} can do that")]
    WrongRole(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Present(#[from] crate::endorse::presentation::PresentationError),
    #[error("the node has stopped")]
    Stopped,
}

/// What happened on the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    NeighborUp(PublicKey),
    NeighborDown(PublicKey),
    /// A listing from someone else was added or updated in the directory.
    ListingUpdated {
        author: PublicKey,
        id: ListingId,
    },
    ListingWithdrawn {
        author: PublicKey,
        id: ListingId,
    },
    /// A directory pull from `peer` finished, bringing `received` new entries.
    Synced {
        peer: PublicKey,
        received: usize,
    },
    /// Something a peer sent was refused.
    Rejected {
        from: PublicKey,
        reason: String,
    },
    /// A negotiation moved (by either side).
    NegotiationChanged(NegotiationId),
    /// A chat message arrived or was sent.
    Chat(NegotiationId),
    /// Both signatures are in: the endorsement is stored.
    EndorsementStored(String),
    /// A peer acknowledged something we sent.
    Delivered(PublicKey),
    /// A peer refused something we sent, for good.
    DeliveryRefused {
        to: PublicKey,
        reason: String,
    },
    /// The way to relays changed (see [`Node::relays`]).
    Relays(RelayStatus),
}

type Reply<T> = oneshot::Sender<Result<T, NodeError>>;

pub(crate) enum Command {
    Publish(Listing, Reply<Verified<Listing>>),
    Withdraw(ListingId, Reply<bool>),
    Connect(Ticket, Reply<()>),
    Propose(ListingRef, Terms, Reply<Negotiation>),
    Act(NegotiationId, Action, Reply<Negotiation>),
    Chat(NegotiationId, String, Reply<()>),
    Review(NegotiationId, u8, String, Reply<()>),
    Attest(NegotiationId, Attestation, Reply<()>),
    SetBlocked(PublicKey, bool, Reply<usize>),
    SetProfile(Profile, Reply<()>),
    Present(
        Vec<crate::endorse::VerifiedEndorsement>,
        crate::endorse::presentation::Binding,
        Cryptosuite,
        Reply<Vec<u8>>,
    ),
    Pause(ListingId, Reply<bool>),
    Resume(ListingId, Reply<bool>),
}

/// What other tasks of this process (the control socket) need to command
/// the node: cheap to clone.
#[derive(Clone)]
pub(crate) struct Remote {
    commands: mpsc::Sender<Command>,
    endpoint: Endpoint,
    communities: Vec<String>,
}

impl Remote {
    async fn ask<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<Result<T, NodeError>>) -> Command,
    ) -> Result<T, NodeError> {
        let (reply, answer) = oneshot::channel();
        self.commands.send(command(reply)).await.map_err(|_| NodeError::Stopped)?;
        answer.await.map_err(|_| NodeError::Stopped)?
    }

    fn ticket(&self) -> Ticket {
        Ticket { addr: self.endpoint.addr(), communities: self.communities.clone() }
    }
}

pub struct Node {
    id: PublicKey,
    endpoint: Endpoint,
    router: Router,
    store: Arc<Store>,
    remote: Remote,
    events: broadcast::Sender<Event>,
    actor: tokio::task::JoinHandle<()>,
    relays: tokio::sync::watch::Receiver<RelayStatus>,
    relay_follower: Option<tokio::task::JoinHandle<()>>,
    clock: Clock,
    debt_limit: Option<DebtLimit>,
    /// Store commits in flight off the actor (see `actor::MAX_WRITES`).
    writes: Arc<tokio::sync::Semaphore>,
}

impl Node {
    /// Binds the endpoint, joins the communities and starts the actor.
    /// Returns as soon as the endpoint is bound: nothing waits on relays.
    pub async fn spawn(identity: Identity, store: Arc<Store>, config: NodeConfig) -> Result<Self, NodeError> {
        let (endpoint, memory) = bind(&identity, &config.net).await?;
        let gossip = iroh_gossip::Gossip::builder().max_message_size(4096).spawn(endpoint.clone());
        let (session_tx, session_rx) = mpsc::channel(256);
        let router = Router::builder(endpoint.clone())
            .accept(iroh_gossip::ALPN, gossip.clone())
            .accept(crate::net::DIRECTORY_ALPN, DirectoryProtocol::new(store.clone(), config.clock.clone()))
            .accept(crate::net::SESSION_ALPN, SessionProtocol::new(session_tx))
            .accept(PORTFOLIO_ALPN, PortfolioProtocol::new(store.clone()))
            .spawn();
        let (events, _) = broadcast::channel(1024);
        let (commands, inbox) = mpsc::channel(64);
        let id = identity.public();
        let communities = config.communities.clone();
        let clock = config.clock.clone();
        let debt_limit = config.debt_limit;
        let relays_on = config.net.relay != crate::config::RelayMode::Disabled;
        let (relays, relay_follower) = relays::follow(&endpoint, relays_on, events.clone());
        let actor =
            actor::Actor::start(identity, store.clone(), endpoint.clone(), gossip, memory, events.clone(), config)
                .await?;
        let writes = actor.writes.clone();
        let actor = tokio::spawn(actor.run(inbox, session_rx));
        let remote = Remote { commands, endpoint: endpoint.clone(), communities };
        Ok(Self {
            id,
            endpoint,
            router,
            store,
            remote,
            events,
            actor,
            relays,
            relay_follower,
            clock,
            debt_limit,
            writes,
        })
    }

    pub fn id(&self) -> PublicKey {
        self.id
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// Whether the relays (the internet path) are reachable right now.
    pub fn relays(&self) -> RelayStatus {
        self.relays.borrow().clone()
    }

    /// Where this node can be reached right now.
    pub fn addr(&self) -> EndpointAddr {
        self.endpoint.addr()
    }

    /// Fetches `peer`'s public endorsements, verified here.
    pub async fn fetch_portfolio(&self, peer: PublicKey) -> Result<Portfolio, NodeError> {
        let id =
            iroh::EndpointId::from_bytes(peer.as_bytes()).map_err(|_| NodeError::Invalid("not a peer key".into()))?;
        portfolio::fetch(&self.endpoint, id, self.clock.now()).await.map_err(|e| NodeError::Invalid(format!("{e:#}")))
    }

    /// UDP bytes sent and received by this node's endpoint so far.
    pub fn traffic(&self) -> (u64, u64) {
        let socket = &self.endpoint.metrics().socket;
        (socket.send_ipv4.get() + socket.send_ipv6.get(), socket.recv_data_ipv4.get() + socket.recv_data_ipv6.get())
    }

    pub fn ticket(&self) -> Ticket {
        self.remote.ticket()
    }

    /// Listens for `agora` commands of this home on a Unix socket at `path`
    /// until the returned socket is dropped.
    #[cfg(unix)]
    pub fn listen_locally(&self, path: &std::path::Path) -> Result<ControlSocket, NodeError> {
        ControlSocket::listen(path, self.remote.clone())
    }

    /// Signs, stores and announces a listing of one's own.
    pub async fn publish_listing(&self, listing: Listing) -> Result<Verified<Listing>, NodeError> {
        self.ask(|reply| Command::Publish(listing, reply)).await
    }

    /// Withdraws an own listing everywhere (signed tombstone).
    pub async fn withdraw_listing(&self, id: ListingId) -> Result<bool, NodeError> {
        self.ask(|reply| Command::Withdraw(id, reply)).await
    }

    /// Dials the ticket's peer and joins its communities through it.
    pub async fn connect(&self, ticket: Ticket) -> Result<(), NodeError> {
        self.ask(|reply| Command::Connect(ticket, reply)).await
    }

    /// Proposes a session on someone's listing; returns the new negotiation.
    pub async fn propose(&self, listing: ListingRef, terms: Terms) -> Result<Negotiation, NodeError> {
        self.ask(|reply| Command::Propose(listing, terms, reply)).await
    }

    /// Takes a step in a negotiation (counter, accept, start, complete, …).
    /// A teacher's accept on a credits-priced listing first checks the
    /// learner's time-credit balance against the debt limit (which may wait
    /// a few seconds for the learner's portfolio).
    pub async fn act(&self, negotiation: NegotiationId, action: Action) -> Result<Negotiation, NodeError> {
        if matches!(action, Action::Accept) {
            self.check_debt_limit(&negotiation).await?;
        }
        self.ask(|reply| Command::Act(negotiation, action, reply)).await
    }

    pub async fn chat(&self, negotiation: NegotiationId, text: String) -> Result<(), NodeError> {
        self.ask(|reply| Command::Chat(negotiation, text, reply)).await
    }

    /// Learner: the rating and words for the teacher, after the session.
    pub async fn review(&self, negotiation: NegotiationId, rating: u8, words: String) -> Result<(), NodeError> {
        self.ask(|reply| Command::Review(negotiation, rating, words, reply)).await
    }

    /// Teacher: what was covered and what the learner showed.
    pub async fn attest(&self, negotiation: NegotiationId, attestation: Attestation) -> Result<(), NodeError> {
        self.ask(|reply| Command::Attest(negotiation, attestation, reply)).await
    }

    /// Withdraws an own listing from the network but keeps it to resume.
    pub async fn pause_listing(&self, id: ListingId) -> Result<bool, NodeError> {
        self.ask(|reply| Command::Pause(id, reply)).await
    }

    /// Publishes a paused listing again, as its next version.
    pub async fn resume_listing(&self, id: ListingId) -> Result<bool, NodeError> {
        self.ask(|reply| Command::Resume(id, reply)).await
    }

    /// Signs a presentation of `credentials` as their holder (see
    /// [`Store::presentable`] for choosing them).
    pub async fn present(
        &self,
        credentials: Vec<crate::endorse::VerifiedEndorsement>,
        binding: crate::endorse::presentation::Binding,
        suite: Cryptosuite,
    ) -> Result<Vec<u8>, NodeError> {
        self.ask(|reply| Command::Present(credentials, binding, suite, reply)).await
    }

    /// Signs, stores and announces a new profile of one's own.
    pub async fn set_profile(&self, profile: Profile) -> Result<(), NodeError> {
        self.ask(|reply| Command::SetProfile(profile, reply)).await
    }

    /// Blocks (or unblocks) a peer: its messages are dropped from now on and
    /// its listings leave the directory. Returns how many were dropped.
    pub async fn set_blocked(&self, peer: PublicKey, blocked: bool) -> Result<usize, NodeError> {
        self.ask(|reply| Command::SetBlocked(peer, blocked, reply)).await
    }

    async fn ask<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<Result<T, NodeError>>) -> Command,
    ) -> Result<T, NodeError> {
        self.remote.ask(command).await
    }

    /// Stops the actor and closes the endpoint, waiting at most one second.
    /// The store is closed once this returns (unless the bound was hit),
    /// so it can be reopened at once.
    pub async fn shutdown(self) {
        self.actor.abort();
        if let Some(follower) = &self.relay_follower {
            follower.abort();
        }
        let (actor, router, writes) = (self.actor, self.router, self.writes);
        let stopping = async move {
            // The aborted actor lets go of its store handle when it ends; a
            // commit it started on a blocking thread may still be running.
            let _ = actor.await;
            let _ = writes.acquire_many(actor::MAX_WRITES).await;
            router.shutdown().await
        };
        if tokio::time::timeout(Duration::from_secs(1), stopping).await.is_err() {
            tracing::warn!("the node did not shut down within 1 s");
        }
    }
}
