//! Starting a home's node: its relay CA found in the data directory, and
//! one UDP port per home, chosen once and kept. With `[network] port = 0`
//! (the default) the first start takes whatever port is free and writes
//! it down in the data directory (`port`); later starts bind the same one,
//! so the addresses in tickets others keep stay right across restarts and
//! peers find each other again without a new ticket. If that port is
//! taken, a free one is used and kept instead. A port set in config.toml
//! is used as it is.

use std::path::PathBuf;
use std::sync::Arc;

use super::Context;
use crate::identity::Identity;
use crate::node::{Node, NodeConfig};
use crate::store::Store;

fn file(ctx: &Context) -> PathBuf {
    ctx.home.data_dir().join("port")
}

fn remembered(ctx: &Context) -> Option<u16> {
    std::fs::read_to_string(file(ctx)).ok()?.trim().parse().ok().filter(|p| *p != 0)
}

/// Starts the node on this home's port (see the module comment).
pub async fn spawn(
    ctx: &Context,
    identity: Identity,
    store: Arc<Store>,
    mut config: NodeConfig,
) -> anyhow::Result<Node> {
    // `relay_ca` may name a file in the data directory.
    if let Some(path) = config.net.relay_ca.as_mut()
        && path.is_relative()
    {
        *path = ctx.home.data_dir().join(&*path);
    }
    let choose = config.net.bind.port() == 0;
    if choose && let Some(port) = remembered(ctx) {
        config.net.bind.set_port(port);
        let retry = config.clone();
        match Node::spawn(identity, store.clone(), config).await {
            Ok(node) => return Ok(node),
            Err(e) => {
                tracing::warn!("port {port} of this home is not free ({e}); taking another and keeping it");
                let mut config = retry;
                config.net.bind.set_port(0);
                // The key moved into the first try; it is read again.
                let node = Node::spawn(ctx.identity()?, store, config).await?;
                keep(ctx, &node);
                return Ok(node);
            }
        }
    }
    let node = Node::spawn(identity, store, config).await?;
    if choose {
        keep(ctx, &node);
    }
    Ok(node)
}

fn keep(ctx: &Context, node: &Node) {
    let Some(port) = node.bound_port() else { return };
    if let Err(e) = crate::files::replace(&file(ctx), port.to_string().as_bytes()) {
        tracing::warn!("keeping this home's port: {e}");
    }
}
