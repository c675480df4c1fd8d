//! `agora listings`: the marketplace as this peer sees it (its own listings
//! and every live one learned from others), as a table or as JSON lines for
//! scripts. Works beside a running agora. Peers' text is escaped in the
//! table and, in JSON, DEL, C1 and invisible characters are `\uXXXX`.

use std::io::Write;
use std::process::ExitCode;

use clap::ValueEnum;
use jiff::Timestamp;
use serde::Serialize;

use std::collections::BTreeMap;

use super::Context;
use super::show::{listing_row, listing_table_header};
use crate::community::{CommunityId, Moderation};
use crate::identity::did_key_from_public;
use crate::market::{Listing, ListingKind, ListingRef};
use crate::store::Store;
use crate::text::{safe, to_json_line};
use crate::wire::Verified;

#[derive(clap::Args, Debug)]
pub struct ListingsArgs {
    /// Only listings with this skill tag.
    #[arg(long)]
    pub skill: Option<String>,
    /// Only offers or only requests.
    #[arg(long, value_enum)]
    pub kind: Option<KindFilter>,
    /// Only your own.
    #[arg(long)]
    pub mine: bool,
    /// Only listings placed in this community (its id, first digits or name).
    #[arg(long)]
    pub community: Option<String>,
    /// Also show what maintainers' notes hide (marked, with the reason).
    #[arg(long)]
    pub hidden: bool,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KindFilter {
    Offer,
    Request,
}

/// One listing as scripts see it.
#[derive(Serialize)]
struct ListingLine<'a> {
    id: String,
    version: u32,
    kind: String,
    title: &'a str,
    skills: &'a [String],
    level: String,
    format: String,
    price: String,
    description: &'a str,
    author: String,
    author_name: String,
    mine: bool,
    expires_at: String,
    /// The community's id (hex), or null for the open directory.
    community: Option<String>,
    /// Why a maintainer's note hides it, or null.
    hidden: Option<String>,
    /// For your own listing: why its community's members no longer take
    /// it (the community turned invite-only, ...), or null.
    not_taken: Option<String>,
}

pub fn run(ctx: &Context, args: ListingsArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let store = ctx.store_to_read()?;
    let now = crate::cli::now();
    let mut rows: Vec<(Verified<Listing>, bool)> = store.own_listings()?.into_iter().map(|l| (l, true)).collect();
    if !args.mine {
        rows.extend(store.seen_listings(now)?.into_iter().map(|l| (l, false)));
    }
    if let Some(community) = &args.community {
        let id = super::community::resolve(&store, community)?;
        rows.retain(|(l, _)| l.value().community() == Some(id));
    }
    rows.retain(|(l, _)| wanted(l.value(), &args, now));
    let mut moderation = Moderations::default();
    let mut rows: Vec<(Verified<Listing>, bool, Option<String>)> = rows
        .into_iter()
        .map(|(l, mine)| {
            let hidden = if mine { None } else { moderation.hidden(&store, &l) };
            (l, mine, hidden)
        })
        .collect();
    let hidden = rows.iter().filter(|(_, _, h)| h.is_some()).count();
    if !args.hidden {
        rows.retain(|(_, _, h)| h.is_none());
    }
    if args.json {
        for (listing, mine, hidden) in &rows {
            writeln!(out, "{}", to_json_line(&line(&store, listing, *mine, hidden.clone(), now))?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() && hidden == 0 {
        writeln!(out, "(no listings match; peers' listings arrive while an agora runs and is connected)")?;
        return Ok(ExitCode::SUCCESS);
    }
    if !rows.is_empty() {
        writeln!(out, "{}", listing_table_header())?;
    }
    for (listing, mine, hidden) in &rows {
        let by = if *mine { "you".to_owned() } else { author_name(&store, listing) };
        writeln!(out, "{}", listing_row(listing.value(), &by, now))?;
        if let Some(reason) = hidden {
            writeln!(out, "    hidden by a maintainer: {}", safe(reason))?;
        }
        if let Some(why) = mine.then(|| not_taken(&store, listing, now)).flatten() {
            writeln!(
                out,
                "    its community's members no longer take it: {}; ask a maintainer for an invitation",
                safe(&why)
            )?;
        }
    }
    if hidden > 0 && !args.hidden {
        writeln!(out, "({hidden} hidden by maintainers' notes; --hidden shows them)")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The moderation of each community met, read once.
#[derive(Default)]
struct Moderations(BTreeMap<CommunityId, Option<Moderation>>);

impl Moderations {
    /// Why a note this user follows hides `listing`, if one does.
    fn hidden(&mut self, store: &Store, listing: &Verified<Listing>) -> Option<String> {
        let community = listing.value().community()?;
        let view = self.0.entry(community).or_insert_with(|| store.moderation(&community).ok().flatten());
        let at = ListingRef { author: listing.author(), id: listing.value().id };
        view.as_ref()?.hidden(&at).map(str::to_owned)
    }
}

fn wanted(listing: &Listing, args: &ListingsArgs, now: Timestamp) -> bool {
    let kind_ok = match args.kind {
        None => true,
        Some(KindFilter::Offer) => listing.kind == ListingKind::Offer,
        Some(KindFilter::Request) => listing.kind == ListingKind::Request,
    };
    let skill_ok = args.skill.as_ref().is_none_or(|s| listing.skills.iter().any(|t| t.eq_ignore_ascii_case(s)));
    kind_ok && skill_ok && !listing.is_expired(now)
}

/// The author's profile name when known, else their key's fingerprint.
fn author_name(store: &Store, listing: &Verified<Listing>) -> String {
    match store.peer(&listing.author()) {
        Ok(Some(peer)) if !peer.name.is_empty() => peer.name,
        _ => listing.author().fingerprint(),
    }
}

/// Why the members of the community an own listing is placed in no longer
/// take it, when they do not.
fn not_taken(store: &Store, listing: &Verified<Listing>, now: Timestamp) -> Option<String> {
    let placement = listing.value().placement.as_ref()?;
    let charter = store.charter(&placement.community).ok().flatten()?;
    crate::community::may_publish(charter.value(), &listing.author(), placement, now).err().map(|e| e.to_string())
}

fn line<'a>(
    store: &Store,
    listing: &'a Verified<Listing>,
    mine: bool,
    hidden: Option<String>,
    now: Timestamp,
) -> ListingLine<'a> {
    let l = listing.value();
    ListingLine {
        id: l.id.to_hex(),
        version: l.version,
        kind: l.kind.to_string(),
        title: &l.title,
        skills: &l.skills,
        level: l.level.to_string(),
        format: l.format.to_string(),
        price: l.price.to_string(),
        description: &l.description,
        author: did_key_from_public(&listing.author()),
        author_name: if mine { "you".to_owned() } else { author_name(store, listing) },
        mine,
        expires_at: l.expires_at.to_string(),
        community: l.community().map(|c| c.to_hex()),
        hidden,
        not_taken: if mine { not_taken(store, listing, now) } else { None },
    }
}
