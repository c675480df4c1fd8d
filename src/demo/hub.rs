//! The demo's hub: a library that validates learning, run as a real node
//! with `agora serve --hub`'s settings (automatic approval, one session
//! with one teacher is enough in the demo). It belongs to Code Commons, so
//! it can validate a path of its curriculum. The newcomer asks it from
//! the Communities tab (`V`), its ticket already filled in.

use std::path::Path;
use std::sync::Arc;

use crate::community::CommunityId;
use crate::community::hub::Policy;
use crate::identity::{Identity, PublicKey};
use crate::market::Profile;
use crate::node::hub::HubSettings;
use crate::node::{Clock, Node, NodeConfig};
use crate::store::Store;

pub const HUB_NAME: &str = "Alcântara Library";

/// Starts the hub next to the demo's `nodes`; `None` (logged) if it
/// cannot start: the demo goes on without it.
pub(super) async fn start(
    dir: &Path,
    clock: &Clock,
    nodes: &[Arc<Node>],
    founded: &[(CommunityId, String, PublicKey)],
) -> Option<Arc<Node>> {
    let folder = dir.join("hub");
    if let Err(e) = std::fs::create_dir_all(&folder) {
        tracing::warn!("the demo hub has no folder: {e}");
        return None;
    }
    let store = match Store::open(&folder.join("store.redb")) {
        Ok(store) => Arc::new(store),
        Err(e) => {
            tracing::warn!("the demo hub's store: {e}");
            return None;
        }
    };
    let mut config = NodeConfig::loopback(&[super::DEMO_COMMUNITY]);
    config.clock = clock.clone();
    config.sync_every = std::time::Duration::from_secs(10);
    config.profile = Some(Profile {
        name: HUB_NAME.into(),
        bio: "A public library in Lisbon that validates what you learned, wherever you learned it.".into(),
        languages: vec!["pt".into(), "en".into()],
        time_zone: "Europe/Lisbon".into(),
    });
    config.bootstrap = nodes.first().map(|n| n.ticket()).into_iter().collect();
    config.hub = Some(HubSettings {
        name: HUB_NAME.into(),
        policy: Policy { min_sessions: 1, min_hours: 0.5, min_teachers: 1 },
        automatic: true,
    });
    let secret: [u8; 32] = <sha2::Sha256 as sha2::Digest>::digest(b"agora demo hub").into();
    let node = match Node::spawn(Identity::from_secret_bytes(&secret), store, config).await {
        Ok(node) => Arc::new(node),
        Err(e) => {
            tracing::warn!("the demo hub did not start: {e}");
            return None;
        }
    };
    for (id, name, founder) in founded {
        if let Err(e) = node.join_via(*id, *founder).await {
            tracing::warn!(community = name, "the demo hub could not join: {e}");
        }
    }
    Some(node)
}
