//! `agora verify FILE`: check an endorsement, a presentation or a hub's
//! validation offline and say why it fails.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Args;

use super::EXIT_INVALID;
use crate::endorse::presentation::{self, Binding, MAX_PRESENTATION_BYTES, inspect_presentation};
use crate::endorse::{MAX_ENDORSEMENT_BYTES, Report, Suites, inspect};
use crate::market::Role;
use crate::text::{safe, to_json_line};

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// An endorsement (`agora endorsements export`) or a presentation
    /// (`agora portfolio export`); `-` reads stdin.
    pub file: PathBuf,
    /// One JSON object for machines instead of the report.
    #[arg(long)]
    pub json: bool,
    /// For a presentation: the challenge you gave the holder; it must match.
    #[arg(long)]
    pub challenge: Option<String>,
    /// For a presentation: your domain; it must match.
    #[arg(long)]
    pub domain: Option<String>,
}

pub fn run(args: VerifyArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let bytes = read_limited(&args.file)?;
    let now = crate::cli::now();
    // First things first: a file that is not JSON at all says so, alone.
    let parsed = serde_json::from_slice::<serde_json::Value>(&bytes);
    if let Err(e) = &parsed {
        let why = if bytes.iter().all(u8::is_ascii_whitespace) { "it is empty".to_owned() } else { e.to_string() };
        if args.json {
            let line = serde_json::json!({ "valid": false, "problems": [format!("not JSON: {why}")] });
            writeln!(out, "{}", to_json_line(&line)?)?;
        } else {
            writeln!(out, "INVALID: {} is not JSON ({})", safe(args.file.display()), safe(&why))?;
        }
        return Ok(ExitCode::from(super::EXIT_INVALID));
    }
    let is_validation = parsed.as_ref().is_ok_and(crate::endorse::validation::is_validation);
    let is_presentation = parsed.is_ok_and(|d| presentation::is_presentation(&d));
    let valid = if is_validation {
        if args.challenge.is_some() || args.domain.is_some() {
            bail!("--challenge and --domain are for presentations; this file is a hub's validation");
        }
        validation(&bytes, now, args.json, out)?
    } else if is_presentation {
        let request = Binding { challenge: args.challenge, domain: args.domain };
        let report = inspect_presentation(&bytes, now, &request, Suites::All);
        if args.json {
            writeln!(out, "{}", to_json_line(&super::verify_json::presentation(&report))?)?;
        } else {
            super::verify_presentation::print(&report, out)?;
        }
        report.is_valid()
    } else {
        if args.challenge.is_some() || args.domain.is_some() {
            bail!("--challenge and --domain are for presentations; this file is not one");
        }
        if bytes.len() > MAX_ENDORSEMENT_BYTES {
            bail!(
                "{} is larger than {MAX_ENDORSEMENT_BYTES} bytes; not an agora endorsement",
                safe(args.file.display())
            );
        }
        let report = inspect(&bytes, now);
        if args.json {
            writeln!(out, "{}", to_json_line(&super::verify_json::credential(&report))?)?;
        } else {
            print_report(&report, out)?;
        }
        report.is_valid()
    };
    Ok(if valid { ExitCode::SUCCESS } else { ExitCode::from(EXIT_INVALID) })
}

/// A hub's validation: valid or why not, and what it says.
fn validation(bytes: &[u8], now: jiff::Timestamp, json: bool, out: &mut impl Write) -> anyhow::Result<bool> {
    let result = crate::endorse::validation::verify(bytes, now);
    if json {
        writeln!(out, "{}", to_json_line(&super::verify_json::validation(&result))?)?;
        return Ok(result.is_ok());
    }
    match &result {
        Ok(v) => {
            writeln!(out, "Validation {}", safe(&v.id))?;
            writeln!(out, "  hub       {}  {}", safe(&v.hub.name), crate::identity::did_key_from_public(&v.hub.key))?;
            writeln!(
                out,
                "  learner   {}  {}",
                safe(&v.learner.name),
                crate::identity::did_key_from_public(&v.learner.key)
            )?;
            writeln!(out, "  scope     {}", safe(&v.scope))?;
            writeln!(out, "  verified  {}", safe(&v.statement))?;
            writeln!(out, "  evidence  {} endorsements", v.evidence.len())?;
            writeln!(out, "VALID: signed by the hub (eddsa-jcs-2022 and eddsa-rdfc-2022), valid from {}", v.issued)?;
        }
        Err(e) => writeln!(out, "INVALID: {}", safe(e))?,
    }
    Ok(result.is_ok())
}

fn read_limited(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit = MAX_PRESENTATION_BYTES as u64 + 1;
    if path.as_os_str() == "-" {
        std::io::stdin().take(limit).read_to_end(&mut bytes).context("reading standard input")?;
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        file.take(limit).read_to_end(&mut bytes).with_context(|| format!("cannot read {}", path.display()))?;
    }
    if bytes.len() > MAX_PRESENTATION_BYTES {
        bail!("{} is larger than {MAX_PRESENTATION_BYTES} bytes; not an agora file", path.display());
    }
    Ok(bytes)
}

/// A proof's mark and result in words.
pub fn verdict(signature: &Option<Result<(), crate::endorse::ProofError>>) -> (&'static str, String) {
    match signature {
        Some(Ok(())) => ("ok  ", "signature valid".to_owned()),
        Some(Err(e)) => ("FAIL", e.to_string()),
        None => ("    ", "not checked".to_owned()),
    }
}

/// The signer's role in words.
pub fn role_name(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::Teacher) => "teacher",
        Some(Role::Learner) => "learner",
        None => "unknown",
    }
}

/// Who, what, when, each proof's result, and the verdict. Everything read
/// from the file is escaped, one line per field (see [`crate::text`]), so
/// no field can repaint the terminal or forge a line of the verdict.
pub fn print_report(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    match &report.claims {
        Ok(e) => {
            let did = |p: &crate::endorse::Party| crate::identity::did_key_from_public(&p.key);
            writeln!(out, "Endorsement {}", safe(&e.id))?;
            writeln!(out, "  teacher   {}  {}", safe(&e.teacher.name), did(&e.teacher))?;
            writeln!(out, "  learner   {}  {}", safe(&e.learner.name), did(&e.learner))?;
            writeln!(out, "  skill     {}", safe(&e.skill))?;
            for a in &e.alignments {
                let framework = [a.target_framework.as_str(), a.target_code.as_str()].join(" ");
                let framework = framework.trim();
                let framework = if framework.is_empty() { String::new() } else { format!(" ({framework})") };
                writeln!(out, "  aligned   {}{}  {}", safe(&a.target_name), safe(&framework), safe(&a.target_url))?;
            }
            writeln!(out, "  session   {} to {} ({} minutes)", e.start, e.end, e.minutes())?;
            writeln!(out, "  covered   {}", safe(&e.covered))?;
            writeln!(out, "  rating    {}/5  \"{}\"", e.rating, safe(&e.review))?;
            writeln!(out, "  showed    {}", safe(&e.attestation))?;
        }
        Err(shape) => writeln!(out, "Document is not an agora endorsement: {}", safe(shape))?,
    }
    writeln!(out, "Proofs")?;
    if report.proofs.is_empty() {
        writeln!(out, "  (none)")?;
    }
    for (index, proof) in report.proofs.iter().enumerate() {
        let who = role_name(proof.role);
        let (mark, result) = verdict(&proof.signature);
        writeln!(
            out,
            "  [{mark}] proof {index}  {who:<8} {:<16} {:<16} {}",
            safe(&proof.cryptosuite),
            safe(&proof.purpose),
            safe(&result)
        )?;
        writeln!(
            out,
            "         by {}  created {}",
            safe(proof.verification_method.split('#').next().unwrap_or("")),
            safe(&proof.created)
        )?;
    }
    if report.is_valid() {
        writeln!(out, "VALID: signed by both the teacher and the learner")?;
        if !report.wallet_ready() {
            writeln!(out, "  (made before agora added eddsa-rdfc-2022 proofs: Open Badges wallets may not verify it)")?;
        }
    } else {
        writeln!(out, "INVALID")?;
        for problem in &report.problems {
            writeln!(out, "  - {}", safe(problem))?;
        }
        if let (Err(shape), true) = (&report.claims, report.problems.is_empty()) {
            writeln!(out, "  - {}", safe(shape))?;
        }
    }
    Ok(())
}
