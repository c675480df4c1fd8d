//! `agora reputation PEER [--json]`: where someone stands with you, from
//! the endorsements in your own store (the terminal client also counts the
//! portfolios it fetches for track records, so it sees further); and
//! `agora pin PEER` / `agora unpin PEER`: peers whose sessions count as if
//! they were in your own circle, kept in config.toml `[trust] pinned`.

use std::io::Write;
use std::process::ExitCode;

use anyhow::bail;
use serde_json::json;

use super::Context;
use super::peers::{resolve, same_name};
use crate::endorse::reputation::{Link, Outlook, SkillStats, Standing, hours};
use crate::identity::{PublicKey, did_key_from_public};
use crate::store::Store;
use crate::text::{safe, to_json_pretty};

pub fn set_pinned(ctx: &Context, who: &str, pinned: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let store = ctx.store_to_read()?;
    let peer = find(&store, who)?;
    if peer == ctx.identity()?.public() {
        bail!("that is your own key");
    }
    crate::config::set_pinned(&ctx.home.config_file(), &peer, pinned)?;
    let verb = if pinned { "Pinned" } else { "Unpinned" };
    writeln!(out, "{verb} {} (a running client sees it when it starts again)", peer.fingerprint())?;
    Ok(ExitCode::SUCCESS)
}

pub fn show(ctx: &Context, who: &str, json: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let me = ctx.identity()?.public();
    let store = ctx.store_to_read()?;
    let peer = find(&store, who)?;
    let own = store.endorsements()?;
    let outlook = Outlook::new(me, &own, [], &config.trust.pinned_keys());
    let standing = outlook.standing(&peer, crate::cli::now());
    let peers = store.peers()?;
    let name = |key: &PublicKey| {
        peers
            .iter()
            .find(|p| p.key == *key && !p.name.is_empty())
            .map(|p| p.name.clone())
            .or_else(|| outlook.name_in_records(key).filter(|n| !n.is_empty()).map(str::to_owned))
            .unwrap_or_else(|| key.fingerprint())
    };
    if json {
        writeln!(out, "{}", to_json_pretty(&as_json(&standing, &name))?)?;
        return Ok(ExitCode::SUCCESS);
    }
    match name(&peer) {
        named if named != peer.fingerprint() => writeln!(out, "{} ({})", safe(&named), peer.fingerprint())?,
        _ => writeln!(out, "{}", did_key_from_public(&peer))?,
    }
    writeln!(out, "trust     {}", safe(standing.summary()))?;
    for path in &standing.paths {
        writeln!(out, "  path    {}", safe(path.describe(name)))?;
    }
    let o = &standing.stats.overall;
    if o.sessions() == 0 {
        writeln!(out, "record    no sessions in your store")?;
    } else {
        writeln!(out, "record    {}", line(o))?;
        let width = standing.stats.by_skill.keys().map(|k| crate::text::escape(k).chars().count()).max().unwrap_or(0);
        for (skill, s) in &standing.stats.by_skill {
            writeln!(out, "  {:<width$}  {}", safe(skill), line(s))?;
        }
    }
    writeln!(out, "(from the endorsements in your own store; the client also counts the portfolios it fetches)")?;
    Ok(ExitCode::SUCCESS)
}

/// `taught 2 (3 h) · learned 1 (1 h) · 2 people · 5★ 1 · 4★ 1 · last 2026-11-20 · 3 in 90 days`.
fn line(s: &SkillStats) -> String {
    let mut parts = vec![
        format!("taught {} ({})", s.taught, hours(s.minutes_taught)),
        format!("learned {} ({})", s.learned, hours(s.minutes_learned)),
        format!("{} {}", s.counterparts, if s.counterparts == 1 { "person" } else { "people" }),
    ];
    if let Some(average) = s.average_rating() {
        parts.push(format!("rated {average:.1}/5: {}", s.rating_summary()));
    }
    if let Some(last) = s.last {
        parts.push(format!("last {}", last.strftime("%Y-%m-%d")));
    }
    parts.push(format!("{} in 90 days", s.recent));
    parts.join(" · ")
}

fn as_json(standing: &Standing, name: &impl Fn(&PublicKey) -> String) -> serde_json::Value {
    let stats = |s: &SkillStats| {
        json!({
            "sessions_taught": s.taught,
            "sessions_learned": s.learned,
            "minutes_taught": s.minutes_taught,
            "minutes_learned": s.minutes_learned,
            "counterparts": s.counterparts,
            "ratings": s.ratings,
            "last": s.last.map(|t| t.to_string()),
            "recent": s.recent,
        })
    };
    let paths: Vec<_> = standing
        .paths
        .iter()
        .map(|p| {
            let hops: Vec<_> = p
                .hops
                .iter()
                .map(|h| {
                    let (link, skill, minutes) = match &h.link {
                        Link::Start => ("start", None, None),
                        Link::Taught { skill, minutes } => ("taught", Some(skill), Some(minutes)),
                        Link::LearnedFrom { skill, minutes } => ("learned_from", Some(skill), Some(minutes)),
                        Link::Pinned => ("pinned", None, None),
                    };
                    json!({"did": did_key_from_public(&h.person), "name": name(&h.person), "link": link,
                           "skill": skill, "minutes": minutes})
                })
                .collect();
            json!({"text": p.describe(name), "strength": p.strength, "hops": hops})
        })
        .collect();
    let skills: serde_json::Map<String, serde_json::Value> =
        standing.stats.by_skill.iter().map(|(k, s)| (k.clone(), stats(s))).collect();
    json!({
        "did": did_key_from_public(&standing.person),
        "fingerprint": standing.person.fingerprint(),
        "name": name(&standing.person),
        "score": standing.score,
        "rank": standing.rank,
        "reachable": standing.reachable,
        "summary": standing.summary(),
        "paths": paths,
        "overall": stats(&standing.stats.overall),
        "skills": skills,
        "source": "own store",
    })
}

/// A did:key, a known peer's fingerprint or name, or else someone named
/// (or fingerprinted) in one of your endorsements.
fn find(store: &Store, who: &str) -> anyhow::Result<PublicKey> {
    let known = resolve(store, who);
    if known.is_ok() || who.starts_with("did:key:") {
        return known;
    }
    let wanted = who.to_ascii_lowercase();
    let mut found: Vec<PublicKey> = store
        .endorsements()?
        .iter()
        .flat_map(|e| [&e.teacher, &e.learner])
        .filter(|p| same_name(&p.name, who) || (wanted.len() >= 4 && p.key.to_hex().starts_with(&wanted)))
        .map(|p| p.key)
        .collect();
    found.sort();
    found.dedup();
    match found.as_slice() {
        [one] => Ok(*one),
        _ => known,
    }
}
