//! `agora portfolio export`: a Verifiable Presentation of the endorsements
//! you pick, signed by you, for a wallet, an employer or a school.
//! `agora portfolio import` and `validations`: hubs' validations of your
//! learning, kept beside your endorsements.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use jiff::Timestamp;

use super::Context;
use crate::endorse::data_integrity::Cryptosuite;
use crate::endorse::presentation::{Binding, Selection, present_with};
use crate::market::Role;
use crate::text::safe;

#[derive(Subcommand, Debug)]
pub enum PortfolioCommand {
    /// Write a presentation of your endorsements, signed by you.
    Export(ExportArgs),
    /// Keep a hub's validation of your learning (`agora hub validate`'s
    /// file), beside your endorsements; it must verify and be about you.
    Import { file: std::path::PathBuf },
    /// The hubs' validations you keep.
    Validations {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Only this skill.
    #[arg(long)]
    pub skill: Option<String>,
    /// Only sessions since this date (`2026-01-31`, UTC) or moment (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only sessions where you were the learner, or the teacher.
    #[arg(long = "as", value_enum, value_name = "ROLE")]
    pub role: Option<RoleArg>,
    /// Only this endorsement, or this hub's validation (id or unique
    /// prefix); repeat for more.
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// Also endorsements you hid from your public portfolio.
    #[arg(long)]
    pub include_private: bool,
    /// Also the hubs' validations of the endorsements picked (see `agora
    /// portfolio validations`).
    #[arg(long)]
    pub with_validations: bool,
    /// The verifier's challenge, so they know the presentation is fresh.
    #[arg(long)]
    pub challenge: Option<String>,
    /// The verifier it is meant for (e.g. their web domain).
    #[arg(long)]
    pub domain: Option<String>,
    /// The holder proof's cryptosuite. The credentials inside keep all
    /// their proofs either way.
    #[arg(long, value_enum, default_value = "jcs")]
    pub suite: SuiteArg,
    /// Where to write it; `-` for standard output.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Learner,
    Teacher,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SuiteArg {
    Rdfc,
    Jcs,
}

pub fn run(ctx: &Context, command: PortfolioCommand, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    match command {
        PortfolioCommand::Export(args) => export(ctx, args, out),
        PortfolioCommand::Import { file } => import(ctx, &file, out),
        PortfolioCommand::Validations { json } => validations(ctx, json, out),
    }
}

/// Keeps a hub's validation: in the store, or through the running agora.
fn import(ctx: &Context, file: &std::path::Path, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    const MAX_FILE_BYTES: u64 = 128 * 1024;
    let size = std::fs::metadata(file).with_context(|| format!("reading {}", file.display()))?.len();
    if size > MAX_FILE_BYTES {
        bail!("{}: {size} bytes; a validation is at most {MAX_FILE_BYTES}", file.display());
    }
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let added = match ctx.store() {
        Ok(store) => {
            let me = ctx.identity()?.public();
            match crate::endorse::validation::keep(&store, &me, text.as_bytes(), crate::cli::now()) {
                Ok((_, added)) => added,
                Err(e) => {
                    writeln!(out, "refused: {}", safe(&e.to_string()))?;
                    return Ok(ExitCode::from(crate::cli::EXIT_INVALID));
                }
            }
        }
        Err(e) if super::context::is_in_use(&e) => {
            match super::control::ask_running(ctx, crate::node::ControlRequest::KeepValidation(text)) {
                Ok(crate::node::ControlReply::Withdrawn(added)) => added,
                Ok(_) => bail!("the running agora gave an unexpected answer"),
                Err(e) => {
                    writeln!(out, "refused: {}", safe(&format!("{e:#}")))?;
                    return Ok(ExitCode::from(crate::cli::EXIT_INVALID));
                }
            }
        }
        Err(e) => return Err(e),
    };
    writeln!(out, "{}", if added { "Kept the validation beside your endorsements" } else { "Already kept" })?;
    Ok(ExitCode::SUCCESS)
}

fn validations(ctx: &Context, json: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let kept = ctx.store_to_read()?.validations()?;
    if json {
        for (v, _) in &kept {
            let line = serde_json::json!({
                "id": v.id, "hub": crate::identity::did_key_from_public(&v.hub.key), "hub_name": v.hub.name,
                "scope": v.scope, "statement": v.statement, "evidence": v.evidence, "valid_from": v.issued.to_string(),
            });
            writeln!(out, "{}", crate::text::to_json_line(&line)?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if kept.is_empty() {
        writeln!(
            out,
            "(no validations yet: a hub signs one with `agora hub validate`; keep it with `agora portfolio import FILE`)"
        )?;
    }
    for (v, _) in &kept {
        writeln!(out, "{}  {}: {}", v.issued.strftime("%Y-%m-%d"), safe(&v.hub.name), safe(&v.statement))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn export(ctx: &Context, args: ExportArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let store = ctx.store_to_read()?;
    let holder = ctx.identity()?;
    let now = crate::cli::now();
    let ids = args.ids.iter().map(|id| resolve_id(&store, id)).collect::<anyhow::Result<Vec<_>>>()?;
    let selection = Selection {
        skill: args.skill,
        since: args.since.as_deref().map(parse_since).transpose()?,
        role: args.role.map(|r| match r {
            RoleArg::Learner => Role::Learner,
            RoleArg::Teacher => Role::Teacher,
        }),
        ids,
        include_private: args.include_private,
        validations: args.with_validations,
    };
    let (picked, left_out) =
        crate::endorse::presentation::verified(store.presentable(&holder.public(), &selection)?, now);
    let picked_ids: Vec<&str> = picked.iter().map(|e| e.endorsement().id.as_str()).collect();
    let (validations, stale) = crate::endorse::presentation::verified_validations(
        store.presentable_validations(&selection, &picked_ids)?,
        now,
    );
    if left_out + stale > 0 {
        eprintln!("note: {} matching credential(s) no longer verify and were left out", left_out + stale);
    }
    if picked.is_empty() && validations.is_empty() {
        bail!("no endorsement of yours matches (see `agora endorsements list`)");
    }
    let suite = match args.suite {
        SuiteArg::Rdfc => Cryptosuite::Rdfc,
        SuiteArg::Jcs => Cryptosuite::Jcs,
    };
    let binding = Binding { challenge: args.challenge, domain: args.domain };
    let bytes = present_with(&holder, &picked, &validations, suite, &binding, now)?;
    if args.out.as_os_str() == "-" {
        out.write_all(&bytes)?;
    } else {
        crate::files::write_private(&args.out, &bytes)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
        writeln!(
            out,
            "Wrote {}: {}, signed by you. Check it with `agora verify {}`.",
            args.out.display(),
            crate::endorse::presentation::contents(&picked, validations.len()),
            args.out.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The full id of the one endorsement, or else the one hub's validation,
/// whose id starts with `text`.
fn resolve_id(store: &crate::store::Store, text: &str) -> anyhow::Result<String> {
    if let Some(full) = store.resolve_endorsement_id(text)? {
        return Ok(full);
    }
    let wanted = text.strip_prefix("urn:uuid:").unwrap_or(text);
    let mut matching = store
        .validations()?
        .into_iter()
        .map(|(v, _)| v.id)
        .filter(|id| id.strip_prefix("urn:uuid:").is_some_and(|uuid| uuid.starts_with(wanted)));
    match (matching.next(), matching.next()) {
        (Some(id), None) => Ok(id),
        _ => bail!(
            "no single endorsement or validation matches `{}` (see `agora endorsements list` and `agora portfolio validations`)",
            safe(text)
        ),
    }
}

fn parse_since(text: &str) -> anyhow::Result<Timestamp> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let date: jiff::civil::Date =
        text.parse().with_context(|| format!("`{text}` is not a date (2026-01-31) or an RFC 3339 moment"))?;
    Ok(jiff::tz::TimeZone::UTC.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))?)
}
