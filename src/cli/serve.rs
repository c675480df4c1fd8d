//! `agora serve`: the node without a terminal client, for tutors who stay
//! reachable on a server and for hubs that keep a community's directory
//! alive. Prints its ticket, then logs to stdout until Ctrl-C. Every line
//! is escaped (see [`crate::text`]): a peer's refusal text or a relay's
//! error reaches the operator's terminal as visible characters only.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use super::Context;
use crate::market::Profile;
use crate::node::{Event, NodeConfig};
use crate::text::safe;

#[derive(clap::Args, Debug, Default)]
pub struct ServeArgs {
    /// Also validate learning for learners who ask over the network
    /// (`agora hub ask`), under the `[hub]` policy of config.toml.
    #[arg(long)]
    pub hub: bool,
}

pub fn run(ctx: &Context, args: ServeArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let identity = ctx.identity()?;
    let store = Arc::new(ctx.store()?);
    let mut node_config = NodeConfig::from_config(&config)?;
    if args.hub {
        let name = if config.hub.name.is_empty() { config.profile.name.clone() } else { config.hub.name.clone() };
        if name.trim().is_empty() {
            anyhow::bail!("name the hub first: [hub] name (or [profile] name) in config.toml");
        }
        node_config.hub = Some(crate::node::hub::HubSettings {
            name,
            policy: crate::community::hub::Policy {
                min_sessions: config.hub.min_sessions,
                min_hours: config.hub.min_hours,
                min_teachers: config.hub.min_teachers,
            },
            automatic: config.hub.approval == crate::config::Approval::Automatic,
        });
    }
    if !config.profile.name.is_empty() {
        node_config.profile = Some(Profile {
            name: config.profile.name.clone(),
            bio: config.profile.bio.clone(),
            languages: config.profile.languages.clone(),
            time_zone: ctx.time_zone(&config),
        });
    }
    let node_config_hub = node_config.hub.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async {
        let node = super::port::spawn(ctx, identity, store, node_config).await?;
        // Listen for Ctrl-C and SIGTERM before saying anything: a script
        // that stops serve as soon as it printed its ticket must stop it
        // cleanly, not kill it.
        let stop = stop_signal();
        tokio::pin!(stop);
        let ticket = node.ticket().to_string();
        #[cfg(unix)]
        let _control = node.listen_locally(&ctx.home.control_socket())?;
        writeln!(out, "agora serving as {}", crate::identity::did_key_from_public(&node.id()))?;
        writeln!(out, "communities: {}", safe(config.communities.join(", ")))?;
        if let Some(hub) = &node_config_hub {
            let how = if hub.automatic {
                "validates what meets its policy"
            } else {
                "refuses requests over the network: [hub] approval is \"ask\" (the operator validates files with `agora hub validate`)"
            };
            writeln!(out, "hub: {} {how}", safe(&hub.name))?;
        }
        writeln!(out, "ticket: {ticket}")?;
        out.flush()?;
        let mut events = node.subscribe();
        let mut shown = ticket;
        loop {
            tokio::select! {
                _ = &mut stop => break,
                event = events.recv() => match event {
                    Ok(event) => {
                        log_event(out, &event)?;
                        // A ticket printed before a relay answered carries only
                        // local addresses: print it again once it changes.
                        if matches!(event, Event::Relays(_)) && node.ticket().to_string() != shown {
                            shown = node.ticket().to_string();
                            writeln!(out, "ticket: {shown}")?;
                        }
                    }
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

/// Ctrl-C, or (on Unix) the SIGTERM a service manager sends. The handlers
/// are installed when this is called, not when the future is first polled.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                _ => std::future::pending().await,
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub(super) fn log_event(out: &mut impl Write, event: &Event) -> std::io::Result<()> {
    let line = match event {
        Event::OwnChanged => "your listings, profile or blocks changed".to_owned(),
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
        // Already logged by the node, with its time, once per change.
        Event::Relays(_) => return Ok(()),
        Event::SessionDue(id) => format!("session {} can be started, or a no-show reported", id.short()),
        Event::CommunityChanged(id) => format!("community {} changed", id.short()),
        Event::ModerationChanged(id) => format!("community {}: a maintainer's hide note", id.short()),
    };
    writeln!(out, "{}", safe(&line))?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;

    #[test]
    fn a_peers_refusal_reaches_the_terminal_escaped_on_one_line() {
        let peer = Identity::from_secret_bytes(&[4; 32]).public();
        let reason = "no\x1b]0;pwned\x07\x1b[2J\u{9b}31m\u{202e}\nforged line".to_owned();
        let mut out = Vec::new();
        log_event(&mut out, &Event::DeliveryRefused { to: peer, reason: reason.clone() }).unwrap();
        log_event(&mut out, &Event::Rejected { from: peer, reason }).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.lines().all(|l| !l.chars().any(crate::text::needs_escape)), "{text:?}");
        assert!(text.contains("no\\u{1b}]0;pwned\\u{7}"), "{text}");
    }
}
