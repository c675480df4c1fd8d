//! How a node runs: what `agora serve`, the client, the demo and the tests
//! start a [`super::Node`] with.

use std::time::Duration;

use super::{Clock, Limits, NodeError, hub};
use crate::config::Config;
use crate::endorse::timebank::DebtLimit;
use crate::identity::PublicKey;
use crate::market::Profile;
use crate::net::{NetOptions, Ticket};

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
    /// Serve `agora/hub/1` with these settings (`agora serve --hub`).
    pub hub: Option<hub::HubSettings>,
    /// Seeds the core's randomness (ids, choices); random when `None`.
    pub seed: Option<u64>,
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
            clock: Clock::from_env(),
            limits: Limits { max_seen_listings: config.storage.max_seen_listings as usize, ..Limits::default() },
            blocked,
            debt_limit: config.credits.debt_limit(),
            hub: None,
            seed: None,
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
            hub: None,
            seed: None,
        }
    }
}
