//! `agora ticket`: how others reach you, as text and as a QR code.
//! `agora connect TICKET`: meet a peer, join its communities and pull its
//! directory; through the running agora if there is one, else by starting
//! a node just long enough for the first sync. Either way the ticket is
//! kept, and dialled again at every start.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};

use super::Context;
use super::control::ask_running;
use crate::net::Ticket;
use crate::node::{ControlReply, ControlRequest};
use crate::node::{Event, Node, NodeConfig};

/// How long `agora connect` waits for the first directory sync.
const CONNECT_WAIT: Duration = Duration::from_secs(20);

pub fn show(ctx: &Context, qr: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    if !ctx.node_running()? {
        bail!("no agora is running on this home; start `agora serve` (or the app) and ask again");
    }
    let ControlReply::Ticket(ticket) = ask_running(ctx, ControlRequest::Ticket)? else {
        bail!("the running agora answered something else than its ticket");
    };
    writeln!(out, "{ticket}")?;
    if qr {
        let code = qrcode::QrCode::new(ticket.as_bytes()).context("making the QR code")?;
        let picture = code.render::<qrcode::render::unicode::Dense1x2>().quiet_zone(true).build();
        writeln!(out, "{picture}")?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn connect(ctx: &Context, text: &str, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let ticket: Ticket = text.parse()?;
    let peer = crate::identity::PublicKey::from(*ticket.addr.id.as_bytes());
    if ctx.node_running()? {
        ask_running(ctx, ControlRequest::Connect(ticket.to_string()))?;
        writeln!(out, "The running agora is connecting to {}; it will keep this contact", peer.fingerprint())?;
        return Ok(ExitCode::SUCCESS);
    }
    let config = ctx.config()?;
    let identity = ctx.identity()?;
    let store = Arc::new(ctx.store()?);
    let node_config = NodeConfig::from_config(&config)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let received = runtime.block_on(async {
        let node = Node::spawn(identity, store, node_config).await?;
        let mut events = node.subscribe();
        node.connect(ticket).await?;
        let waited = tokio::time::timeout(CONNECT_WAIT, async {
            loop {
                match events.recv().await {
                    Ok(Event::Synced { peer: from, received }) if from == peer => return Some(received),
                    Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return None,
                }
            }
        })
        .await;
        node.shutdown().await;
        Ok::<_, anyhow::Error>(waited.ok().flatten())
    })?;
    match received {
        Some(n) => writeln!(out, "Connected to {}: {n} new listings and withdrawals", peer.fingerprint())?,
        None => bail!("could not reach {} within {} s", peer.fingerprint(), CONNECT_WAIT.as_secs()),
    }
    Ok(ExitCode::SUCCESS)
}
