//! `agora hub validate PRESENTATION`: a hub (a school, a library, a
//! makerspace) checks a learner's presentation of co-signed endorsements
//! (every proof, and the learner's binding to the hub's challenge), counts
//! them in a skill or along a curriculum's path against its `[hub]`
//! policy, and signs an Open Badges `EndorsementCredential` saying what it
//! verified. The operator reads it before it is signed, unless the policy
//! says `approval = "automatic"`.

use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};

use super::community::resolve;
use super::{Context, EXIT_INVALID};
use crate::community::hub::{Policy, Scope, assess};
use crate::config::Approval;
use crate::endorse::presentation::{Binding, MAX_PRESENTATION_BYTES, inspect_presentation};
use crate::endorse::validation::{Validation, issue};
use crate::endorse::{Party, Suites};
use crate::text::safe;

#[derive(Subcommand, Debug)]
pub enum HubCommand {
    /// Validate a learner's presented endorsements and sign what was found.
    Validate(ValidateArgs),
    /// As a learner: ask a hub running `agora serve --hub` to validate your
    /// sessions in a skill or along a path; what it signs is kept (needs a
    /// running agora).
    Ask(AskArgs),
}

#[derive(Args, Debug)]
pub struct AskArgs {
    /// The hub's ticket (`agora1…`).
    ticket: String,
    /// Your sessions in this skill.
    #[arg(long, conflicts_with = "path")]
    skill: Option<String>,
    /// Your sessions on the way to a goal: COMMUNITY SKILL.
    #[arg(long, num_args = 2, value_names = ["COMMUNITY", "SKILL"])]
    path: Option<Vec<String>>,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// The learner's presentation (`agora portfolio export`).
    presentation: PathBuf,
    /// Count the sessions in this skill.
    #[arg(long, conflicts_with = "path")]
    skill: Option<String>,
    /// Count the sessions on the way to a goal: COMMUNITY SKILL.
    #[arg(long, num_args = 2, value_names = ["COMMUNITY", "SKILL"])]
    path: Option<Vec<String>>,
    /// The challenge you gave the learner (their proof must carry it).
    #[arg(long)]
    challenge: Option<String>,
    /// The domain you gave the learner.
    #[arg(long)]
    domain: Option<String>,
    /// Write the validation here instead of to stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Sign without asking (the operator has read what is signed).
    #[arg(long)]
    yes: bool,
}

pub fn run(ctx: &Context, command: HubCommand, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    match command {
        HubCommand::Validate(args) => validate(ctx, args, out),
        HubCommand::Ask(args) => ask(ctx, args, out),
    }
}

/// Presents the learner's endorsements in the skill (or along the path)
/// to the hub, bound to it, and keeps what it signs.
fn ask(ctx: &Context, args: AskArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    use crate::endorse::data_integrity::Cryptosuite;
    use crate::endorse::presentation::present;
    use crate::node::hub::{Ask, HubRequest, binding_for, presentable, scope_of};
    use crate::node::{ControlReply, ControlRequest};
    let ticket: crate::net::Ticket = args.ticket.trim().parse()?;
    let hub = crate::identity::PublicKey::from(*ticket.addr.id.as_bytes());
    let store = ctx.store_to_read()?;
    let me = ctx.identity()?;
    let now = super::now();
    let ask = match (&args.skill, &args.path) {
        (Some(skill), None) => Ask::Skill(skill.trim().to_lowercase()),
        (None, Some(path)) => Ask::Path(resolve(&store, &path[0])?, path[1].trim().to_lowercase()),
        _ => bail!("say what to validate: --skill SKILL, or --path COMMUNITY SKILL"),
    };
    // Only what is asked about: the sessions you learned in those skills.
    let skills = scope_of(&store, &ask).map_err(|e| anyhow::anyhow!("{}", safe(&e)))?.skills();
    let picked = presentable(&store, &me.public(), &skills, now)
        .map_err(|e| anyhow::anyhow!("{} (see `agora endorsements list`)", safe(&e)))?;
    drop(store);
    let presentation = present(&me, &picked, Cryptosuite::Jcs, &binding_for(&hub, now), now)?;
    let request = postcard::to_stdvec(&HubRequest { presentation, ask })?;
    if !ctx.node_running()? {
        bail!("asking a hub goes over the network: start `agora serve` (or the app) first");
    }
    match super::control::ask_running(ctx, ControlRequest::AskHub(args.ticket.trim().to_owned(), request))? {
        ControlReply::Said(statement) => {
            writeln!(out, "Validated by {}: {}", hub.fingerprint(), safe(&statement))?;
            writeln!(out, "Kept beside your endorsements (see `agora portfolio validations`).")?;
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!("the running agora gave an unexpected answer"),
    }
}

fn validate(ctx: &Context, args: ValidateArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let hub = ctx.identity()?;
    let now = super::now();
    let size = std::fs::metadata(&args.presentation)
        .with_context(|| format!("reading {}", args.presentation.display()))?
        .len();
    if size > MAX_PRESENTATION_BYTES as u64 {
        bail!(
            "{}: {size} bytes; a presentation may have at most {MAX_PRESENTATION_BYTES}",
            args.presentation.display()
        );
    }
    let bytes =
        std::fs::read(&args.presentation).with_context(|| format!("reading {}", args.presentation.display()))?;
    let request = Binding { challenge: args.challenge.clone(), domain: args.domain.clone() };
    let report = inspect_presentation(&bytes, now, &request, Suites::All);
    if !report.is_valid() {
        let why = report.problems.first().map(|p| p.to_string()).unwrap_or_else(|| "it presents nothing".into());
        writeln!(out, "refused: the presentation does not verify: {}", safe(&why))?;
        return Ok(ExitCode::from(EXIT_INVALID));
    }
    let Some(learner) = report.holder else { bail!("the presentation names no holder") };
    let endorsements = report.learned();
    let scope = match (&args.skill, &args.path) {
        (Some(skill), None) => Scope::Skill(skill.trim().to_lowercase()),
        (None, Some(path)) => {
            let store = ctx.store_to_read()?;
            let id = resolve(&store, &path[0])?;
            let charter = store.charter(&id)?.context("no charter of that community is held here")?;
            Scope::path(charter.value(), &path[1]).map_err(|e| anyhow::anyhow!("{}", safe(&e)))?
        }
        _ => bail!("say what to validate: --skill SKILL, or --path COMMUNITY SKILL"),
    };
    let policy = Policy {
        min_sessions: config.hub.min_sessions,
        min_hours: config.hub.min_hours,
        min_teachers: config.hub.min_teachers,
    };
    let assessment = assess(&learner, &endorsements, &scope, &policy);
    if !assessment.shortfalls.is_empty() {
        writeln!(out, "refused: {}: {}", safe(&assessment.statement), safe(&assessment.shortfalls.join("; ")))?;
        return Ok(ExitCode::from(EXIT_INVALID));
    }
    let hub_name = if config.hub.name.is_empty() { config.profile.name.clone() } else { config.hub.name.clone() };
    if hub_name.trim().is_empty() {
        bail!("name the hub first: [hub] name (or [profile] name) in config.toml");
    }
    let learner_name =
        endorsements.iter().find(|e| e.learner.key == learner).map(|e| e.learner.name.clone()).unwrap_or_default();
    let validation = Validation {
        id: format!("urn:uuid:{}", uuid::Uuid::from_bytes(random_bytes()?)),
        hub: Party { key: hub.public(), name: hub_name },
        learner: Party { key: learner, name: learner_name },
        scope: assessment.scope.clone(),
        statement: assessment.statement.clone(),
        evidence: assessment.evidence.clone(),
        issued: now,
    };
    if config.hub.approval == Approval::Ask && !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!("[hub] approval is \"ask\": run on a terminal to read and confirm it, or pass --yes");
        }
        let mut tty = std::io::stderr();
        writeln!(
            tty,
            "{} ({}) validates for {}:",
            safe(&validation.hub.name),
            hub.public().fingerprint(),
            safe(&validation.learner.name)
        )?;
        writeln!(tty, "  {}", safe(&validation.statement))?;
        writeln!(tty, "  evidence: {} co-signed endorsements", validation.evidence.len())?;
        write!(tty, "Sign this validation with the hub's key? [y/N] ")?;
        tty.flush()?;
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            writeln!(tty, "Not signed.")?;
            return Ok(ExitCode::from(EXIT_INVALID));
        }
    }
    let signed = issue(&validation, &hub, now)?;
    match &args.out {
        Some(path) => {
            crate::files::write_private(path, &signed).with_context(|| format!("writing {}", path.display()))?;
            writeln!(out, "Validated: {} (written to {})", safe(&validation.statement), path.display())?;
        }
        None => out.write_all(&signed)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn random_bytes() -> anyhow::Result<[u8; 16]> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).context("drawing the validation's id")?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Ok(bytes)
}
