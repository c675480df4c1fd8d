//! `agora session`: every step the client takes on a session, from the
//! command line, against the agora running on this home (`agora serve` or
//! the client), under the same rules (turns, the debt limit on accepting,
//! approval of the exact record before signing). For scripts: `--json`
//! prints one object, and the exit code is 0 when the step was taken, 1
//! when the node or the other side's rules refused it, 2 when the command
//! could not run (bad input, no agora running, an unknown id).

mod show;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use super::{Context, EXIT_INVALID};
use crate::app::parse_local;
use crate::endorse::consent::RecordDigest;
use crate::endorse::cosign::Attestation;
use crate::market::{Action, ListingRef, Negotiation, Role, Terms};
use crate::node::record::{Stage, progress};
use crate::node::{ControlReply, ControlRequest, SessionRequest};
use crate::store::Store;
use crate::text::{safe, to_json_line};

#[derive(clap::Args, Debug)]
pub struct Target {
    /// The session: the first hex digits of its id (as `agora session list` shows).
    pub id: String,
    /// One JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Debug)]
pub struct When {
    /// The start, in your profile's time zone: "2026-12-12 14:45".
    #[arg(long)]
    pub at: String,
    /// How long, in minutes.
    #[arg(long, default_value_t = 60)]
    pub minutes: u16,
    /// What the session is about.
    #[arg(long, default_value = "")]
    pub topic: String,
}

#[derive(clap::Subcommand, Debug)]
pub enum SessionCommand {
    /// Your sessions, newest first, with whose move it is.
    List(super::sessions::SessionsArgs),
    /// One session: terms, whose move, what comes next, the record waiting
    /// for your signature (word for word, with its digest), and the chat.
    Show(Target),
    /// Propose a session on someone's listing (LISTING: its id's first hex digits).
    Propose {
        listing: String,
        #[command(flatten)]
        when: When,
        #[arg(long)]
        json: bool,
    },
    /// Accept the proposal or counter-offer waiting for you.
    Accept(Target),
    /// Answer with other terms.
    Counter {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        when: When,
    },
    /// Move an agreed session to another time (the other side answers).
    Reschedule {
        #[command(flatten)]
        target: Target,
        #[command(flatten)]
        when: When,
    },
    /// Decline a proposal; or, as the learner, the teacher's draft of the
    /// record (then a reason is needed, so the teacher can revise it).
    Decline {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Call off an agreed session.
    Cancel {
        #[command(flatten)]
        target: Target,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Start the session (when its time has come).
    Start(Target),
    /// Mark the session done (at least half its agreed length after it started).
    Complete(Target),
    /// As the learner: your rating and words for the record.
    Review {
        #[command(flatten)]
        target: Target,
        /// 1 to 5.
        #[arg(long)]
        rating: u8,
        #[arg(long)]
        words: String,
    },
    /// As the teacher: what the session covered and what the learner showed.
    Attest {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        covered: String,
        #[arg(long)]
        showed: String,
    },
    /// Sign the record waiting for you. Without --digest it is printed and
    /// you are asked (on a terminal); scripts pass the digest that
    /// `agora session show ID --json` printed, which signs that record only.
    Approve {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        digest: Option<String>,
    },
    /// Send a message in the session's chat.
    Chat {
        #[command(flatten)]
        target: Target,
        text: String,
    },
}

pub fn run(ctx: &Context, command: SessionCommand, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    match command {
        SessionCommand::List(args) => super::sessions::run(ctx, args, out),
        SessionCommand::Show(target) => show::run(ctx, &target, out),
        SessionCommand::Propose { listing, when, json } => propose(ctx, &listing, &when, json, out),
        SessionCommand::Accept(t) => act(ctx, &t, |_| Ok(Action::Accept), out),
        SessionCommand::Counter { target, when } => {
            act(ctx, &target, |ctx| Ok(Action::Counter { terms: terms(ctx, &when, &target.id)? }), out)
        }
        SessionCommand::Reschedule { target, when } => {
            act(ctx, &target, |ctx| Ok(Action::Reschedule { terms: terms(ctx, &when, &target.id)? }), out)
        }
        SessionCommand::Decline { target, reason } => decline(ctx, &target, reason, out),
        SessionCommand::Cancel { target, reason } => act(ctx, &target, |_| Ok(Action::Cancel { reason }), out),
        SessionCommand::Start(t) => act(ctx, &t, |_| Ok(Action::Start), out),
        SessionCommand::Complete(t) => act(ctx, &t, |_| Ok(Action::Complete), out),
        SessionCommand::Review { target, rating, words } => {
            let id = session(ctx, &target.id)?.id;
            step(ctx, &target, SessionRequest::Review(id, rating, words), "Review sent", out)
        }
        SessionCommand::Attest { target, covered, showed } => {
            let id = session(ctx, &target.id)?.id;
            let request = SessionRequest::Attest(id, Attestation { covered, showed });
            step(ctx, &target, request, "Your part is kept; read the record with `agora session show`", out)
        }
        SessionCommand::Approve { target, digest } => approve(ctx, &target, digest, out),
        SessionCommand::Chat { target, text } => {
            let id = session(ctx, &target.id)?.id;
            step(ctx, &target, SessionRequest::Chat(id, text), "Sent", out)
        }
    }
}

/// The session whose id starts with `prefix` (one, or an error naming why).
fn session(ctx: &Context, prefix: &str) -> anyhow::Result<Negotiation> {
    let prefix = prefix.trim().to_ascii_lowercase();
    if prefix.len() < 4 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("`{}` is not a session id (its first hex digits, at least 4)", safe(&prefix));
    }
    let store = ctx.store_to_read()?;
    let mut found: Vec<Negotiation> =
        store.negotiations()?.into_iter().filter(|n| n.id.to_hex().starts_with(&prefix)).collect();
    match found.len() {
        0 => bail!("no session {prefix} here (see `agora session list`)"),
        1 => Ok(found.remove(0)),
        n => bail!("{n} sessions start with {prefix}; give more digits"),
    }
}

fn terms(ctx: &Context, when: &When, id: &str) -> anyhow::Result<Terms> {
    let price = session(ctx, id)?.current_terms().map(|t| t.price.clone()).unwrap_or(crate::market::Price::Free);
    new_terms(ctx, when, price)
}

fn new_terms(ctx: &Context, when: &When, price: crate::market::Price) -> anyhow::Result<Terms> {
    let config = ctx.config()?;
    let zone = ctx.time_zone(&config);
    let tz = jiff::tz::TimeZone::get(&zone).with_context(|| format!("time zone {zone}"))?;
    let start = parse_local(&when.at, &tz).map_err(|e| anyhow::anyhow!("--at: {e}"))?;
    let terms = Terms { start, duration_minutes: when.minutes, price, topic: when.topic.clone() };
    terms.validate().map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(terms)
}

fn propose(ctx: &Context, listing: &str, when: &When, json: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let prefix = listing.trim().to_ascii_lowercase();
    let store = ctx.store_to_read()?;
    let mut found: Vec<_> = store
        .seen_listings(super::now())?
        .into_iter()
        .filter(|l| l.value().id.to_hex().starts_with(&prefix) && prefix.len() >= 4)
        .collect();
    let listing = match found.len() {
        0 => bail!("no listing {} here (see `agora listings`)", safe(&prefix)),
        1 => found.remove(0),
        n => bail!("{n} listings start with {}; give more digits", safe(&prefix)),
    };
    let terms = new_terms(ctx, when, listing.value().price.clone())?;
    let target = ListingRef { author: listing.author(), id: listing.value().id };
    let reply = ask(ctx, SessionRequest::Propose(target, terms))?;
    finish(ctx, &store, reply, json, "Proposed", out)
}

fn act(
    ctx: &Context,
    target: &Target,
    action: impl FnOnce(&Context) -> anyhow::Result<Action>,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let n = session(ctx, &target.id)?;
    let action = action(ctx)?;
    let what = action.done();
    let store = ctx.store_to_read()?;
    let reply = ask(ctx, SessionRequest::Act(n.id, action))?;
    finish(ctx, &store, reply, target.json, what, out)
}

fn decline(ctx: &Context, target: &Target, reason: String, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let n = session(ctx, &target.id)?;
    let store = ctx.store_to_read()?;
    let me = ctx.identity()?.public();
    if let (Some(Role::Learner), Stage::Approve(record)) =
        (n.role_of(&me), progress(&store, &me, &n, super::now())?.stage)
    {
        if reason.trim().is_empty() {
            bail!("say what should change, with --reason, so the teacher can revise the record");
        }
        let request = SessionRequest::DeclineRecord(n.id, record.digest, reason);
        return step(ctx, target, request, "Declined the record; the teacher reads why", out);
    }
    let reply = ask(ctx, SessionRequest::Act(n.id, Action::Decline { reason }))?;
    finish(ctx, &store, reply, target.json, "Declined", out)
}

fn approve(ctx: &Context, target: &Target, digest: Option<String>, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let n = session(ctx, &target.id)?;
    let store = ctx.store_to_read()?;
    let me = ctx.identity()?.public();
    let Stage::Approve(record) = progress(&store, &me, &n, super::now())?.stage else {
        bail!("no record waits for your signature in session {} (see `agora session show`)", n.id.short());
    };
    let seen = match digest {
        Some(text) => text.parse::<RecordDigest>().map_err(|e| anyhow::anyhow!("--digest: {e}"))?,
        None if std::io::stdin().is_terminal() => {
            let config = ctx.config()?;
            let tz = jiff::tz::TimeZone::get(&ctx.time_zone(&config)).unwrap_or(jiff::tz::TimeZone::UTC);
            show::record(&record, &tz, out)?;
            write!(out, "Sign exactly this record with your key? [y/N] ")?;
            out.flush()?;
            let mut answer = String::new();
            std::io::stdin().read_line(&mut answer)?;
            if !matches!(answer.trim(), "y" | "Y" | "yes") {
                writeln!(out, "Not signed.")?;
                return Ok(ExitCode::from(EXIT_INVALID));
            }
            record.digest
        }
        None => {
            bail!("pass --digest (printed by `agora session show {} --json`) to sign without a terminal", n.id.short())
        }
    };
    step(ctx, target, SessionRequest::Approve(n.id, seen), "Signed the record you read", out)
}

/// A step whose reply is "done": one line, or one JSON object.
fn step(
    ctx: &Context,
    target: &Target,
    request: SessionRequest,
    said: &str,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let n = session(ctx, &target.id)?;
    match ask(ctx, request)? {
        Ok(_) if target.json => {
            writeln!(out, "{}", to_json_line(&serde_json::json!({ "id": n.id.to_hex(), "done": said }))?)?
        }
        Ok(_) => writeln!(out, "{said}")?,
        Err(code) => return Ok(code),
    }
    Ok(ExitCode::SUCCESS)
}

/// The session as it stands after a step: a line, or the JSON of `agora sessions`.
fn finish(
    ctx: &Context,
    store: &Store,
    reply: Result<ControlReply, ExitCode>,
    json: bool,
    said: &str,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let n = match reply {
        Ok(ControlReply::Negotiation(n)) => n,
        Ok(_) => {
            writeln!(out, "{said}")?;
            return Ok(ExitCode::SUCCESS);
        }
        Err(code) => return Ok(code),
    };
    let me = ctx.identity()?.public();
    if json {
        let config = ctx.config()?;
        let tz = jiff::tz::TimeZone::get(&ctx.time_zone(&config)).unwrap_or(jiff::tz::TimeZone::UTC);
        writeln!(out, "{}", to_json_line(&super::sessions::line(store, &n, &me, &tz, super::now()))?)?;
    } else {
        writeln!(out, "{said}: session {} is now {}", n.id.short(), n.phase.name())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Asks the running agora; a refusal is one line on stderr and exit code 1.
fn ask(ctx: &Context, request: SessionRequest) -> anyhow::Result<Result<ControlReply, ExitCode>> {
    if !ctx.node_running()? {
        bail!("no agora runs on this home: start `agora serve` (or the client) first");
    }
    match super::control::ask_raw(ctx, ControlRequest::Session(request))? {
        ControlReply::Failed(reason) => {
            eprintln!("refused: {}", safe(&reason));
            Ok(Err(ExitCode::from(EXIT_INVALID)))
        }
        reply => Ok(Ok(reply)),
    }
}
