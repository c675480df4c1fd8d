//! `agora verify FILE`: check an endorsement offline and say why it fails.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Args;
use jiff::Timestamp;

use super::EXIT_INVALID;
use crate::endorse::{MAX_ENDORSEMENT_BYTES, Report, inspect};
use crate::market::Role;

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The endorsement file (as written by `agora endorsements export`); `-` reads stdin.
    pub file: PathBuf,
}

pub fn run(args: VerifyArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let bytes = read_limited(&args.file)?;
    let report = inspect(&bytes, Timestamp::now());
    print_report(&report, out)?;
    Ok(if report.is_valid() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}

fn read_limited(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit = MAX_ENDORSEMENT_BYTES as u64 + 1;
    if path.as_os_str() == "-" {
        std::io::stdin().take(limit).read_to_end(&mut bytes).context("reading standard input")?;
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        file.take(limit).read_to_end(&mut bytes).with_context(|| format!("cannot read {}", path.display()))?;
    }
    if bytes.len() > MAX_ENDORSEMENT_BYTES {
        bail!("{} is larger than {MAX_ENDORSEMENT_BYTES} bytes; not an agora endorsement", path.display());
    }
    Ok(bytes)
}

/// Who, what, when, each proof's result, and the verdict.
pub fn print_report(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    match &report.claims {
        Ok(e) => {
            writeln!(out, "Endorsement {}", e.id)?;
            writeln!(out, "  teacher   {}  {}", e.teacher.name, crate::identity::did_key_from_public(&e.teacher.key))?;
            writeln!(out, "  learner   {}  {}", e.learner.name, crate::identity::did_key_from_public(&e.learner.key))?;
            writeln!(out, "  skill     {}", e.skill)?;
            writeln!(out, "  session   {} to {} ({} minutes)", e.start, e.end, e.minutes())?;
            writeln!(out, "  covered   {}", e.covered)?;
            writeln!(out, "  rating    {}/5  \"{}\"", e.rating, e.review)?;
            writeln!(out, "  showed    {}", e.attestation)?;
        }
        Err(shape) => writeln!(out, "Document is not an agora endorsement: {shape}")?,
    }
    writeln!(out, "Proofs")?;
    if report.proofs.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for (index, proof) in report.proofs.iter().enumerate() {
        let who = match proof.role {
            Some(Role::Teacher) => "teacher",
            Some(Role::Learner) => "learner",
            None => "unknown",
        };
        let (mark, result) = match &proof.signature {
            Some(Ok(())) => ("ok  ", "signature valid".to_owned()),
            Some(Err(e)) => ("FAIL", e.to_string()),
            None => ("    ", "not checked".to_owned()),
        };
        writeln!(out, "  [{mark}] proof {index}  {who:<8} {:<16} {:<16} {}", proof.cryptosuite, proof.purpose, result)?;
        writeln!(
            out,
            "         by {}  created {}",
            proof.verification_method.split('#').next().unwrap_or(""),
            proof.created
        )?;
    }
    if report.is_valid() {
        writeln!(out, "VALID: signed by both the teacher and the learner")?;
    } else {
        writeln!(out, "INVALID")?;
        for problem in &report.problems {
            writeln!(out, "  - {problem}")?;
        }
        if let (Err(shape), true) = (&report.claims, report.problems.is_empty()) {
            writeln!(out, "  - {shape}")?;
        }
    }
    Ok(())
}
