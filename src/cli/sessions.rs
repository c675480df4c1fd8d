//! `agora sessions`: every negotiation this peer takes part in, newest
//! first, with whose move it is; a table or JSON lines for scripts. Works
//! beside a running agora.

use std::io::Write;
use std::process::ExitCode;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

use super::Context;
use super::show::{clip, safe_row};
use crate::identity::{PublicKey, did_key_from_public};
use crate::market::{Negotiation, Role};
use crate::store::Store;
use crate::text::to_json_line;

#[derive(clap::Args, Debug)]
pub struct SessionsArgs {
    /// Only the ones still open (not completed, declined, cancelled or no-show).
    #[arg(long)]
    pub open: bool,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// One negotiation as scripts see it.
#[derive(Serialize)]
pub(super) struct SessionLine<'a> {
    id: String,
    state: &'static str,
    role: &'static str,
    with: String,
    with_name: String,
    skill: &'a str,
    topic: Option<&'a str>,
    start: Option<String>,
    minutes: Option<u16>,
    price: Option<String>,
    your_move: bool,
    updated_at: String,
    /// What comes next, in words (as the client says it).
    next: String,
}

pub fn run(ctx: &Context, args: SessionsArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let store = ctx.store_to_read()?;
    let me = ctx.identity()?.public();
    let mut all = store.negotiations()?;
    if args.open {
        all.retain(|n| !n.phase.is_closed());
    }
    all.sort_by_key(|n| std::cmp::Reverse(n.updated_at));
    let config = ctx.config()?;
    let tz = jiff::tz::TimeZone::get(&ctx.time_zone(&config)).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = super::now();
    let lines: Vec<SessionLine> = all.iter().map(|n| line(&store, n, &me, &tz, now)).collect();
    if args.json {
        for line in &lines {
            writeln!(out, "{}", to_json_line(line)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if lines.is_empty() {
        writeln!(out, "(no sessions yet: they begin when a learner proposes one on a listing)")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<8}  {:<17}  {:<7}  {:<16}  {:<14}  {:<16}  NEXT",
        "ID", "STATE", "ROLE", "WITH", "SKILL", "WHEN"
    )?;
    for l in &lines {
        let when = l.start.as_deref().map(|s| s.get(..16).unwrap_or(s).replace('T', " ")).unwrap_or_default();
        let next = &l.next;
        let row = format!(
            "{:<8}  {:<17}  {:<7}  {:<16}  {:<14}  {:<16}  {next}",
            &l.id[..8],
            l.state,
            l.role,
            clip(&l.with_name, 16),
            clip(l.skill, 14),
            when
        );
        writeln!(out, "{}", safe_row(row))?;
    }
    writeln!(out, "(times in {})", tz.iana_name().unwrap_or("UTC"))?;
    Ok(ExitCode::SUCCESS)
}

pub(super) fn line<'a>(
    store: &Store,
    n: &'a Negotiation,
    me: &PublicKey,
    tz: &TimeZone,
    now: Timestamp,
) -> SessionLine<'a> {
    let role = n.role_of(me);
    let other = if n.teacher == *me { n.learner } else { n.teacher };
    let terms = n.current_terms();
    let progress = match n.phase {
        crate::market::Phase::Completed { .. } => crate::node::record::progress(store, me, n, now).ok(),
        _ => None,
    };
    let item = crate::app::SessionItem {
        negotiation: n.clone(),
        with: other,
        with_name: String::new(),
        title: String::new(),
        chat: Vec::new(),
        chat_waiting: 0,
        progress,
    };
    SessionLine {
        id: n.id.to_hex(),
        state: n.phase.name(),
        role: match role {
            Some(Role::Teacher) => "teach",
            Some(Role::Learner) => "learn",
            None => "?",
        },
        with: did_key_from_public(&other),
        with_name: name_of(store, &other),
        skill: &n.skill,
        topic: terms.map(|t| t.topic.as_str()),
        start: terms.map(|t| local(t.start, tz)),
        minutes: terms.map(|t| t.duration_minutes),
        price: terms.map(|t| t.price.to_string()),
        your_move: role.is_some() && n.awaiting() == role,
        updated_at: n.updated_at.to_string(),
        next: crate::app::next_step(&item, me, now),
    }
}

pub(super) fn name_of(store: &Store, key: &PublicKey) -> String {
    match store.peer(key) {
        Ok(Some(peer)) if !peer.name.is_empty() => peer.name,
        _ => key.fingerprint(),
    }
}

/// A time in the profile's zone, RFC 3339 with offset.
fn local(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%dT%H:%M%:z").to_string()
}
