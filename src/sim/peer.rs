//! One simulated peer: a node core over an in-memory store, the gossip
//! protocol's state machine for its topic, what it emitted and sent. A
//! [`Behaviour::Hook`] lets a test stand between the network and the core
//! to make a peer lie, flood or answer with garbage.

use std::sync::Arc;

use iroh_gossip::proto::{Config as GossipConfig, InEvent, OutEvent, PeerData, State as GossipState};
use jiff::Timestamp;
use rand::SeedableRng;
use rand::rngs::StdRng;

use crate::identity::{Identity, PublicKey};
use crate::node::Event;
use crate::node::core::{Core, CoreConfig, Input, Output};
use crate::store::Store;

/// How a peer starts.
#[derive(Clone, Debug, Default)]
pub struct PeerOptions {
    /// Peers (indexes) to join the community through.
    pub bootstrap: Vec<usize>,
    pub config: CoreConfig,
}

/// Runs an input through `core` (or not) and says what goes out.
pub type Hook = Box<dyn FnMut(&mut Core, Input, Timestamp) -> Vec<Output>>;

pub enum Behaviour {
    Honest,
    /// Every input goes through the hook instead of straight to the core.
    Hook(Hook),
}

pub struct SimPeer {
    secret: [u8; 32],
    key: PublicKey,
    store: Arc<Store>,
    pub options: PeerOptions,
    core: Option<Core>,
    gossip: Option<GossipState<PublicKey, StdRng>>,
    pub behaviour: Behaviour,
    pub events: Vec<(Timestamp, Event)>,
    pub bytes_sent: u64,
    /// Seeds drawn for this peer's core and gossip at each start.
    seed: u64,
}

impl SimPeer {
    pub(super) fn new(identity: Identity, store: Arc<Store>, options: PeerOptions, seed: u64) -> Self {
        Self {
            secret: identity.secret_bytes(),
            key: identity.public(),
            store,
            options,
            core: None,
            gossip: None,
            behaviour: Behaviour::Honest,
            events: Vec::new(),
            bytes_sent: 0,
            seed,
        }
    }

    pub fn key(&self) -> PublicKey {
        self.key
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn core(&self) -> Option<&Core> {
        self.core.as_ref()
    }

    /// See [`Core::directory_written_elsewhere`].
    pub fn directory_written_elsewhere(&mut self) {
        if let Some(core) = self.core.as_mut() {
            core.directory_written_elsewhere();
        }
    }

    pub fn is_up(&self) -> bool {
        self.core.is_some()
    }

    /// Starts (or restarts) the core from the store; returns its first outputs.
    pub(super) fn start(&mut self, now: Timestamp, seed: u64) -> Vec<Output> {
        let identity = Identity::from_secret_bytes(&self.secret);
        let core_seed = self.seed ^ seed;
        let (core, first) = Core::new(identity, self.store.clone(), self.options.config.clone(), core_seed, now)
            .expect("a simulated core starts");
        self.core = Some(core);
        let rng = StdRng::seed_from_u64(core_seed.rotate_left(17));
        self.gossip = Some(GossipState::new(self.key, PeerData::new(Vec::<u8>::new()), GossipConfig::default(), rng));
        first
    }

    pub(super) fn crash(&mut self) {
        self.core = None;
        self.gossip = None;
    }

    pub(super) fn handle(&mut self, input: Input, now: Timestamp) -> Vec<Output> {
        let Some(core) = self.core.as_mut() else { return Vec::new() };
        match &mut self.behaviour {
            Behaviour::Honest => core.handle(input, now),
            Behaviour::Hook(hook) => hook(core, input, now),
        }
    }

    pub(super) fn gossip(&mut self, event: InEvent<PublicKey>, at: tokio::time::Instant) -> Vec<OutEvent<PublicKey>> {
        match self.gossip.as_mut() {
            Some(state) => state.handle(event, at, None).collect(),
            None => Vec::new(),
        }
    }
}
