//! `agora community hide|unhide|follow|unfollow`: moderation by the
//! community. A maintainer hides a listing or an author in their community
//! with a reason (a signed note members' agoras apply), or lifts it; a
//! member stops following a maintainer's notes, or follows them again.
//! Each works on the store, or through the agora running on the home
//! (which passes a note on at once).

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;

use super::{key_of, resolve};
use crate::cli::Context;
use crate::cli::context::is_in_use;
use crate::cli::control::ask_running;
use crate::community::{CommunityId, HideNote, Target};
use crate::market::ListingRef;
use crate::node::{ControlReply, ControlRequest};
use crate::store::Store;
use crate::text::safe;

/// Hides (or, with `hidden` false, lifts the note on) a listing or author.
pub fn hide(
    ctx: &Context,
    community: &str,
    target: &str,
    hidden: bool,
    reason: String,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let identity = ctx.identity()?;
    let (id, target) = {
        let store = ctx.store_to_read()?;
        let id = resolve(&store, community)?;
        (id, target_of(&store, &id, target)?)
    };
    if hidden && reason.trim().is_empty() {
        bail!("say why with --reason: members see it beside what is hidden");
    }
    let note = HideNote { community: id, target, hidden, reason };
    match ctx.store() {
        Ok(store) => {
            crate::node::community::hide(&store, &identity, &note, crate::cli::now())?;
        }
        Err(e) if is_in_use(&e) => match ask_running(ctx, ControlRequest::Hide(note))? {
            ControlReply::Done => {}
            _ => bail!("the running agora gave an unexpected answer"),
        },
        Err(e) => return Err(e),
    }
    let what = match target {
        Target::Listing(r) => format!("listing {}", r.id.short()),
        Target::Author(key) => format!("everything by {}", key.fingerprint()),
    };
    let said = if hidden { "Hidden" } else { "No longer hidden" };
    writeln!(out, "{said} in community {}: {what}", id.short())?;
    Ok(ExitCode::SUCCESS)
}

/// Follows (or stops following) a maintainer's notes in a community.
pub fn follow(
    ctx: &Context,
    community: &str,
    maintainer: &str,
    follow: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let maintainer = key_of(maintainer)?;
    let changed = match ctx.store() {
        Ok(store) => {
            let id = resolve(&store, community)?;
            store.set_following(&id, &maintainer, follow)?
        }
        Err(e) if is_in_use(&e) => {
            let id = resolve(&ctx.store_to_read()?, community)?;
            match ask_running(ctx, ControlRequest::Follow(id, maintainer, follow))? {
                ControlReply::Withdrawn(changed) => changed,
                _ => bail!("the running agora gave an unexpected answer"),
            }
        }
        Err(e) => return Err(e),
    };
    let said = match (follow, changed) {
        (true, true) => "Following the notes of",
        (true, false) => "Already following",
        (false, true) => "No longer following the notes of",
        (false, false) => "Already not following",
    };
    writeln!(out, "{said} {}", maintainer.fingerprint())?;
    Ok(ExitCode::SUCCESS)
}

/// A did:key (an author), or the id (or a unique prefix) of a listing in
/// the community.
fn target_of(store: &Store, community: &CommunityId, text: &str) -> anyhow::Result<Target> {
    let text = text.trim();
    if text.starts_with("did:") {
        return Ok(Target::Author(key_of(text)?));
    }
    let now = crate::cli::now();
    let wanted = text.to_lowercase();
    let mut matches: Vec<ListingRef> = store
        .seen_listings(now)?
        .into_iter()
        .chain(store.own_listings()?)
        .filter(|l| l.value().community() == Some(*community) && l.value().id.to_hex().starts_with(&wanted))
        .map(|l| ListingRef { author: l.author(), id: l.value().id })
        .collect();
    matches.dedup();
    match matches.as_slice() {
        [one] if wanted.len() >= 4 => Ok(Target::Listing(*one)),
        [] => bail!("no listing `{}` is held in that community (give a listing id or a did:key)", safe(text)),
        [_] => bail!("give at least 4 digits of the listing id"),
        _ => bail!("`{}` names {} listings; give more of the id", safe(text), matches.len()),
    }
}
