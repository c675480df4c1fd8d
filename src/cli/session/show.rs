//! `agora session show ID`: one session as a person reads it (times in the
//! profile's zone, named), with what comes next and, when a record waits
//! for this user's signature, that record word for word and its digest;
//! or one JSON object with the same, for scripts.

use std::io::Write;
use std::process::ExitCode;

use serde_json::json;

use super::{Target, session};
use crate::app::{SessionItem, next_step, record_fields};
use crate::cli::Context;
use crate::cli::sessions::{line, name_of};
use crate::node::record::{Stage, ToApprove, progress};
use crate::text::{safe, to_json_line};

pub fn run(ctx: &Context, target: &Target, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let n = session(ctx, &target.id)?;
    let store = ctx.store_to_read()?;
    let me = ctx.identity()?.public();
    let now = crate::cli::now();
    let config = ctx.config()?;
    let zone = ctx.time_zone(&config);
    let tz = jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let with = if n.teacher == me { n.learner } else { n.teacher };
    let progress = match n.phase {
        crate::market::Phase::Completed { .. } => Some(progress(&store, &me, &n, now)?),
        _ => None,
    };
    let messages = store.chat(&n.id)?;
    let chat_waiting = crate::app::chat_waiting(&store, &me, &with, &messages)?;
    let chat: Vec<_> = messages.into_iter().map(|m| (m.author(), m.timestamp(), m.value().text.clone())).collect();
    let item = SessionItem {
        negotiation: n.clone(),
        with,
        with_name: name_of(&store, &with),
        title: n.skill.clone(),
        chat,
        chat_waiting,
        progress,
    };
    let next = next_step(&item, &me, now);
    let to_approve = item.to_approve();
    let declined = item.progress.as_ref().and_then(|p| p.declined.clone());
    let when = |at: jiff::Timestamp| at.to_zoned_datetime(tz.clone()).strftime("%a %-d %b %Y %H:%M").to_string();
    if target.json {
        let mut value = serde_json::to_value(line(&store, &n, &me, &tz, now))?;
        value["zone"] = json!(zone);
        value["next"] = json!(next);
        value["declined"] = json!(declined);
        value["record"] = match to_approve {
            Some(r) => {
                let mut fields = serde_json::Map::new();
                for (label, text) in record_fields(&r.record, &tz) {
                    fields.insert(label, json!(text));
                }
                fields.insert("minutes".into(), json!(r.record.minutes()));
                fields.insert("digest".into(), json!(r.digest.to_string()));
                serde_json::Value::Object(fields)
            }
            None => serde_json::Value::Null,
        };
        value["chat_waiting"] = json!(item.chat_waiting);
        value["endorsed"] = json!(matches!(item.stage(), Some(Stage::Endorsed)));
        value["chat"] = item
            .chat
            .iter()
            .map(|(from, at, text)| json!({ "from": crate::identity::did_key_from_public(from), "at": at.to_string(), "text": text }))
            .collect();
        writeln!(out, "{}", to_json_line(&value)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    let role = if n.teacher == me { "you teach" } else { "you learn" };
    writeln!(out, "session   {}", n.id.to_hex())?;
    writeln!(out, "with      {} ({})", safe(&item.with_name), crate::identity::did_key_from_public(&with))?;
    writeln!(out, "skill     {} ({role})", safe(&n.skill))?;
    writeln!(out, "state     {}", n.phase.name())?;
    if let Some(terms) = n.current_terms() {
        writeln!(out, "when      {} ({zone}), {} min", when(terms.start), terms.duration_minutes)?;
        writeln!(out, "price     {}", terms.price)?;
        if !terms.topic.is_empty() {
            writeln!(out, "topic     {}", safe(&terms.topic))?;
        }
    }
    writeln!(out, "next      {}", safe(&next))?;
    if let Some(waiting) = to_approve {
        writeln!(out)?;
        writeln!(out, "The record you are asked to sign, word for word:")?;
        record(waiting, &tz, out)?;
        writeln!(out, "Sign it: agora session approve {} (or --digest {} in a script)", n.id.short(), waiting.digest)?;
    }
    if !item.chat.is_empty() {
        writeln!(out)?;
        for (from, at, text) in item.chat.iter().rev().take(10).rev() {
            let who = if *from == me { "you".to_owned() } else { item.with_name.clone() };
            writeln!(out, "{} {}: {}", when(*at), safe(&who), safe(&text.replace(['\n', '\t'], " ")))?;
        }
        if item.chat_waiting > 0 {
            writeln!(out, "({} of your messages wait to be delivered)", item.chat_waiting)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A record's claims, a line each, and its digest.
pub fn record(record: &ToApprove, tz: &jiff::tz::TimeZone, out: &mut impl Write) -> anyhow::Result<()> {
    for (label, text) in record_fields(&record.record, tz) {
        writeln!(out, "  {label:<9} {}", safe(&text))?;
    }
    writeln!(out, "  {:<9} {}", "digest", record.digest)?;
    Ok(())
}
