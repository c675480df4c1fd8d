//! `agora community create|edit|list|show|join|leave`: communities as signed
//! charters. Creating draws a nonce, so the community's id is the founder's
//! alone; editing publishes the charter's next version, which only its
//! maintainers can sign. Each works on the store, or through the agora
//! running on the home; `ticket` and joining by a ticket need that agora,
//! since they reach other peers.

mod curriculum_file;
mod moderation;
mod show;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};

use super::Context;
use super::context::is_in_use;
use super::control::ask_running;
use crate::community::{Admission, Charter, CommunityId, Curriculum};
use crate::identity::{PublicKey, public_from_did_key};
use crate::node::{ControlReply, ControlRequest};
use crate::store::{CharterStored, Store};
use crate::text::safe;
use crate::wire::seal;

#[derive(Subcommand, Debug)]
pub enum CommunityCommand {
    /// Found a community: you sign its charter and become its first maintainer.
    Create(CreateArgs),
    /// Publish the next version of a charter you maintain.
    Edit(EditArgs),
    /// The communities you belong to.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A community's charter: rules, maintainers, curriculum.
    Show {
        /// The community's id (or its first hex digits, or its name).
        community: String,
        #[arg(long)]
        json: bool,
    },
    /// Belong to a community: by its id or name when its charter is held
    /// here, or by a community ticket (`agorac1…`, through a running agora,
    /// which asks the ticket's member for the charter).
    Join { community: String },
    /// A ticket others join this community with (needs a running agora).
    Ticket {
        community: String,
        /// Also draw it as a QR code.
        #[arg(long)]
        qr: bool,
        /// Make it for this person (a did:key), with your invitation: what
        /// an invite-only community needs (you must maintain it).
        #[arg(long, value_name = "DID")]
        invite: Option<String>,
    },
    /// Stop belonging to a community: others' listings kept for it go (its
    /// charter stays, to join again).
    Leave { community: String },
    /// As a maintainer: hide a listing (its id) or an author (a did:key)
    /// in the community, for members who follow your notes.
    Hide {
        community: String,
        /// A listing id (or its first digits) or a did:key.
        target: String,
        /// Why, in plain words: members see it.
        #[arg(long)]
        reason: String,
    },
    /// As a maintainer: lift your note on a listing or an author.
    Unhide { community: String, target: String },
    /// Apply a maintainer's hide notes again (a did:key).
    Follow { community: String, maintainer: String },
    /// Stop applying a maintainer's hide notes (a did:key).
    Unfollow { community: String, maintainer: String },
}

#[derive(Args, Debug)]
pub struct CreateArgs {
    #[arg(long)]
    name: String,
    #[arg(long, default_value = "")]
    description: String,
    /// A language tag (`en`, `pt-br`); repeat for more.
    #[arg(long = "language")]
    languages: Vec<String>,
    /// A rule in plain words; repeat for more.
    #[arg(long = "rule")]
    rules: Vec<String>,
    /// Another maintainer (a did:key), after you; repeat for more.
    #[arg(long = "maintainer")]
    maintainers: Vec<String>,
    /// Only maintainers and people they invite may publish listings.
    #[arg(long)]
    invite_only: bool,
    /// A curriculum in TOML (see the README).
    #[arg(long, value_name = "FILE")]
    curriculum: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct EditArgs {
    community: String,
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    description: Option<String>,
    /// Replace the languages (repeat for more).
    #[arg(long = "language")]
    languages: Vec<String>,
    /// Replace the rules (repeat for more).
    #[arg(long = "rule")]
    rules: Vec<String>,
    /// Add a maintainer (a did:key) at the end of the list.
    #[arg(long = "add-maintainer")]
    add_maintainers: Vec<String>,
    /// Remove a maintainer (a did:key).
    #[arg(long = "remove-maintainer")]
    remove_maintainers: Vec<String>,
    /// Only maintainers and people they invite may publish listings.
    #[arg(long, conflicts_with = "open")]
    invite_only: bool,
    /// Anyone may publish listings.
    #[arg(long)]
    open: bool,
    /// Replace the curriculum with this TOML file.
    #[arg(long, value_name = "FILE")]
    curriculum: Option<PathBuf>,
}

pub fn run(ctx: &Context, command: CommunityCommand, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    match command {
        CommunityCommand::Create(args) => create(ctx, args, out),
        CommunityCommand::Edit(args) => edit(ctx, args, out),
        CommunityCommand::List { json } => show::list(&ctx.store_to_read()?, json, out),
        CommunityCommand::Show { community, json } => {
            let store = ctx.store_to_read()?;
            let id = resolve(&store, &community)?;
            show::one(&store, &id, json, out)
        }
        CommunityCommand::Join { community } if community.trim().starts_with("agorac1") => {
            join_via(ctx, &community, out)
        }
        CommunityCommand::Join { community } => set_joined(ctx, &community, true, out),
        CommunityCommand::Ticket { community, qr, invite } => ticket(ctx, &community, qr, invite.as_deref(), out),
        CommunityCommand::Leave { community } => set_joined(ctx, &community, false, out),
        CommunityCommand::Hide { community, target, reason } => {
            moderation::hide(ctx, &community, &target, true, reason, out)
        }
        CommunityCommand::Unhide { community, target } => {
            moderation::hide(ctx, &community, &target, false, String::new(), out)
        }
        CommunityCommand::Follow { community, maintainer } => {
            moderation::follow(ctx, &community, &maintainer, true, out)
        }
        CommunityCommand::Unfollow { community, maintainer } => {
            moderation::follow(ctx, &community, &maintainer, false, out)
        }
    }
}

/// Joins or leaves: in the store, or through the agora running on the home.
fn set_joined(ctx: &Context, community: &str, joined: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let (id, name, changed) = match ctx.store() {
        Ok(store) => {
            let id = resolve(&store, community)?;
            let changed = if joined { store.join_community(&id, super::now())? } else { store.leave_community(&id)? };
            (id, charter_name(&store, &id)?, changed)
        }
        Err(e) if is_in_use(&e) => {
            let store = ctx.store_to_read()?;
            let id = resolve(&store, community)?;
            let changed = match ask_running(ctx, ControlRequest::SetJoined(id.to_hex(), joined))? {
                ControlReply::Withdrawn(changed) => changed,
                _ => bail!("the running agora gave an unexpected answer"),
            };
            (id, charter_name(&store, &id)?, changed)
        }
        Err(e) => return Err(e),
    };
    let said = match (joined, changed) {
        (true, true) => "Joined",
        (true, false) => "Already in",
        (false, true) => "Left",
        (false, false) => "Not in",
    };
    writeln!(out, "{said} {} ({})", safe(&name), id.short())?;
    Ok(ExitCode::SUCCESS)
}

fn create(ctx: &Context, args: CreateArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let identity = ctx.identity()?;
    let curriculum = match &args.curriculum {
        Some(path) => curriculum_file::read(path)?,
        None => Curriculum::default(),
    };
    let mut maintainers = vec![identity.public()];
    for did in &args.maintainers {
        let key = key_of(did)?;
        if !maintainers.contains(&key) {
            maintainers.push(key);
        }
    }
    let mut nonce = [0u8; 16];
    getrandom::fill(&mut nonce).context("drawing the community's nonce")?;
    let charter = Charter {
        founder: identity.public(),
        nonce,
        version: 1,
        previous: None,
        name: args.name.trim().to_owned(),
        description: args.description,
        languages: args.languages,
        rules: args.rules,
        maintainers,
        admission: if args.invite_only { Admission::InviteOnly } else { Admission::Open },
        curriculum,
    };
    let id = charter.id();
    publish(ctx, &identity, charter.clone())?;
    writeln!(out, "Founded {} ({})", safe(&charter.name), id.short())?;
    writeln!(out, "id: {id}")?;
    Ok(ExitCode::SUCCESS)
}

fn edit(ctx: &Context, args: EditArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let identity = ctx.identity()?;
    let store = ctx.store_to_read()?;
    let id = resolve(&store, &args.community)?;
    let held = store.charter(&id)?.context("no charter of that community is held here")?;
    if !held.value().is_maintainer(&identity.public()) {
        bail!("you are not a maintainer of {}; only they can publish its charter", safe(&held.value().name));
    }
    let mut next = Charter::next_of(&held);
    if let Some(name) = args.name {
        next.name = name.trim().to_owned();
    }
    if let Some(description) = args.description {
        next.description = description;
    }
    if !args.languages.is_empty() {
        next.languages = args.languages;
    }
    if !args.rules.is_empty() {
        next.rules = args.rules;
    }
    for did in &args.add_maintainers {
        let key = key_of(did)?;
        if !next.maintainers.contains(&key) {
            next.maintainers.push(key);
        }
    }
    for did in &args.remove_maintainers {
        let key = key_of(did)?;
        next.maintainers.retain(|m| *m != key);
    }
    if next.maintainers.is_empty() {
        bail!("a community needs at least one maintainer");
    }
    if args.invite_only {
        next.admission = Admission::InviteOnly;
    } else if args.open {
        next.admission = Admission::Open;
    }
    if let Some(path) = &args.curriculum {
        next.curriculum = curriculum_file::read(path)?;
    }
    if next == Charter::next_of(&held) {
        bail!("nothing to change: give --name, --rule, --add-maintainer, --curriculum …");
    }
    drop(store);
    publish(ctx, &identity, next.clone())?;
    writeln!(out, "Published version {} of {} ({})", next.version, safe(&next.name), id.short())?;
    Ok(ExitCode::SUCCESS)
}

/// Signs and keeps a charter version: in the store, or through the agora
/// running on the home (whose members then fetch it).
fn publish(ctx: &Context, identity: &crate::identity::Identity, charter: Charter) -> anyhow::Result<()> {
    match ctx.store() {
        Ok(store) => {
            let id = charter.id();
            let signed = seal(identity, &charter, super::now()).context("the charter")?;
            stored(store.put_charter(&id, &signed)?)?;
            if charter.version == 1 {
                store.join_community(&id, super::now())?;
            }
            Ok(())
        }
        Err(e) if is_in_use(&e) => match ask_running(ctx, ControlRequest::PublishCharter(Box::new(charter)))? {
            ControlReply::Done => Ok(()),
            _ => bail!("the running agora gave an unexpected answer"),
        },
        Err(e) => Err(e),
    }
}

/// Joins through a community ticket, by the running agora.
fn join_via(ctx: &Context, text: &str, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let ticket: crate::community::ticket::CommunityTicket = text.parse()?;
    if !ctx.node_running()? {
        bail!("joining by a ticket fetches the charter over the network: start `agora serve` (or the app) first");
    }
    let member = crate::identity::PublicKey::from(*ticket.member.addr.id.as_bytes());
    match ask_running(ctx, ControlRequest::JoinVia(text.trim().to_owned()))? {
        ControlReply::Withdrawn(_) => {}
        _ => bail!("the running agora gave an unexpected answer"),
    }
    writeln!(
        out,
        "Joined community {}; its charter is being fetched from {} (see `agora community show {}`)",
        ticket.community.short(),
        member.fingerprint(),
        ticket.community.short()
    )?;
    Ok(ExitCode::SUCCESS)
}

/// A community ticket: the community and this node's own ticket, and for
/// `invite`, this maintainer's invitation of that person.
fn ticket(
    ctx: &Context,
    community: &str,
    qr: bool,
    invite: Option<&str>,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let store = ctx.store_to_read()?;
    let id = resolve(&store, community)?;
    let invitation = match invite {
        Some(did) => {
            let identity = ctx.identity()?;
            Some(crate::node::community::invite(&store, &identity, &id, key_of(did)?, super::now())?)
        }
        None => None,
    };
    drop(store);
    if !ctx.node_running()? {
        bail!("no agora is running on this home; start `agora serve` (or the app) and ask again");
    }
    let ControlReply::Ticket(own) = ask_running(ctx, ControlRequest::Ticket)? else {
        bail!("the running agora answered something else than its ticket");
    };
    let ticket = crate::community::ticket::CommunityTicket { community: id, member: own.parse()?, invitation };
    let text = ticket.to_string();
    writeln!(out, "{text}")?;
    if qr {
        let code = qrcode::QrCode::new(text.as_bytes()).context("making the QR code")?;
        writeln!(out, "{}", code.render::<qrcode::render::unicode::Dense1x2>().quiet_zone(true).build())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn stored(outcome: CharterStored) -> anyhow::Result<()> {
    match outcome {
        CharterStored::Kept => Ok(()),
        CharterStored::Refused(refusal) => bail!("the charter was refused: {refusal}"),
        CharterStored::Full => bail!("this community has as many charter versions as a node keeps"),
    }
}

pub(super) fn writable(ctx: &Context) -> anyhow::Result<Store> {
    match ctx.store() {
        Ok(store) => Ok(store),
        Err(e) if is_in_use(&e) => {
            bail!("community commands write the store: stop the agora running on this home first")
        }
        Err(e) => Err(e),
    }
}

fn key_of(did: &str) -> anyhow::Result<PublicKey> {
    public_from_did_key(did.trim()).with_context(|| format!("`{}` is not a did:key", safe(did)))
}

fn charter_name(store: &Store, id: &CommunityId) -> anyhow::Result<String> {
    Ok(store.charter(id)?.map(|c| c.value().name.clone()).unwrap_or_else(|| "(charter not held yet)".into()))
}

/// A community by its id, the first (at least 4) hex digits of it, or its
/// name (whatever the case); anything matching several is refused.
pub(super) fn resolve(store: &Store, wanted: &str) -> anyhow::Result<CommunityId> {
    let typed = wanted.trim().to_lowercase();
    let mut matches = Vec::new();
    // Communities joined by a ticket whose charter never came count too,
    // so they can be left.
    let mut ids = store.known_communities()?;
    for id in store.joined_communities()? {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    for id in ids {
        let by_id = typed.len() >= 4 && id.to_hex().starts_with(&typed);
        let by_name = store.charter(&id)?.is_some_and(|c| c.value().name.to_lowercase() == typed);
        if by_id || by_name {
            matches.push(id);
        }
    }
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => bail!("no community `{}` is known here: see `agora community list`", safe(wanted)),
        _ => bail!("`{}` names {} communities; give more of the id", safe(wanted), matches.len()),
    }
}
