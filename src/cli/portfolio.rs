//! `agora portfolio export`: a Verifiable Presentation of the endorsements
//! you pick, signed by you, for a wallet, an employer or a school.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use jiff::Timestamp;

use super::Context;
use crate::endorse::data_integrity::Cryptosuite;
use crate::endorse::presentation::{Binding, Selection, present};
use crate::market::Role;

#[derive(Subcommand, Debug)]
pub enum PortfolioCommand {
    /// Write a presentation of your endorsements, signed by you.
    Export(ExportArgs),
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
    /// Only this endorsement (id or unique prefix); repeat for more.
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// Also endorsements you hid from your public portfolio.
    #[arg(long)]
    pub include_private: bool,
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
    }
}

fn export(ctx: &Context, args: ExportArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let store = ctx.store_to_read()?;
    let holder = ctx.identity()?;
    let now = crate::cli::now();
    let mut ids = Vec::new();
    for id in &args.ids {
        let full = store.resolve_endorsement_id(id)?;
        ids.push(
            full.with_context(|| format!("no single endorsement matches `{id}` (see `agora endorsements list`)"))?,
        );
    }
    let selection = Selection {
        skill: args.skill,
        since: args.since.as_deref().map(parse_since).transpose()?,
        role: args.role.map(|r| match r {
            RoleArg::Learner => Role::Learner,
            RoleArg::Teacher => Role::Teacher,
        }),
        ids,
        include_private: args.include_private,
    };
    let (picked, left_out) =
        crate::endorse::presentation::verified(store.presentable(&holder.public(), &selection)?, now);
    if left_out > 0 {
        eprintln!("note: {left_out} matching endorsement(s) no longer verify and were left out");
    }
    if picked.is_empty() {
        bail!("no endorsement of yours matches (see `agora endorsements list`)");
    }
    let suite = match args.suite {
        SuiteArg::Rdfc => Cryptosuite::Rdfc,
        SuiteArg::Jcs => Cryptosuite::Jcs,
    };
    let binding = Binding { challenge: args.challenge, domain: args.domain };
    let bytes = present(&holder, &picked, suite, &binding, now)?;
    if args.out.as_os_str() == "-" {
        out.write_all(&bytes)?;
    } else {
        crate::files::write_private(&args.out, &bytes)
            .with_context(|| format!("cannot write {}", args.out.display()))?;
        let hours: f64 = picked.iter().map(|e| e.endorsement().minutes() as f64 / 60.0).sum();
        writeln!(
            out,
            "Wrote {}: {} endorsement{} ({hours:.1} h), signed by you. Check it with `agora verify {}`.",
            args.out.display(),
            picked.len(),
            if picked.len() == 1 { "" } else { "s" },
            args.out.display()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_since(text: &str) -> anyhow::Result<Timestamp> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t);
    }
    let date: jiff::civil::Date =
        text.parse().with_context(|| format!("`{text}` is not a date (2026-01-31) or an RFC 3339 moment"))?;
    Ok(jiff::tz::TimeZone::UTC.to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))?)
}
