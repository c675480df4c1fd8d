//! The human report for a presentation: who holds it, the holder's proof
//! and what it is bound to, each credential in one line (endorsements, then
//! hubs' validations), and the verdict.
//! Everything read from the file is escaped (see [`crate::text`]).

use std::collections::HashSet;
use std::io::Write;

use crate::endorse::presentation::PresentationReport;
use crate::identity::did_key_from_public;
use crate::market::Role;
use crate::text::safe;

pub fn print(report: &PresentationReport, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "Presentation {}", safe(report.id.as_deref().unwrap_or("(no id)")))?;
    let holder = report.holder.as_ref().map_or("(unreadable)".to_owned(), did_key_from_public);
    writeln!(out, "  holder    {holder}")?;
    match &report.proof {
        Some(proof) => {
            let (mark, result) = super::verify::verdict(&proof.signature);
            let (suite, purpose) = (safe(&proof.cryptosuite), safe(&proof.purpose));
            writeln!(out, "  proof     [{mark}] {suite} {purpose}  {}", safe(&result))?;
            writeln!(out, "            created {}", safe(&proof.created))?;
            let bound = |name: &str, found: &Option<String>, asked: &Option<String>| match (found, asked) {
                (Some(v), Some(_)) => format!("  {name:<9} `{}` (as you asked)", safe(v)),
                (Some(v), None) => format!("  {name:<9} `{}` (not checked: pass --{name} to demand it)", safe(v)),
                (None, _) => format!("  {name:<9} none"),
            };
            writeln!(out, "{}", bound("challenge", &proof.challenge, &report.request.challenge))?;
            writeln!(out, "{}", bound("domain", &proof.domain, &report.request.domain))?;
        }
        None => writeln!(out, "  proof     (none)")?,
    }
    let minutes: i64 =
        report.credentials.iter().filter_map(|c| c.report.claims.as_ref().ok()).map(|e| e.minutes()).sum();
    writeln!(out, "Credentials ({}, {:.1} h)", report.credentials.len(), minutes as f64 / 60.0)?;
    for entry in &report.credentials {
        let index = entry.index;
        let verdict = if entry.report.is_valid() { "VALID" } else { "INVALID" };
        match &entry.report.claims {
            Ok(e) => {
                let part = match entry.holder_role {
                    Some(Role::Learner) => "holder learned",
                    Some(Role::Teacher) => "holder taught",
                    None => "not the holder's",
                };
                writeln!(
                    out,
                    "  {index:>3}. {verdict:<7} {}  {} taught {}  {} ({} min, {}/5)  {part}",
                    safe(&e.skill),
                    safe(&e.teacher.name),
                    safe(&e.learner.name),
                    e.start.strftime("%Y-%m-%d"),
                    e.minutes(),
                    e.rating
                )?;
            }
            Err(shape) => writeln!(out, "  {index:>3}. {verdict:<7} not an agora endorsement: {}", safe(shape))?,
        }
    }
    validations(report, out)?;
    if report.is_valid() {
        let n = report.credentials.len() + report.validations.len();
        let all = if n == 1 { "its credential verifies".to_owned() } else { format!("all {n} credentials verify") };
        writeln!(out, "VALID: signed by the holder; {all}")?;
        if report.request.challenge.is_none() {
            writeln!(out, "  (freshness not checked: give the holder a challenge and pass it with --challenge)")?;
        }
    } else {
        writeln!(out, "INVALID")?;
        for problem in &report.problems {
            writeln!(out, "  - {}", safe(problem))?;
        }
    }
    Ok(())
}

/// The hubs' validations presented: who validated what, and how much of
/// its evidence the presentation itself holds.
fn validations(report: &PresentationReport, out: &mut impl Write) -> std::io::Result<()> {
    if report.validations.is_empty() {
        return Ok(());
    }
    let presented: HashSet<&str> =
        report.credentials.iter().filter_map(|c| c.report.claims.as_ref().ok()).map(|e| e.id.as_str()).collect();
    writeln!(out, "Hubs' validations ({})", report.validations.len())?;
    for entry in &report.validations {
        let index = entry.index;
        match &entry.validation {
            Ok(v) => {
                let here = v.evidence.iter().filter(|id| presented.contains(id.as_str())).count();
                writeln!(
                    out,
                    "  {index:>3}. VALID   {}  {}: {}  (evidence: {} endorsements, {here} of them in this presentation)",
                    v.issued.strftime("%Y-%m-%d"),
                    safe(&v.hub.name),
                    safe(&v.statement),
                    v.evidence.len()
                )?;
            }
            Err(e) => writeln!(out, "  {index:>3}. INVALID a hub's validation: {}", safe(e))?,
        }
    }
    Ok(())
}
