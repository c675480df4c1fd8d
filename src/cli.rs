//! The command line: `agora [--home DIR] [COMMAND]`. Every failure is one
//! line on stderr and a non-zero exit code.

mod client;
mod community;
mod context;
mod control;
mod credits;
mod endorsements;
mod goal;
mod hub;
mod id;
mod listing;
mod listings;
mod logging;
mod peers;
mod port;
mod portfolio;
mod reputation;
mod serve;
mod session;
mod sessions;
mod show;
mod ticket;
mod verify;
mod verify_json;
mod verify_presentation;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use crate::text;

pub use context::Context;
pub use show::clip;
pub use show::safe_row;
pub use show::short_id;

#[derive(Parser, Debug)]
#[command(name = "agora", version, about = "A peer-to-peer tutoring marketplace with co-signed learning records")]
pub struct Args {
    /// Keep key, config, store and logs in DIR (one instance per directory).
    #[arg(long, global = true, env = "AGORA_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,
    /// Open the client beside a living demo marketplace of invented peers,
    /// all on this machine (in a throwaway home unless --home is given).
    #[arg(long)]
    pub demo: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Show your identity: did:key, fingerprint and endpoint id.
    Id(id::IdArgs),
    /// Publish and manage your offers and requests.
    #[command(subcommand)]
    Listing(listing::ListingCommand),
    /// The marketplace as this peer sees it (works while an agora runs).
    Listings(listings::ListingsArgs),
    /// Your sessions: proposals, agreed, in progress and past.
    Sessions(sessions::SessionsArgs),
    /// Take a step in a session, as the client would, through the agora
    /// running on this home (list, show, propose, accept, counter, decline,
    /// cancel, reschedule, start, complete, review, attest, approve, chat).
    #[command(subcommand)]
    Session(session::SessionCommand),
    /// Peers you have met (names from their signed profiles).
    Peers {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Drop a peer's messages and listings: PEER is a did:key, a fingerprint or a name.
    Block { peer: String },
    /// Let a blocked peer back in.
    Unblock { peer: String },
    /// Where someone stands with you: trust rank, the paths that explain it,
    /// and their sessions per skill. Counts the endorsements in your own
    /// store only; the terminal client also counts the portfolios it fetches.
    Reputation {
        /// A did:key, a fingerprint or a name.
        peer: String,
        /// One JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Count a peer's sessions as if they were in your circle (config.toml `[trust] pinned`).
    Pin { peer: String },
    /// Stop counting a pinned peer as in your circle.
    Unpin { peer: String },
    /// Your co-signed endorsements.
    #[command(subcommand)]
    Endorsements(endorsements::EndorsementsCommand),
    /// A presentation of your endorsements for wallets and verifiers.
    #[command(subcommand)]
    Portfolio(portfolio::PortfolioCommand),
    /// Your time credits: hours taught minus hours learned, from co-signed endorsements.
    Credits(credits::CreditsArgs),
    /// Verify an endorsement or a presentation offline (exit code 0 only if all of it verifies).
    Verify(verify::VerifyArgs),
    /// Run the node without the terminal client (logs to stdout).
    Serve(serve::ServeArgs),
    /// Print the running node's contact ticket.
    Ticket {
        /// Also draw it as a QR code.
        #[arg(long)]
        qr: bool,
    },
    /// Meet a peer by its ticket: join its communities and pull its directory.
    Connect { ticket: String },
    /// Communities as signed charters: create, edit, list, show, join, leave.
    #[command(subcommand)]
    Community(community::CommunityCommand),
    /// Your learning goals and the way to each through a curriculum.
    #[command(subcommand)]
    Goal(goal::GoalCommand),
    /// For a hub: validate a learner's presented sessions and sign what was found.
    #[command(subcommand)]
    Hub(hub::HubCommand),
}

impl Command {
    /// Whether the command works on an existing home only (it reads it, or
    /// asks the agora running there); the others may start a new one.
    fn needs_a_home(&self) -> bool {
        match self {
            Command::Listing(listing::ListingCommand::Add(_)) | Command::Id(_) | Command::Serve(_) => false,
            Command::Verify(_) | Command::Connect { .. } => false,
            Command::Listing(_)
            | Command::Listings(_)
            | Command::Sessions(_)
            | Command::Session(_)
            | Command::Peers { .. }
            | Command::Block { .. }
            | Command::Unblock { .. }
            | Command::Reputation { .. }
            | Command::Pin { .. }
            | Command::Unpin { .. }
            | Command::Endorsements(_)
            | Command::Portfolio(_)
            | Command::Credits(_)
            | Command::Ticket { .. } => true,
            Command::Community(community::CommunityCommand::Create(_)) => false,
            Command::Community(_) | Command::Goal(_) => true,
            Command::Hub(_) => true,
        }
    }
}

/// Exit code for a command that ran but found something invalid.
pub const EXIT_INVALID: u8 = 1;
/// Exit code for a usage or environment error.
pub const EXIT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
    let launched = std::time::Instant::now();
    private_by_default();
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(EXIT_ERROR) } else { ExitCode::SUCCESS };
        }
    };
    match run(args, launched) {
        Ok(code) => code,
        // The reader went away (`agora listings | head`): nothing to say.
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        // A mistake in config.toml: where it is, on lines of their own, as
        // toml shows it (line, column, the line itself and a caret).
        Err(e) if config_error(&e).is_some() => {
            for (i, line) in config_error(&e).unwrap_or_default().lines().enumerate() {
                let line = text::escape(line.trim_end());
                if i == 0 { eprintln!("error: {line}") } else { eprintln!("  {line}") }
            }
            ExitCode::from(EXIT_ERROR)
        }
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// Everything agora creates (store, logs, exports, sockets, temporary
/// files) is for its owner only: the process's umask gains 0077, as ssh
/// and gpg do. The files and directories that matter also get their mode
/// set explicitly (see [`crate::files`]).
fn private_by_default() {
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        let old = rustix::process::umask(Mode::from_raw_mode(0o077));
        rustix::process::umask(old | Mode::from_raw_mode(0o077));
    }
}

fn run(args: Args, launched: std::time::Instant) -> anyhow::Result<ExitCode> {
    if args.demo && args.command.is_some() {
        anyhow::bail!("--demo opens the terminal client; use it without a command");
    }
    // The demo keeps its data in a throwaway home unless told otherwise.
    let throwaway = match (&args.home, args.demo) {
        (None, true) => Some(tempfile::tempdir().context("making a home for the demo")?),
        _ => None,
    };
    let home = args.home.or_else(|| throwaway.as_ref().map(|t| t.path().to_path_buf()));
    let ctx = Context::new(home)?;
    // A command that only reads or asks a running agora never makes a new
    // home (and with it a new identity) out of a mistyped --home.
    if args.command.as_ref().is_some_and(Command::needs_a_home) && !ctx.home.data_dir().exists() {
        anyhow::bail!(
            "no agora home at {}: check --home (or AGORA_HOME); `agora id` creates one",
            text::safe(ctx.home.data_dir().display())
        );
    }
    // Commands that need the directory fail later, with the reason.
    if let Ok(Some(mode)) = ctx.home.ensure_data_dir() {
        eprintln!(
            "note: {} was open to other users (mode {mode:04o}); made it private (0700)",
            text::safe(ctx.home.data_dir().display())
        );
    }
    // `serve` logs to stdout; everything else to the log file.
    if matches!(args.command, Some(Command::Serve(_))) {
        logging::init_stdout();
    } else {
        logging::init(&ctx);
    }
    // Not locked for the whole command: `serve`'s log lines share stdout.
    let mut out = std::io::stdout();
    let result = command(&ctx, args.command, args.demo, launched, &mut out);
    ctx.report_damage();
    result
}

fn command(
    ctx: &Context,
    command: Option<Command>,
    demo: bool,
    launched: std::time::Instant,
    out: &mut std::io::Stdout,
) -> anyhow::Result<ExitCode> {
    match command {
        None => client::run(ctx, demo, launched),
        Some(Command::Id(a)) => id::run(ctx, a, out),
        Some(Command::Listing(c)) => listing::run(ctx, c, out),
        Some(Command::Listings(a)) => listings::run(ctx, a, out),
        Some(Command::Sessions(a)) => sessions::run(ctx, a, out),
        Some(Command::Session(c)) => session::run(ctx, c, out),
        Some(Command::Peers { json }) => peers::list(ctx, json, out),
        Some(Command::Block { peer }) => peers::set_blocked(ctx, &peer, true, out),
        Some(Command::Unblock { peer }) => peers::set_blocked(ctx, &peer, false, out),
        Some(Command::Reputation { peer, json }) => reputation::show(ctx, &peer, json, out),
        Some(Command::Pin { peer }) => reputation::set_pinned(ctx, &peer, true, out),
        Some(Command::Unpin { peer }) => reputation::set_pinned(ctx, &peer, false, out),
        Some(Command::Endorsements(c)) => endorsements::run(ctx, c, out),
        Some(Command::Portfolio(c)) => portfolio::run(ctx, c, out),
        Some(Command::Credits(a)) => credits::run(ctx, a, out),
        Some(Command::Verify(a)) => verify::run(a, out),
        Some(Command::Serve(serve_args)) => serve::run(ctx, serve_args, out),
        Some(Command::Ticket { qr }) => ticket::show(ctx, qr, out),
        Some(Command::Connect { ticket }) => ticket::connect(ctx, &ticket, out),
        Some(Command::Community(c)) => community::run(ctx, c, out),
        Some(Command::Goal(c)) => goal::run(ctx, c, out),
        Some(Command::Hub(c)) => hub::run(ctx, c, out),
    }
}

/// The text of a config.toml error in `error`, when that is what it is.
fn config_error(error: &anyhow::Error) -> Option<String> {
    error.chain().find_map(|cause| match cause.downcast_ref::<crate::config::ConfigError>()? {
        invalid @ crate::config::ConfigError::Invalid { .. } => Some(invalid.to_string()),
        _ => None,
    })
}

fn broken_pipe(error: &anyhow::Error) -> bool {
    error
        .chain()
        .any(|cause| cause.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}

/// Joins an error and its causes into one line, escaped: errors quote
/// input (a file's field, a peer's reason).
fn one_line(error: &anyhow::Error) -> String {
    let joined = format!("{error:#}").split_whitespace().collect::<Vec<_>>().join(" ");
    text::escape(&joined).into_owned()
}

/// The time the commands go by: the system clock (in debug builds, shifted
/// by `AGORA_TEST_CLOCK_FILE`, as the node's clock is; see
/// [`crate::node::Clock::from_env`]).
pub fn now() -> jiff::Timestamp {
    crate::node::Clock::from_env().now()
}
