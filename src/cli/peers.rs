//! `agora peers`, `agora block PEER`, `agora unblock PEER`: who this peer
//! has met, and keeping someone out. A blocked peer's messages are dropped
//! and its listings leave the directory. Through the running agora when
//! there is one.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use serde::Serialize;

use super::Context;
use super::context::is_in_use;
use super::control::ask_running;
use super::show::clip;
use crate::identity::{PublicKey, did_key_from_public, public_from_did_key};
use crate::node::{ControlReply, ControlRequest};
use crate::store::{PeerRecord, Store};
use crate::text::{safe, to_json_line};

#[derive(Serialize)]
struct PeerLine {
    did: String,
    fingerprint: String,
    name: String,
    last_seen: String,
    blocked: bool,
}

pub fn list(ctx: &Context, json: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let mut peers = ctx.store_to_read()?.peers()?;
    peers.sort_by_key(|p| std::cmp::Reverse(p.last_seen));
    if json {
        for p in &peers {
            let line = PeerLine {
                did: did_key_from_public(&p.key),
                fingerprint: p.key.fingerprint(),
                name: p.name.clone(),
                last_seen: p.last_seen.to_string(),
                blocked: p.blocked,
            };
            writeln!(out, "{}", to_json_line(&line)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if peers.is_empty() {
        writeln!(out, "(no peers met yet: they appear as their profiles arrive)")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{:<10}  {:<24}  {:<16}  BLOCKED", "PEER", "NAME", "LAST SEEN")?;
    for p in &peers {
        let seen = p.last_seen.strftime("%Y-%m-%d %H:%M").to_string();
        let blocked = if p.blocked { "blocked" } else { "" };
        writeln!(out, "{:<10}  {:<24}  {:<16}  {blocked}", p.key.fingerprint(), clip(&p.name, 24), seen)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn set_blocked(ctx: &Context, who: &str, blocked: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let verb = if blocked { "Blocked" } else { "Unblocked" };
    let (peer, dropped) = match ctx.store() {
        Ok(store) => {
            let peer = resolve(&store, who)?;
            if peer == ctx.identity()?.public() {
                bail!("that is your own key");
            }
            (peer, store.set_blocked(&peer, blocked, crate::cli::now())?.len())
        }
        Err(e) if is_in_use(&e) => {
            let peer = resolve(&ctx.store_to_read()?, who)?;
            match ask_running(ctx, ControlRequest::SetBlocked(did_key_from_public(&peer), blocked))? {
                ControlReply::Dropped(n) => (peer, n),
                _ => bail!("the running agora gave an unexpected answer"),
            }
        }
        Err(e) => return Err(e),
    };
    write!(out, "{verb} {}", peer.fingerprint())?;
    if dropped > 0 {
        write!(out, "; {dropped} of their listings left your directory")?;
    }
    writeln!(out)?;
    Ok(ExitCode::SUCCESS)
}

/// A `did:key`, or the start of a known peer's fingerprint, or a known
/// peer's exact name; anything matching several peers is refused.
/// Whether a name as typed names `name`: case and surrounding spaces aside.
pub(super) fn same_name(name: &str, typed: &str) -> bool {
    let typed = typed.trim();
    !typed.is_empty() && name.trim().to_lowercase() == typed.to_lowercase()
}

pub(super) fn resolve(store: &Store, who: &str) -> anyhow::Result<PublicKey> {
    if who.starts_with("did:key:") {
        return Ok(public_from_did_key(who)?);
    }
    let wanted = who.to_ascii_lowercase();
    let peers = store.peers()?;
    let matches: Vec<&PeerRecord> = peers
        .iter()
        .filter(|p| (wanted.len() >= 4 && p.key.to_hex().starts_with(&wanted)) || same_name(&p.name, who))
        .collect();
    match matches.as_slice() {
        [one] => Ok(one.key),
        [] => bail!("no known peer is `{}`: give a did:key, or a fingerprint or name from `agora peers`", safe(who)),
        _ => bail!("`{}` matches {} peers; give more of the fingerprint or the did:key", safe(who), matches.len()),
    }
}
