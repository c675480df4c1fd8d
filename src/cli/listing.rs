//! `agora listing add|list|remove`: your offers and requests.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Subcommand, ValueEnum};
use jiff::SignedDuration;

use super::Context;
use super::context::is_in_use;
use super::control::ask_running;
use super::show::{listing_row, listing_table_header};
use crate::market::{Availability, Format, Id16, Level, Listing, ListingKind, ListingWithdrawal, Price, Window};
use crate::node::ControlRequest;
use crate::text::safe;
use crate::wire::{Verified, seal};

#[derive(Subcommand, Debug)]
pub enum ListingCommand {
    /// Publish an offer to teach or a request to learn.
    Add(AddArgs),
    /// Show your listings (and, with --all, the ones seen from others).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Withdraw one of your listings by id (or a unique prefix of it).
    Remove { id: String },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KindArg {
    /// You can teach this.
    Offer,
    /// You want to learn this.
    Request,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LevelArg {
    Any,
    Beginner,
    Intermediate,
    Advanced,
}

#[derive(clap::Args, Debug)]
pub struct AddArgs {
    pub kind: KindArg,
    /// Skill tag, lowercase (repeat for more; the first is the main one).
    #[arg(long = "skill", required = true)]
    pub skills: Vec<String>,
    #[arg(long)]
    pub title: String,
    #[arg(long, value_enum, default_value = "any")]
    pub level: LevelArg,
    #[arg(long, default_value = "")]
    pub description: String,
    /// `online`, `in-person:AREA` or `either:AREA`.
    #[arg(long, default_value = "online")]
    pub format: String,
    /// `free`, `1 credit`, `25 EUR` (per hour).
    #[arg(long, default_value = "free")]
    pub price: String,
    /// A weekly window like `mon 18:00-20:00` (repeat for more).
    #[arg(long = "when")]
    pub windows: Vec<String>,
    /// IANA time zone of the windows (default: your profile's or this computer's).
    #[arg(long)]
    pub tz: Option<String>,
    /// Days until the listing expires.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..=365))]
    pub days: u16,
    /// Publish it in this community (its id, first digits or name) rather
    /// than the open directory: only its members see it.
    #[arg(long)]
    pub community: Option<String>,
}

pub fn run(ctx: &Context, command: ListingCommand, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    match command {
        ListingCommand::Add(args) => add(ctx, args, out),
        ListingCommand::List { all } => list(ctx, all, out),
        ListingCommand::Remove { id } => remove(ctx, &id, out),
    }
}

fn add(ctx: &Context, args: AddArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let identity = ctx.identity()?;
    let now = crate::cli::now();
    let windows = args.windows.iter().map(|w| Window::parse(w)).collect::<Result<Vec<_>, _>>()?;
    let placement = match &args.community {
        Some(community) => {
            let store = ctx.store_to_read()?;
            let id = super::community::resolve(&store, community)?;
            Some(crate::market::Placement { community: id, invitation: None })
        }
        None => None,
    };
    let mut listing = Listing {
        id: Id16::random()?,
        version: 1,
        kind: match args.kind {
            KindArg::Offer => ListingKind::Offer,
            KindArg::Request => ListingKind::Request,
        },
        title: args.title,
        skills: args.skills.iter().map(|s| s.trim().to_lowercase()).collect(),
        level: match args.level {
            LevelArg::Any => Level::Any,
            LevelArg::Beginner => Level::Beginner,
            LevelArg::Intermediate => Level::Intermediate,
            LevelArg::Advanced => Level::Advanced,
        },
        description: args.description,
        format: parse_format(&args.format)?,
        price: args.price.parse::<Price>()?,
        availability: Availability { time_zone: args.tz.unwrap_or_else(|| ctx.time_zone(&config)), windows },
        expires_at: now.saturating_add(SignedDuration::from_hours(24 * i64::from(args.days)))?,
        placement,
    };
    match ctx.store() {
        Ok(store) => {
            if let Some(community) = listing.community() {
                let joined = match store.joined_communities()?.contains(&community) {
                    true => store.charter(&community)?.map(Verified::into_value),
                    false => None,
                };
                let invitation = store.invitation(&community)?;
                crate::node::community::place(&mut listing, &identity.public(), joined.as_ref(), invitation, now)?;
            }
            let signed: Verified<Listing> = seal(&identity, &listing, now).context("invalid listing")?;
            store.put_own_listing(&signed)?;
            writeln!(out, "Added {} {}: {}", listing.kind, listing.id.short(), safe(&listing.title))?;
        }
        Err(e) if is_in_use(&e) => {
            seal(&identity, &listing, now).context("invalid listing")?;
            ask_running(ctx, ControlRequest::Publish(listing.clone()))?;
            writeln!(out, "Published {} {}: {}", listing.kind, listing.id.short(), safe(&listing.title))?;
        }
        Err(e) => return Err(e),
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_format(text: &str) -> anyhow::Result<Format> {
    let (kind, area) = text.split_once(':').map_or((text, ""), |(k, a)| (k, a.trim()));
    Ok(match (kind, area) {
        ("online", "") => Format::Online,
        ("in-person", area) if !area.is_empty() => Format::InPerson { area: area.to_owned() },
        ("either", area) if !area.is_empty() => Format::Either { area: area.to_owned() },
        _ => bail!("`{text}` is not a format: use `online`, `in-person:AREA` or `either:AREA`"),
    })
}

fn list(ctx: &Context, all: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let store = ctx.store_to_read()?;
    let now = crate::cli::now();
    let own = store.own_listings()?;
    writeln!(out, "{}", listing_table_header())?;
    for listing in &own {
        writeln!(out, "{}", listing_row(listing.value(), "you", now))?;
    }
    for listing in store.paused_listings()? {
        writeln!(out, "{}", listing_row(listing.value(), "you (paused)", now))?;
    }
    if all {
        for listing in store.seen_listings(now)? {
            writeln!(out, "{}", listing_row(listing.value(), &listing.author().fingerprint(), now))?;
        }
    } else if own.is_empty() {
        writeln!(out, "(no listings yet: `agora listing add offer --skill rust --title \"Rust for beginners\"`)")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn remove(ctx: &Context, id: &str, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    // Read beside the running agora if there is one; it then does the withdrawing.
    let store = match ctx.store() {
        Err(e) if is_in_use(&e) => ctx.store_to_read()?,
        other => other?,
    };
    let wanted = id.to_ascii_lowercase();
    let matches: Vec<_> =
        store.own_listings()?.into_iter().filter(|l| l.value().id.to_hex().starts_with(&wanted)).collect();
    let listing = match matches.as_slice() {
        [one] if !wanted.is_empty() => one.value().clone(),
        [] | [_] => bail!("no listing of yours has id `{id}` (see `agora listing list`)"),
        _ => bail!("`{id}` matches {} listings; give more of the id", matches.len()),
    };
    if store.is_writable() {
        let withdrawal = ListingWithdrawal { id: listing.id, version: listing.version };
        store.withdraw_own_listing(&seal(&ctx.identity()?, &withdrawal, crate::cli::now())?)?;
    } else {
        drop(store);
        ask_running(ctx, ControlRequest::Withdraw(listing.id))?;
    }
    writeln!(out, "Withdrew {} {}: {}", listing.kind, listing.id.short(), safe(&listing.title))?;
    Ok(ExitCode::SUCCESS)
}
