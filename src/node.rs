//! The node: a pure core that decides and a shell that does.
//!
//! - [`core`]: every protocol decision as `handle(input, now) -> outputs`
//!   (intake, limits, negotiation, co-signing, directory reconciliation,
//!   the outbox's schedule, timers as data), over the store; no sockets,
//!   clocks, spawns or sleeps. Its module comment maps where each
//!   decision lives.
//! - [`shell`]: the iroh endpoint, gossip topics, warm connections and
//!   protocol handlers; runs the core on a thread of its own and only
//!   carries its outputs out.
//! - [`Node`] (this file): the handle the client, the CLI and the tests
//!   use. Commands go in through its methods, events come out of
//!   [`Node::subscribe`].
//! - [`control`]: the local socket other `agora` commands of this home
//!   use; [`relays`]: whether the relays answer; [`credits`]: the
//!   debt-limit check before a teacher accepts (it fetches a portfolio, so
//!   it runs beside the core); [`clock`]: the clock the shell reads;
//!   [`record`]: where co-signing stands for a party, and the record they
//!   are asked to approve (read by the core, the client and the CLI);
//!   [`config`]: how a node runs; [`community`]: placing, hiding, inviting
//!   and the node's community methods; [`hub`]: validation over the
//!   network.

mod clock;
pub mod community;
mod config;
mod control;
pub mod core;
mod credits;
pub mod hub;
pub mod record;
mod relays;
mod shell;

use std::sync::Arc;
use std::time::Duration;

use iroh::protocol::Router;
use iroh::{Endpoint, EndpointAddr, EndpointId};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::endorse::consent::RecordDigest;
use crate::endorse::cosign::Attestation;
use crate::endorse::data_integrity::Cryptosuite;
use crate::endorse::timebank::BelowDebtLimit;
use crate::identity::{Identity, PublicKey};
use crate::market::{Action, Listing, ListingId, ListingRef, Negotiation, NegotiationId, Profile, Terms};
use crate::net::{NetError, Ticket, bind};
use crate::store::Store;
use crate::wire::Verified;

pub use clock::Clock;
pub use config::NodeConfig;
pub use control::{ControlReply, ControlRequest, SessionRequest};
#[cfg(unix)]
pub use control::{ControlSocket, ask as ask_control};
pub use core::Limits;
pub use relays::RelayStatus;
pub use shell::directory::DirectoryProtocol;
pub use shell::portfolio::{
    PORTFOLIO_ALPN, Portfolio, PortfolioProtocol, accept_portfolio, read_answer as read_portfolio_answer,
};
pub use shell::session::SessionProtocol;

use core::{Command, Done};
use shell::ToShell;

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
    /// Not now (a cap on what strangers may open is reached, say).
    #[error("{0}")]
    Busy(String),
    #[error(transparent)]
    Present(#[from] crate::endorse::presentation::PresentationError),
    #[error("the node has stopped")]
    Stopped,
}

/// What happened on the network.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Something of this user's own changed by a command: listings,
    /// profile, blocks, contacts (what a screen on this home shows).
    OwnChanged,
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
    /// An agreed session reached a moment worth showing: it may start now,
    /// or a no-show may now be reported.
    SessionDue(NegotiationId),
    /// A community's charter held here changed (a new version arrived or
    /// was published here), or this node joined or left it.
    CommunityChanged(crate::community::CommunityId),
    /// A maintainer's hide note in a community joined here arrived or was
    /// published here.
    ModerationChanged(crate::community::CommunityId),
}

/// What other tasks of this process (the control socket) need to command
/// the node: cheap to clone.
#[derive(Clone)]
pub(crate) struct Remote {
    inbox: mpsc::Sender<ToShell>,
    endpoint: Endpoint,
    communities: Vec<String>,
    debt: credits::DebtCheck,
}

impl Remote {
    /// A step in a negotiation; a teacher's accept on a credits-priced
    /// listing first checks the learner's balance (see [`credits`]).
    async fn act(&self, id: NegotiationId, action: Action) -> Result<Negotiation, NodeError> {
        if matches!(action, Action::Accept) {
            self.debt.check(&id).await?;
        }
        negotiation(self.command(Command::Act(id, action)).await?)
    }

    async fn command(&self, command: Command) -> Result<Done, NodeError> {
        let (reply, answer) = oneshot::channel();
        self.inbox.send(ToShell::Command(command, reply)).await.map_err(|_| NodeError::Stopped)?;
        answer.await.map_err(|_| NodeError::Stopped)?
    }

    async fn connect(&self, ticket: Ticket) -> Result<Done, NodeError> {
        let (reply, answer) = oneshot::channel();
        self.inbox.send(ToShell::Connect(ticket, reply)).await.map_err(|_| NodeError::Stopped)?;
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
    shell: tokio::task::JoinHandle<()>,
    core_done: oneshot::Receiver<()>,
    relays: tokio::sync::watch::Receiver<RelayStatus>,
    relay_follower: Option<tokio::task::JoinHandle<()>>,
    /// Tells the core when the network may be back.
    network: tokio::task::JoinHandle<()>,
    clock: Clock,
    pool: Arc<shell::pool::Pool>,
}

impl Node {
    /// Binds the endpoint, joins the communities and starts the core and
    /// the shell. Returns as soon as the endpoint is bound: nothing waits
    /// on relays.
    pub async fn spawn(identity: Identity, store: Arc<Store>, config: NodeConfig) -> Result<Self, NodeError> {
        let (endpoint, memory) = bind(&identity, &config.net).await?;
        let gossip = shell::gossip::GossipSlot::new(shell::gossip::spawn(&endpoint));
        let (inbox, inbox_rx) = mpsc::channel(1024);
        let mut router = Router::builder(endpoint.clone())
            .accept(iroh_gossip::ALPN, gossip.clone())
            .accept(crate::net::DIRECTORY_ALPN, DirectoryProtocol::new(inbox.clone()))
            .accept(crate::net::SESSION_ALPN, SessionProtocol::new(inbox.clone()))
            .accept(PORTFOLIO_ALPN, PortfolioProtocol::new(inbox.clone()));
        if let Some(settings) = &config.hub {
            let signer = Identity::from_secret_bytes(&identity.secret_bytes());
            let protocol = hub::HubProtocol::new(signer, store.clone(), settings.clone(), config.clock.clone());
            router = router.accept(hub::HUB_ALPN, protocol);
        }
        let router = router.spawn();
        let (events, _) = broadcast::channel(1024);
        let id = identity.public();
        let clock = config.clock.clone();
        let relays_on = config.net.relay != crate::config::RelayMode::Disabled;
        let (relays, relay_follower) = relays::follow(&endpoint, relays_on, events.clone());
        let pool = Arc::new(shell::pool::Pool::new(endpoint.clone()));

        let core_config = core::CoreConfig {
            limits: config.limits.clone(),
            announce_every: jiff::SignedDuration::try_from(config.announce_every).unwrap_or(jiff::SignedDuration::MAX),
            sync_every: jiff::SignedDuration::try_from(config.sync_every).unwrap_or(jiff::SignedDuration::MAX),
            profile: config.profile.clone(),
            blocked: config.blocked.clone(),
            bootstrap: config.bootstrap.iter().map(|t| PublicKey::from(*t.addr.id.as_bytes())).collect(),
            heal_every: jiff::SignedDuration::from_secs(10),
        };
        let seed = config.seed.unwrap_or_else(random_seed);
        let (store_for_core, now) = (store.clone(), clock.now());
        let (core, first) =
            tokio::task::spawn_blocking(move || core::Core::new(identity, store_for_core, core_config, seed, now))
                .await
                .map_err(|e| NodeError::Invalid(format!("starting the core: {e}")))??;
        let (to_core, core_rx) = mpsc::unbounded_channel();
        let (core_tx, from_core) = mpsc::unbounded_channel();
        let (done_tx, core_done) = oneshot::channel();
        shell::run_core(core, clock.clone(), core_rx, core_tx.clone(), done_tx)
            .map_err(|e| NodeError::Invalid(format!("starting the core: {e}")))?;
        let _ = core_tx.send(first);

        let mut shell = shell::Shell::new(
            gossip,
            endpoint.clone(),
            memory,
            pool.clone(),
            inbox.clone(),
            to_core,
            events.clone(),
            clock.clone(),
            endpoint.id(),
        );
        let mut tickets = config.bootstrap.clone();
        tickets.extend(stored_contacts(&store));
        let mut bootstrap: Vec<EndpointId> = tickets.iter().map(|t| shell.learn(t)).collect();
        bootstrap.sort();
        bootstrap.dedup();
        bootstrap.retain(|peer| *peer != endpoint.id());
        for community in &config.communities {
            shell.join(community, bootstrap.clone()).await?;
        }
        let shell = tokio::spawn(shell.run(inbox_rx, from_core));
        let network = shell::network::watch(&endpoint, relays.clone(), inbox.clone());
        let debt = credits::DebtCheck {
            id,
            store: store.clone(),
            clock: clock.clone(),
            limit: config.debt_limit,
            pool: pool.clone(),
        };
        let remote = Remote { inbox, endpoint: endpoint.clone(), communities: config.communities.clone(), debt };
        Ok(Self {
            id,
            endpoint,
            router,
            store,
            remote,
            events,
            shell,
            core_done,
            relays,
            relay_follower,
            network,
            clock,
            pool,
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
        shell::portfolio::fetch(&self.pool, peer, self.clock.now())
            .await
            .map_err(|e| NodeError::Invalid(format!("{e:#}")))
    }

    /// UDP bytes sent and received by this node's endpoint so far.
    pub fn traffic(&self) -> (u64, u64) {
        let socket = &self.endpoint.metrics().socket;
        (socket.send_ipv4.get() + socket.send_ipv6.get(), socket.recv_data_ipv4.get() + socket.recv_data_ipv6.get())
    }

    pub fn ticket(&self) -> Ticket {
        self.remote.ticket()
    }

    /// The UDP port the endpoint listens on (its first socket's).
    pub fn bound_port(&self) -> Option<u16> {
        self.endpoint.bound_sockets().first().map(|a| a.port())
    }

    /// Listens for `agora` commands of this home on a Unix socket at `path`
    /// until the returned socket is dropped.
    #[cfg(unix)]
    pub fn listen_locally(&self, path: &std::path::Path) -> Result<ControlSocket, NodeError> {
        ControlSocket::listen(path, self.remote.clone())
    }

    /// Signs, stores and announces a listing of one's own.
    pub async fn publish_listing(&self, listing: Listing) -> Result<Verified<Listing>, NodeError> {
        match self.remote.command(Command::Publish(listing)).await? {
            Done::Listing(listing) => Ok(*listing),
            other => Err(unexpected(other)),
        }
    }

    /// Withdraws an own listing everywhere (signed tombstone).
    pub async fn withdraw_listing(&self, id: ListingId) -> Result<bool, NodeError> {
        boolean(self.remote.command(Command::Withdraw(id)).await?)
    }

    /// Dials the ticket's peer and joins its communities through it.
    pub async fn connect(&self, ticket: Ticket) -> Result<(), NodeError> {
        self.remote.connect(ticket).await.map(drop)
    }

    /// Proposes a session on someone's listing; returns the new negotiation.
    pub async fn propose(&self, listing: ListingRef, terms: Terms) -> Result<Negotiation, NodeError> {
        negotiation(self.remote.command(Command::Propose(listing, terms)).await?)
    }

    /// Takes a step in a negotiation (counter, accept, start, complete, …).
    /// A teacher's accept on a credits-priced listing first checks the
    /// learner's time-credit balance against the debt limit (which may wait
    /// a few seconds for the learner's portfolio).
    pub async fn act(&self, id: NegotiationId, action: Action) -> Result<Negotiation, NodeError> {
        self.remote.act(id, action).await
    }

    pub async fn chat(&self, negotiation: NegotiationId, text: String) -> Result<(), NodeError> {
        self.remote.command(Command::Chat(negotiation, text)).await.map(drop)
    }

    /// Learner: the rating and words for the teacher, after the session.
    pub async fn review(&self, negotiation: NegotiationId, rating: u8, words: String) -> Result<(), NodeError> {
        self.remote.command(Command::Review(negotiation, rating, words)).await.map(drop)
    }

    /// Teacher: what was covered and what the learner showed.
    pub async fn attest(&self, negotiation: NegotiationId, attestation: Attestation) -> Result<(), NodeError> {
        self.remote.command(Command::Attest(negotiation, attestation)).await.map(drop)
    }

    /// Where co-signing stands for this user, and the record waiting for
    /// their approval (see [`record::progress`]).
    pub fn cosign_progress(&self, negotiation: &Negotiation) -> Result<record::Progress, NodeError> {
        record::progress(&self.store, &self.id, negotiation, self.clock.now())
    }

    /// The user read the record with digest `seen` and approves it: the
    /// teacher's signature goes on the draft, the learner's on the final.
    pub async fn approve(&self, negotiation: NegotiationId, seen: RecordDigest) -> Result<(), NodeError> {
        self.remote.command(Command::Approve(negotiation, seen)).await.map(drop)
    }

    /// Learner: turns the draft with digest `seen` down, with a reason.
    pub async fn decline_record(
        &self,
        negotiation: NegotiationId,
        seen: RecordDigest,
        reason: String,
    ) -> Result<(), NodeError> {
        self.remote.command(Command::DeclineRecord(negotiation, seen, reason)).await.map(drop)
    }

    /// Withdraws an own listing from the network but keeps it to resume.
    pub async fn pause_listing(&self, id: ListingId) -> Result<bool, NodeError> {
        boolean(self.remote.command(Command::Pause(id)).await?)
    }

    /// Publishes a paused listing again, as its next version.
    pub async fn resume_listing(&self, id: ListingId) -> Result<bool, NodeError> {
        boolean(self.remote.command(Command::Resume(id)).await?)
    }

    /// Signs a presentation of `credentials` and hubs' `validations` as
    /// their holder (see [`Store::presentable`],
    /// [`Store::presentable_validations`] and
    /// [`crate::endorse::presentation::verified`] for choosing them).
    pub async fn present(
        &self,
        credentials: Vec<crate::endorse::VerifiedEndorsement>,
        validations: Vec<crate::endorse::validation::VerifiedValidation>,
        binding: crate::endorse::presentation::Binding,
        suite: Cryptosuite,
    ) -> Result<Vec<u8>, NodeError> {
        match self.remote.command(Command::Present(credentials, validations, binding, suite)).await? {
            Done::Bytes(bytes) => Ok(bytes),
            other => Err(unexpected(other)),
        }
    }

    /// Signs, stores and announces a new profile of one's own.
    pub async fn set_profile(&self, profile: Profile) -> Result<(), NodeError> {
        self.remote.command(Command::SetProfile(profile)).await.map(drop)
    }

    /// Blocks (or unblocks) a peer: its messages are refused from now on
    /// and its listings leave the directory. Returns how many were dropped.
    pub async fn set_blocked(&self, peer: PublicKey, blocked: bool) -> Result<usize, NodeError> {
        match self.remote.command(Command::SetBlocked(peer, blocked)).await? {
            Done::Count(n) => Ok(n),
            other => Err(unexpected(other)),
        }
    }

    /// Stops the shell and the core and closes the endpoint, waiting at
    /// most one second. The core's thread has let go of the store once
    /// this returns (unless the bound was hit), so it can be reopened at
    /// once after the caller drops its own handle.
    pub async fn shutdown(self) {
        self.shell.abort();
        self.network.abort();
        if let Some(follower) = &self.relay_follower {
            follower.abort();
        }
        let (shell, router, core_done, pool) = (self.shell, self.router, self.core_done, self.pool);
        let stopping = async move {
            // The aborted shell drops the core's input; the core's thread
            // then ends and drops its store handle.
            let _ = shell.await;
            let _ = core_done.await;
            pool.close_all();
            router.shutdown().await
        };
        if tokio::time::timeout(Duration::from_secs(1), stopping).await.is_err() {
            tracing::warn!("the node did not shut down within 1 s");
        }
    }
}

fn boolean(done: Done) -> Result<bool, NodeError> {
    match done {
        Done::Bool(b) => Ok(b),
        other => Err(unexpected(other)),
    }
}

fn negotiation(done: Done) -> Result<Negotiation, NodeError> {
    match done {
        Done::Negotiation(n) => Ok(*n),
        other => Err(unexpected(other)),
    }
}

fn unexpected(done: Done) -> NodeError {
    NodeError::Invalid(format!("the node answered {done:?}"))
}

fn random_seed() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes)
}

/// Tickets kept from earlier `connect`s (unreadable ones skipped).
fn stored_contacts(store: &Store) -> Vec<Ticket> {
    let contacts = store.contacts().unwrap_or_else(|e| {
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_documented_storage_limit_reaches_the_core() {
        let config =
            crate::config::Config::parse("[storage]\nmax_seen_listings = 123\n", "test.toml".as_ref()).unwrap();
        let node = super::NodeConfig::from_config(&config).unwrap();
        assert_eq!(node.limits.max_seen_listings, 123);
    }
}
