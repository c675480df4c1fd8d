//! How `agora community list` and `show` print a charter: a table, a
//! page, or JSON. Every field came from a signed charter someone else may
//! have written, so every one is escaped.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use crate::cli::show::clip;
use crate::community::{Admission, Charter, CommunityId};
use crate::identity::did_key_from_public;
use crate::market::Level;
use crate::store::Store;
use crate::text::{safe, to_json_line};

#[derive(Serialize)]
struct Line<'a> {
    id: String,
    name: &'a str,
    version: u32,
    joined: bool,
    admission: &'static str,
    maintainers: Vec<String>,
    languages: &'a [String],
    rules: &'a [String],
    description: &'a str,
    skills: Vec<SkillLine<'a>>,
}

#[derive(Serialize)]
struct SkillLine<'a> {
    id: &'a str,
    name: &'a str,
    level: &'static str,
    requires: &'a [String],
    alignments: Vec<[&'a str; 4]>,
}

fn admission(a: Admission) -> &'static str {
    match a {
        Admission::Open => "open",
        Admission::InviteOnly => "invite-only",
    }
}

fn level(l: Level) -> &'static str {
    match l {
        Level::Any => "any",
        Level::Beginner => "beginner",
        Level::Intermediate => "intermediate",
        Level::Advanced => "advanced",
    }
}

fn line<'a>(id: &CommunityId, charter: &'a Charter, joined: bool) -> Line<'a> {
    Line {
        id: id.to_hex(),
        name: &charter.name,
        version: charter.version,
        joined,
        admission: admission(charter.admission),
        maintainers: charter.maintainers.iter().map(did_key_from_public).collect(),
        languages: &charter.languages,
        rules: &charter.rules,
        description: &charter.description,
        skills: charter
            .curriculum
            .skills
            .iter()
            .map(|s| SkillLine {
                id: &s.id,
                name: &s.name,
                level: level(s.level),
                requires: &s.requires,
                alignments: s
                    .alignments
                    .iter()
                    .map(|a| [a.target_name.as_str(), &a.target_url, &a.target_framework, &a.target_code])
                    .collect(),
            })
            .collect(),
    }
}

pub fn list(store: &Store, json: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let joined = store.joined_communities()?;
    let mut rows = Vec::new();
    for id in store.known_communities()? {
        if let Some(charter) = store.charter(&id)? {
            rows.push((id, charter, joined.contains(&id)));
        }
    }
    rows.sort_by_key(|(_, c, joined)| (!joined, c.value().name.to_lowercase()));
    if json {
        for (id, charter, joined) in &rows {
            writeln!(out, "{}", to_json_line(&line(id, charter.value(), *joined))?)?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(out, "(no communities yet: `agora community create --name …`)")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{:<8}  {:<28}  {:>3}  {:<11}  {:>6}  MEMBER", "ID", "NAME", "V", "ADMISSION", "SKILLS")?;
    for (id, charter, joined) in &rows {
        let c = charter.value();
        writeln!(
            out,
            "{:<8}  {:<28}  {:>3}  {:<11}  {:>6}  {}",
            id.short(),
            clip(&c.name, 28),
            c.version,
            admission(c.admission),
            c.curriculum.skills.len(),
            if *joined { "yes" } else { "" }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn one(store: &Store, id: &CommunityId, json: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let joined = store.joined_communities()?.contains(id);
    let Some(charter) = store.charter(id)? else {
        if joined {
            anyhow::bail!(
                "you joined {} but its charter has not arrived yet (it is asked of the ticket's member and of \
                 the peers you sync with; `agora community leave {}` gives up)",
                id.short(),
                id.short()
            );
        }
        anyhow::bail!("no charter of that community is held here")
    };
    let c = charter.value();
    if json {
        writeln!(out, "{}", to_json_line(&line(id, c, joined))?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let names = store.peers()?;
    let name_of = |key: &crate::identity::PublicKey| {
        names.iter().find(|p| p.key == *key && !p.name.is_empty()).map(|p| safe(&p.name).to_string())
    };
    writeln!(out, "{}  ({}, version {})", safe(&c.name), id.short(), c.version)?;
    writeln!(out, "id: {id}")?;
    writeln!(out, "{}", if joined { "you belong to it" } else { "you do not belong to it (agora community join)" })?;
    if !c.description.is_empty() {
        for text in c.description.lines() {
            writeln!(out, "  {}", safe(text))?;
        }
    }
    writeln!(
        out,
        "admission: {}",
        match c.admission {
            Admission::Open => "anyone may publish listings",
            Admission::InviteOnly => "only maintainers and the people they invite publish listings",
        }
    )?;
    if !c.languages.is_empty() {
        writeln!(out, "languages: {}", safe(&c.languages.join(", ")))?;
    }
    writeln!(out, "maintainers (the first listed wins a conflict):")?;
    for key in &c.maintainers {
        let name = name_of(key).unwrap_or_default();
        let founder = if *key == c.founder { " (founder)" } else { "" };
        writeln!(out, "  {}  {name}{founder}", key.fingerprint())?;
    }
    if !c.rules.is_empty() {
        writeln!(out, "rules:")?;
        for (i, rule) in c.rules.iter().enumerate() {
            writeln!(out, "  {}. {}", i + 1, safe(rule))?;
        }
    }
    if c.curriculum.skills.is_empty() {
        writeln!(out, "curriculum: none (listings use free tags)")?;
    } else {
        writeln!(out, "curriculum ({} skills):", c.curriculum.skills.len())?;
        for s in &c.curriculum.skills {
            let needs =
                if s.requires.is_empty() { String::new() } else { format!("  after {}", s.requires.join(", ")) };
            writeln!(out, "  {:<24} {} ({}){}", safe(&s.id), safe(&s.name), level(s.level), safe(&needs))?;
            if !s.description.is_empty() {
                writeln!(out, "  {:<24}   {}", "", safe(&s.description))?;
            }
            for a in &s.alignments {
                let code = if a.target_code.is_empty() { String::new() } else { format!(" {}", a.target_code) };
                writeln!(
                    out,
                    "  {:<24}   ≙ {}{}: {}",
                    "",
                    safe(&a.target_framework),
                    safe(&code),
                    safe(&a.target_url)
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
