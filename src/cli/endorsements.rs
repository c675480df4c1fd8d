//! `agora endorsements list|show|export`: your co-signed records.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, anyhow};
use clap::Subcommand;

use super::show::{endorsement_row, endorsement_table_header};
use super::verify::print_report;
use super::{Context, EXIT_INVALID};
use crate::endorse::inspect;
use crate::store::Store;

#[derive(Subcommand, Debug)]
pub enum EndorsementsCommand {
    /// One line per endorsement, newest first.
    List {
        /// Only this skill.
        #[arg(long)]
        skill: Option<String>,
    },
    /// Details and a fresh verification of one endorsement.
    Show { id: String },
    /// Write the exact signed credential to a file (or stdout) for `agora verify`.
    Export {
        id: String,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

pub fn run(ctx: &Context, command: EndorsementsCommand, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let store = ctx.store_to_read()?;
    match command {
        EndorsementsCommand::List { skill } => {
            let me = ctx.identity()?.public();
            let mut all = store.endorsements()?;
            if let Some(skill) = skill {
                all.retain(|e| e.skill == skill);
            }
            all.sort_by_key(|e| std::cmp::Reverse(e.start));
            if all.is_empty() {
                writeln!(out, "(no endorsements yet: they are made when a session is completed and both sign)")?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(out, "{}", endorsement_table_header())?;
            for e in &all {
                writeln!(out, "{}", endorsement_row(e, &me))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        EndorsementsCommand::Show { id } => {
            let bytes = stored_bytes(&store, &id)?;
            let report = inspect(&bytes, crate::cli::now());
            print_report(&report, out)?;
            Ok(if report.is_valid() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
        }
        EndorsementsCommand::Export { id, out: file } => {
            let bytes = stored_bytes(&store, &id)?;
            match file {
                Some(path) => {
                    crate::files::write_private(&path, &bytes)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                    eprintln!("Wrote {} ({} bytes)", path.display(), bytes.len());
                }
                None => out.write_all(&bytes)?,
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn stored_bytes(store: &Store, id: &str) -> anyhow::Result<Vec<u8>> {
    let full = store
        .resolve_endorsement_id(id)?
        .ok_or_else(|| anyhow!("no single endorsement matches `{id}` (see `agora endorsements list`)"))?;
    store.endorsement_bytes(&full)?.ok_or_else(|| anyhow!("endorsement {full} vanished from the store"))
}
