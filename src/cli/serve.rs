//! `agora serve`: the node without a terminal client, for tutors who stay
//! reachable on a server and for hubs that keep a community's directory
//! alive. Prints its ticket, then logs to stdout until Ctrl-C.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use super::Context;
use crate::market::Profile;
use crate::node::{Event, Node, NodeConfig};

pub fn run(ctx: &Context, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let identity = ctx.identity()?;
    let store = Arc::new(ctx.store()?);
    let mut node_config = NodeConfig::from_config(&config)?;
    if !config.profile.name.is_empty() {
        node_config.profile = Some(Profile {
            name: config.profile.name.clone(),
            bio: config.profile.bio.clone(),
            languages: config.profile.languages.clone(),
            time_zone: ctx.time_zone(&config),
        });
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async {
        let node = Node::spawn(identity, store, node_config).await?;
        let ticket = node.ticket().to_string();
        #[cfg(unix)]
        let _control = node.listen_locally(&ctx.home.control_socket())?;
        writeln!(out, "agora serving as {}", crate::identity::did_key_from_public(&node.id()))?;
        writeln!(out, "communities: {}", config.communities.join(", "))?;
        writeln!(out, "ticket: {ticket}")?;
        out.flush()?;
        let mut events = node.subscribe();
        loop {
            tokio::select! {
                _ = stop_signal() => break,
                event = events.recv() => match event {
                    Ok(event) => log_event(out, &event)?,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => writeln!(out, "(skipped {n} events)")?,
                    Err(_) => break,
                },
            }
        }
        writeln!(out, "shutting down")?;
        node.shutdown().await;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, or (on Unix) the SIGTERM a service manager sends.
async fn stop_signal() {
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

fn log_event(out: &mut impl Write, event: &Event) -> std::io::Result<()> {
    let line = match event {
        Event::NeighborUp(peer) => format!("neighbor up {}", peer.fingerprint()),
        Event::NeighborDown(peer) => format!("neighbor down {}", peer.fingerprint()),
        Event::ListingUpdated { author, id } => format!("listing {} from {}", id.short(), author.fingerprint()),
        Event::ListingWithdrawn { author, id } => format!("withdrawn {} from {}", id.short(), author.fingerprint()),
        Event::Synced { peer, received } => format!("synced with {}: {received} new", peer.fingerprint()),
        Event::Rejected { from, reason } => format!("refused from {}: {reason}", from.fingerprint()),
        Event::NegotiationChanged(id) => format!("session {} changed", id.short()),
        Event::Chat(id) => format!("chat in session {}", id.short()),
        Event::EndorsementStored(id) => format!("endorsement stored: {id}"),
        Event::Delivered(to) => format!("delivered to {}", to.fingerprint()),
        Event::DeliveryRefused { to, reason } => format!("{} refused a message: {reason}", to.fingerprint()),
        Event::Relays(status) => status.to_string(),
        Event::SessionDue(id) => format!("session {} can be started, or a no-show reported", id.short()),
    };
    writeln!(out, "{line}")?;
    out.flush()
}
