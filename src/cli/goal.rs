//! `agora goal add|list|remove`: a learner's goals and the way to each,
//! through the prerequisites of a community's curriculum: what is done
//! (from co-signed endorsements), what is under way, what comes next, with
//! the offers seen for the next steps ranked by the trust this learner
//! computes. Goals stay in the learner's store; nobody else sees them.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Subcommand;
use serde_json::json;

use super::Context;
use super::community::{resolve, writable};
use crate::community::path::{Record, Step, StepState, plan, progress};
use crate::community::{Charter, Goal};
use crate::endorse::reputation::{Outlook, hours};
use crate::market::{Level, Listing, ListingKind};
use crate::text::{safe, to_json_line};
use crate::wire::Verified;

/// Offers shown per next step.
const OFFERS_PER_STEP: usize = 3;

#[derive(Subcommand, Debug)]
pub enum GoalCommand {
    /// Set a goal: a skill of a community's curriculum.
    Add {
        /// The community (its id, first hex digits or name).
        community: String,
        /// A skill id from its curriculum (`agora community show`).
        skill: String,
        /// any, beginner, intermediate or advanced.
        #[arg(long)]
        level: Option<String>,
        /// The day to get there by (YYYY-MM-DD).
        #[arg(long)]
        by: Option<String>,
    },
    /// Your goals and the way to each.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Drop a goal.
    Remove { community: String, skill: String },
}

pub fn run(ctx: &Context, command: GoalCommand, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    match command {
        GoalCommand::Add { community, skill, level, by } => {
            let store = writable(ctx)?;
            let id = resolve(&store, &community)?;
            let charter = store.charter(&id)?.context("no charter of that community is held here")?;
            let c = charter.value();
            let skill = skill.trim().to_lowercase();
            if c.curriculum.skill(&skill).is_none() {
                let known: Vec<&str> = c.curriculum.skills.iter().map(|s| s.id.as_str()).take(12).collect();
                if known.is_empty() {
                    bail!("{} has no curriculum yet", safe(&c.name));
                }
                bail!("{} has no skill `{}`; it has: {}", safe(&c.name), safe(&skill), safe(&known.join(", ")));
            }
            let level = level.as_deref().map(parse_level).transpose()?;
            let by = by
                .as_deref()
                .map(|d| {
                    d.trim().parse::<jiff::civil::Date>().with_context(|| format!("`{}` is not YYYY-MM-DD", safe(d)))
                })
                .transpose()?;
            let goal = Goal { community: id, skill: skill.clone(), level, by, set_at: super::now() };
            store.put_goal(&goal)?;
            let steps = c.curriculum.path_to(&skill).len();
            writeln!(out, "Goal set: {} in {} ({} skills on the way)", safe(&skill), safe(&c.name), steps)?;
            Ok(ExitCode::SUCCESS)
        }
        GoalCommand::Remove { community, skill } => {
            let store = writable(ctx)?;
            let id = resolve(&store, &community)?;
            let skill = skill.trim().to_lowercase();
            if store.remove_goal(&id, &skill)? {
                writeln!(out, "Goal dropped: {}", safe(&skill))?;
                Ok(ExitCode::SUCCESS)
            } else {
                bail!("no goal `{}` in that community", safe(&skill))
            }
        }
        GoalCommand::List { json } => list(ctx, json, out),
    }
}

fn parse_level(text: &str) -> anyhow::Result<Level> {
    Ok(match text.trim().to_lowercase().as_str() {
        "any" => Level::Any,
        "beginner" => Level::Beginner,
        "intermediate" => Level::Intermediate,
        "advanced" => Level::Advanced,
        other => bail!("`{}` is not a level: any, beginner, intermediate or advanced", safe(other)),
    })
}

fn list(ctx: &Context, json: bool, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let me = ctx.identity()?.public();
    let store = ctx.store_to_read()?;
    let goals = store.goals()?;
    if goals.is_empty() && !json {
        writeln!(out, "(no goals yet: `agora goal add COMMUNITY SKILL`)")?;
        return Ok(ExitCode::SUCCESS);
    }
    let endorsements = store.endorsements()?;
    let negotiations = store.negotiations()?;
    let now = super::now();
    let offers: Vec<Verified<Listing>> = store
        .seen_listings(now)?
        .into_iter()
        .filter(|l| l.value().kind == ListingKind::Offer && l.author() != me && !l.value().is_expired(now))
        .collect();
    let outlook = Outlook::new(me, &endorsements, [], &config.trust.pinned_keys());
    let names = store.peers()?;
    let name = |key: &crate::identity::PublicKey| {
        names
            .iter()
            .find(|p| p.key == *key && !p.name.is_empty())
            .map(|p| p.name.clone())
            .unwrap_or_else(|| key.fingerprint())
    };
    for goal in &goals {
        let Some(charter) = store.charter(&goal.community)? else {
            // The charter's rows were damaged or removed: say so, keep the goal.
            if json {
                let line = json!({"community": goal.community.to_hex(), "skill": goal.skill, "charter": null});
                writeln!(out, "{}", to_json_line(&line)?)?;
            } else {
                writeln!(
                    out,
                    "Goal: {} in {} (its charter is not held here)",
                    safe(&goal.skill),
                    goal.community.short()
                )?;
            }
            continue;
        };
        let c: &Charter = charter.value();
        let steps = plan(&c.curriculum, &goal.skill, &me, &endorsements, &negotiations);
        let (done, total) = progress(&steps);
        let ranked = |skill: &str| -> Vec<(&Verified<Listing>, f64)> {
            let mut found: Vec<_> = offers
                .iter()
                .filter(|l| l.value().skills.iter().any(|s| s == skill))
                .map(|l| (l, outlook.score(&l.author())))
                .collect();
            found.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.value().title.cmp(&b.0.value().title)));
            found.truncate(OFFERS_PER_STEP);
            found
        };
        if json {
            let steps: Vec<_> = steps
                .iter()
                .map(|step| {
                    let listings: Vec<_> = if step.state == StepState::Next {
                        ranked(&step.skill.id)
                            .iter()
                            .map(|(l, trust)| {
                                json!({"id": l.value().id.to_hex(), "title": l.value().title,
                                       "author": crate::identity::did_key_from_public(&l.author()), "trust": trust})
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    let mut entry = json!({"skill": step.skill.id, "name": step.skill.name, "state": state_name(step),
                                           "requires": step.skill.requires, "offers": listings});
                    if let StepState::Done(r) = &step.state {
                        entry["sessions"] = json!(r.sessions);
                        entry["minutes"] = json!(r.minutes);
                        entry["teachers"] = json!(r.teachers);
                        entry["average_rating"] = json!(r.average_rating);
                    }
                    entry
                })
                .collect();
            let line = json!({
                "community": goal.community.to_hex(), "community_name": c.name, "skill": goal.skill,
                "level": goal.level.map(|l| format!("{l:?}").to_lowercase()), "by": goal.by.map(|d| d.to_string()),
                "done": done, "total": total, "steps": steps,
            });
            writeln!(out, "{}", to_json_line(&line)?)?;
            continue;
        }
        let by = goal.by.map(|d| format!(", by {d}")).unwrap_or_default();
        writeln!(
            out,
            "Goal: {} in {} ({}){by}: {done} of {total} skills done",
            safe(&goal.skill),
            safe(&c.name),
            goal.community.short()
        )?;
        for step in &steps {
            writeln!(out, "  {}", safe(&describe(step)))?;
            if step.state == StepState::Next {
                let found = ranked(&step.skill.id);
                if found.is_empty() {
                    writeln!(out, "      (no offer seen yet; publish a request: agora listing add request …)")?;
                }
                for (listing, trust) in found {
                    let trust =
                        if trust > 0.0 { format!("trust {trust:.2}") } else { "no path from people you know".into() };
                    writeln!(
                        out,
                        "      {}  {}  by {} ({trust})",
                        listing.value().id.short(),
                        safe(&listing.value().title),
                        safe(&name(&listing.author()))
                    )?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn state_name(step: &Step) -> &'static str {
    match step.state {
        StepState::Done(_) => "done",
        StepState::InProgress { .. } => "in progress",
        StepState::Next => "next",
        StepState::Later => "later",
    }
}

fn describe(step: &Step) -> String {
    let s = step.skill;
    match &step.state {
        StepState::Done(Record { sessions, minutes, teachers, average_rating }) => {
            let stars = average_rating.map(|r| format!(", ★{r:.1}")).unwrap_or_default();
            let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
            format!(
                "✓ {:<22} {}, {}, {}{stars}",
                s.id,
                plural(*sessions, "session"),
                hours(*minutes),
                plural(*teachers, "teacher")
            )
        }
        StepState::InProgress { sessions } => format!("… {:<22} {sessions} agreed or under way", s.id),
        StepState::Next => format!("→ {:<22} next: {}", s.id, s.name),
        StepState::Later => format!("· {:<22} after {}", s.id, s.requires.join(", ")),
    }
}
