//! The living demo marketplace: a handful of invented people, each a real
//! node on loopback with its own key and store, who publish listings,
//! answer proposals, chat, hold sessions and co-sign endorsements on their
//! own, so a newcomer without a network can try the whole flow.
//!
//! - [`persona`]: the people, read from `assets/personas/*.toml`.
//! - [`script`]: one behaviour task per persona, driven by its node's events.
//! - [`answer`], [`browse`], [`schedule`], [`roll`]: the pure choices a
//!   script makes (how to answer, what to propose, when, by which dice).
//! - [`moments`]: what a fast-forward skips to; [`lag`]: how far behind
//!   today the demo runs, so what it signs is never dated in the future.
//!
//! How a client uses it:
//!
//! 1. `let demo = Demo::start(&home.join("demo"), Clock::default()).await?;`
//!    The clock is set to run behind today (see [`lag`]).
//! 2. Spawn the user's node with `config.clock = demo.clock()` (the same
//!    shifted time everywhere, or signatures look dated in the future) and
//!    `config.bootstrap = demo.tickets()`.
//! 3. Everything the personas do reaches the user's node as its usual
//!    events: `ListingUpdated` (their listings, at once), then for each
//!    session `NegotiationChanged` (answers, and proposals they make on the
//!    user's listings), `Chat`, and finally `EndorsementStored`.
//! 4. When the user has an agreed session, [`Demo::fast_forward_for`] with
//!    the user's store moves the clock to its start, and once it runs, to
//!    its end; it returns what it skipped to (or why not: nothing ahead,
//!    or a moment past today, which the demo never skips to). The
//!    user starts and completes the session; a persona does it itself if
//!    the user has not after [`DemoOptions::newcomer_grace`]. After
//!    completion the persona attests (as teacher) or reviews (as learner)
//!    on its own, so the endorsement is co-signed once the user has done
//!    their part.
//! 5. `demo.shutdown().await` before exiting (about two seconds at most).

pub mod answer;
pub mod browse;
pub mod communities;
mod error;
pub mod hub;
pub mod lag;
pub mod moments;
mod options;
pub mod persona;
mod placing;
pub mod roll;
pub mod schedule;
mod script;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use jiff::SignedDuration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use error::DemoError;
pub use moments::{Moment, MomentKind, NoSkip, Skipped};
pub use options::DemoOptions;
pub use persona::Persona;

use crate::identity::{Identity, PublicKey};
use crate::net::Ticket;
use crate::node::{Clock, Node, NodeConfig};
use crate::store::Store;

/// The founders publish the demo's charters and their co-maintainers
/// join through them. A charter that cannot be published is left out
/// (logged): the demo goes on without it.
async fn found_communities(
    nodes: &[Arc<Node>],
    personas: &[Persona],
) -> Vec<(crate::community::CommunityId, String, PublicKey)> {
    let node_of = |key: &PublicKey| nodes.iter().find(|n| n.id() == *key);
    let key_of = |name: &str| personas.iter().zip(nodes).find(|(p, _)| p.name == name).map(|(_, n)| n.id());
    let mut founded = Vec::new();
    for (founder, charter) in communities::charters(key_of) {
        let (id, name, maintainers) = (charter.id(), charter.name.clone(), charter.maintainers.clone());
        let Some(node) = node_of(&founder) else { continue };
        // A restarted demo holds its charters already.
        let held = node.store().charter(&id).ok().flatten().is_some();
        if !held && let Err(e) = node.publish_charter(charter).await {
            tracing::warn!(community = name, "the demo could not found it: {e}");
            continue;
        }
        for other in maintainers.iter().filter(|m| **m != founder) {
            if let Some(node) = node_of(other)
                && let Err(e) = node.join_via(id, founder).await
            {
                tracing::warn!(community = name, "a demo maintainer could not join: {e}");
            }
        }
        founded.push((id, name, founder));
    }
    founded
}

/// The community the demo peers meet in.
pub const DEMO_COMMUNITY: &str = "agora";

/// One demo peer, for display.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoPeer {
    pub name: String,
    pub key: PublicKey,
    pub bio: String,
    pub time_zone: String,
    pub languages: Vec<String>,
    pub teaches: Vec<String>,
    pub learns: Vec<String>,
}

/// A running demo marketplace. Send and Sync: share it behind an `Arc`.
pub struct Demo {
    dir: std::path::PathBuf,
    clock: Clock,
    peers: Vec<DemoPeer>,
    nodes: Vec<Arc<Node>>,
    scripts: Vec<JoinHandle<()>>,
    stop: watch::Sender<bool>,
    nudge: watch::Sender<()>,
    /// The communities demo people founded: id, name and founder.
    communities: Vec<(crate::community::CommunityId, String, PublicKey)>,
    /// The library that validates learning (see [`hub`]), when it started.
    hub: Option<Arc<Node>>,
}

impl Demo {
    /// Starts every persona with the default (human) pace.
    pub async fn start(dir: &Path, clock: Clock) -> Result<Demo, DemoError> {
        Self::start_with(dir, clock, DemoOptions::default()).await
    }

    /// Spawns one node per persona under `dir` (a folder each), all on
    /// `clock`, bootstrapped among themselves; publishes their profiles and
    /// listings; waits (at most `options.warm_up`) until every peer sees
    /// every demo listing; then starts their scripts.
    pub async fn start_with(dir: &Path, clock: Clock, options: DemoOptions) -> Result<Demo, DemoError> {
        lag::apply(dir, &clock);
        let personas = Persona::all()?;
        let mut nodes: Vec<Arc<Node>> = Vec::new();
        for persona in &personas {
            match spawn_peer(persona, dir, &clock, &nodes).await {
                Ok(node) => nodes.push(Arc::new(node)),
                Err(e) => {
                    shut_down_nodes(nodes).await;
                    return Err(e);
                }
            }
        }
        let total: usize = personas.iter().map(|p| p.listings.len()).sum();
        warm_up(&nodes, &personas, total, &clock, options.warm_up).await;

        let communities = found_communities(&nodes, &personas).await;
        placing::take_part(&nodes, &personas, &communities, &clock).await;
        let hub = hub::start(dir, &clock, &nodes, &communities).await;
        let keys: Arc<HashSet<PublicKey>> = Arc::new(nodes.iter().map(|n| n.id()).collect());
        let (stop, _) = watch::channel(false);
        let (nudge, _) = watch::channel(());
        let claims = script::Claims::default();
        let mut scripts = Vec::new();
        let mut peers = Vec::new();
        for (persona, node) in personas.into_iter().zip(&nodes) {
            peers.push(DemoPeer {
                name: persona.name.clone(),
                key: node.id(),
                bio: persona.bio.clone(),
                time_zone: persona.time_zone.clone(),
                languages: persona.languages.clone(),
                teaches: persona.teaches(),
                learns: persona.learns(),
            });
            let script = script::Script::new(
                persona,
                node.clone(),
                clock.clone(),
                keys.clone(),
                claims.clone(),
                options.clone(),
            );
            scripts.push(tokio::spawn(script.run(stop.subscribe(), nudge.subscribe())));
        }
        Ok(Demo { dir: dir.to_path_buf(), clock, peers, nodes, scripts, stop, nudge, communities, hub })
    }

    /// The newcomer's `node` joins the demo's communities through their
    /// founders and, the first time, gets a goal to follow (theirs to drop
    /// with `agora goal remove`).
    pub async fn welcome_to_communities(&self, node: &Node) {
        use communities::NEWCOMER_GOAL;
        // Once per home: a newcomer who left a community or dropped the
        // goal is not put back at the next start.
        let marker = self.dir.join(format!("welcomed-{}", node.id().to_hex()));
        if marker.exists() {
            return;
        }
        if let Err(e) = crate::files::write_private(&marker, b"") {
            tracing::warn!("remembering the demo welcome: {e}");
        }
        for (id, name, founder) in &self.communities {
            if let Err(e) = node.join_via(*id, *founder).await {
                tracing::warn!(community = name, "joining a demo community: {e}");
            }
        }
        let store = node.store();
        if store.goals().is_ok_and(|goals| goals.is_empty())
            && let Some((id, _, _)) = self.communities.iter().find(|(_, name, _)| name == NEWCOMER_GOAL.0)
        {
            let goal = crate::community::Goal {
                community: *id,
                skill: NEWCOMER_GOAL.1.to_owned(),
                level: None,
                by: None,
                set_at: self.clock.now(),
            };
            if let Err(e) = store.put_goal(&goal) {
                tracing::warn!("setting the demo goal: {e}");
            }
        }
    }

    /// The demo hub's ticket, for `agora hub ask` or the client's form.
    pub fn hub_ticket(&self) -> Option<Ticket> {
        self.hub.as_ref().map(|h| h.ticket())
    }

    /// The communities demo people founded (id, name, founder), for the
    /// user's node to join through their founders.
    pub fn communities(&self) -> &[(crate::community::CommunityId, String, PublicKey)] {
        &self.communities
    }

    /// Tickets of every demo peer: what the user's node bootstraps from.
    pub fn tickets(&self) -> Vec<Ticket> {
        self.nodes.iter().map(|n| n.ticket()).collect()
    }

    /// The clock the demo runs on; the user's node must share it.
    pub fn clock(&self) -> Clock {
        self.clock.clone()
    }

    /// The demo peers' names and keys.
    pub fn peers(&self) -> &[DemoPeer] {
        &self.peers
    }

    /// A demo peer's store (to show its side of a session).
    pub fn store(&self, key: &PublicKey) -> Option<Arc<Store>> {
        self.nodes.iter().find(|n| n.id() == *key).map(|n| n.store().clone())
    }

    /// Whether `key` is one of the demo peers.
    pub fn is_demo_peer(&self, key: &PublicKey) -> bool {
        self.peers.iter().any(|p| p.key == *key)
    }

    /// The next moment in any session a demo peer takes part in.
    pub fn next_moment(&self) -> Option<Moment> {
        let mut all = Vec::new();
        for node in &self.nodes {
            match node.store().negotiations() {
                Ok(negotiations) => all.extend(negotiations),
                Err(e) => tracing::warn!("reading a demo peer's negotiations: {e}"),
            }
        }
        moments::next_moment(&all, None, self.clock.now())
    }

    /// The next moment among the sessions held in `store` (the user's own).
    pub fn next_moment_in(&self, store: &Store) -> Option<Moment> {
        match store.negotiations() {
            Ok(negotiations) => moments::next_moment(&negotiations, None, self.clock.now()),
            Err(e) => {
                tracing::warn!("reading negotiations: {e}");
                None
            }
        }
    }

    /// Moves the shared clock to the next moment in any demo session.
    pub fn fast_forward_to_next(&self) -> Result<Skipped, NoSkip> {
        self.skip_to(self.next_moment().ok_or(NoSkip::NothingAhead)?)
    }

    /// Moves the shared clock to the next moment among the sessions held
    /// in `store` (the user's): the agreed start of the next session, or
    /// the end of the one in progress.
    pub fn fast_forward_for(&self, store: &Store) -> Result<Skipped, NoSkip> {
        self.skip_to(self.next_moment_in(store).ok_or(NoSkip::NothingAhead)?)
    }

    fn skip_to(&self, moment: Moment) -> Result<Skipped, NoSkip> {
        if !lag::may_skip_to(moment.at) {
            return Err(NoSkip::PastToday(Box::new(moment)));
        }
        let by = moment.at.duration_since(self.clock.now()).max(SignedDuration::ZERO);
        self.clock.advance(by);
        lag::keep(&self.dir, &self.clock);
        self.nudge.send_replace(());
        tracing::info!(to = %moment.at, ?moment.kind, "fast-forwarded the demo clock by {by:#}");
        Ok(Skipped { to: moment, by })
    }

    /// Stops the scripts and shuts every demo node down, in parallel,
    /// each bounded to about a second.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let aborts: Vec<_> = self.scripts.iter().map(|s| s.abort_handle()).collect();
        let mut scripts = tokio::task::JoinSet::new();
        for script in self.scripts {
            scripts.spawn(async move {
                let _ = script.await;
            });
        }
        let mut all_stopped = async || while scripts.join_next().await.is_some() {};
        if tokio::time::timeout(Duration::from_secs(1), all_stopped()).await.is_err() {
            tracing::warn!("demo scripts did not stop within 1 s; aborting them");
            aborts.iter().for_each(|a| a.abort());
            let _ = tokio::time::timeout(Duration::from_millis(200), all_stopped()).await;
        }
        let mut nodes = self.nodes;
        nodes.extend(self.hub);
        shut_down_nodes(nodes).await;
    }
}

const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<Demo>()
};

async fn spawn_peer(persona: &Persona, dir: &Path, clock: &Clock, earlier: &[Arc<Node>]) -> Result<Node, DemoError> {
    let folder = dir.join(&persona.slug);
    std::fs::create_dir_all(&folder).map_err(|source| DemoError::Folder { path: folder.clone(), source })?;
    let name = persona.name.clone();
    let store =
        Store::open(&folder.join("store.redb")).map_err(|source| DemoError::Store { name: name.clone(), source })?;
    let store = Arc::new(store);
    let mut config = NodeConfig::loopback(&[DEMO_COMMUNITY]);
    config.clock = clock.clone();
    config.profile = Some(persona.profile());
    // A small, busy marketplace: compare directories often.
    config.sync_every = Duration::from_secs(10);
    config.announce_every = Duration::from_secs(60);
    // Each peer joins through the first and the latest one before it.
    config.bootstrap = earlier.first().into_iter().chain(earlier.last()).map(|n| n.ticket()).collect();
    config.bootstrap.dedup();
    let identity = Identity::from_secret_bytes(&persona.secret());
    let node = Node::spawn(identity, store.clone(), config)
        .await
        .map_err(|source| DemoError::Node { name: name.clone(), source })?;
    for mut listing in persona.listings(clock.now())? {
        // Listings keep their ids between runs; an edit needs a new version.
        match store.own_listing(&listing.id) {
            Ok(Some(old)) => {
                listing.version = old.value().version.saturating_add(1);
                // Placed in a demo community on an earlier run: it stays there.
                listing.placement = old.value().placement.clone();
            }
            Ok(None) => {}
            Err(source) => {
                node.shutdown().await;
                return Err(DemoError::Store { name, source });
            }
        }
        if let Err(source) = node.publish_listing(listing).await {
            node.shutdown().await;
            return Err(DemoError::Node { name, source });
        }
    }
    Ok(node)
}

/// Waits until every peer holds every other peer's listings, or `bound`.
async fn warm_up(nodes: &[Arc<Node>], personas: &[Persona], total: usize, clock: &Clock, bound: Duration) {
    let warm = || {
        nodes.iter().zip(personas).all(|(node, persona)| {
            let expected = total - persona.listings.len();
            node.store().seen_listings(clock.now()).is_ok_and(|seen| seen.len() >= expected)
        })
    };
    let waited = tokio::time::timeout(bound, async {
        while !warm() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    if waited.is_err() {
        tracing::warn!("demo peers have not all seen every listing after {bound:?}; going on");
    }
}

/// Shuts nodes down in parallel, each within its own bound, then waits
/// (briefly) until their stores are closed, so the demo can start again on
/// the same folder at once.
async fn shut_down_nodes(nodes: Vec<Arc<Node>>) {
    let stores: Vec<_> = nodes.iter().map(|n| Arc::downgrade(n.store())).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for node in nodes {
        match Arc::try_unwrap(node) {
            Ok(node) => {
                tasks.spawn(node.shutdown());
            }
            Err(_) => tracing::warn!("a demo node is still in use; not shutting it down"),
        }
    }
    if tokio::time::timeout(Duration::from_secs(2), tasks.join_all()).await.is_err() {
        tracing::warn!("demo nodes did not all shut down within 2 s");
    }
    let closed = tokio::time::timeout(Duration::from_secs(1), async {
        while stores.iter().any(|s| s.strong_count() > 0) {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    if closed.is_err() {
        tracing::warn!("some demo stores are still open after shutdown");
    }
}
