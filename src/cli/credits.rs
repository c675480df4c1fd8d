//! `agora credits`: your time-credit balance, recomputed from the
//! co-signed endorsements in your store (hours taught minus hours learned,
//! every hour equal), with the time exchanged with each counterpart. Works
//! beside a running agora.

use std::io::Write;
use std::process::ExitCode;

use serde::Serialize;

use super::Context;
use super::show::clip;
use crate::endorse::timebank::{Exchange, Timebank, hours};
use crate::identity::{PublicKey, did_key_from_public};
use crate::text::to_json_line;

#[derive(clap::Args, Debug)]
pub struct CreditsArgs {
    /// One JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The timebank as scripts see it (minutes, exact).
#[derive(Serialize)]
struct CreditsJson {
    did: String,
    minutes_taught: i64,
    minutes_learned: i64,
    balance_minutes: i64,
    sessions: usize,
    /// The limit you require of learners on credits-priced listings, if any.
    debt_limit_minutes: Option<i64>,
    counterparts: Vec<CounterpartJson>,
}

#[derive(Serialize)]
struct CounterpartJson {
    did: String,
    fingerprint: String,
    name: String,
    minutes_taught: i64,
    minutes_learned: i64,
    balance_minutes: i64,
    sessions: usize,
}

pub fn run(ctx: &Context, args: CreditsArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let config = ctx.config()?;
    let me = ctx.identity()?.public();
    let store = ctx.store_to_read()?;
    let bank = Timebank::of(&me, &store.endorsements()?);
    let limit = config.credits.debt_limit().map(|l| l.minutes);
    if args.json {
        writeln!(out, "{}", to_json_line(&as_json(&me, &bank, limit))?)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "balance   {} h", signed(bank.balance_minutes()))?;
    writeln!(out, "taught    {} h", hours(bank.minutes_taught))?;
    writeln!(out, "learned   {} h", hours(bank.minutes_learned))?;
    let plural = if bank.sessions == 1 { "" } else { "s" };
    writeln!(out, "from      {} co-signed endorsement{plural}", bank.sessions)?;
    match limit {
        Some(minutes) => writeln!(
            out,
            "limit     {} h (the least a learner may hold after a session on your credits listings)",
            hours(minutes)
        )?,
        None => writeln!(out, "limit     none (you accept learners whatever their balance)")?,
    }
    if bank.counterparts.is_empty() {
        writeln!(out, "\n(no sessions yet: each completed, co-signed session moves the balance)")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "\n{:<10}  {:<24}  {:>8}  {:>8}  {:>8}  {:>8}",
        "PEER", "WITH", "TAUGHT", "LEARNED", "BALANCE", "SESSIONS"
    )?;
    for (key, e) in by_balance(&bank) {
        writeln!(
            out,
            "{:<10}  {:<24}  {:>8}  {:>8}  {:>8}  {:>8}",
            key.fingerprint(),
            clip(&e.name, 24),
            hours(e.minutes_taught),
            hours(e.minutes_learned),
            signed(e.balance_minutes()),
            e.sessions
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn as_json(me: &PublicKey, bank: &Timebank, debt_limit_minutes: Option<i64>) -> CreditsJson {
    CreditsJson {
        did: did_key_from_public(me),
        minutes_taught: bank.minutes_taught,
        minutes_learned: bank.minutes_learned,
        balance_minutes: bank.balance_minutes(),
        sessions: bank.sessions,
        debt_limit_minutes,
        counterparts: by_balance(bank)
            .into_iter()
            .map(|(key, e)| CounterpartJson {
                did: did_key_from_public(key),
                fingerprint: key.fingerprint(),
                name: e.name.clone(),
                minutes_taught: e.minutes_taught,
                minutes_learned: e.minutes_learned,
                balance_minutes: e.balance_minutes(),
                sessions: e.sessions,
            })
            .collect(),
    }
}

/// Counterparts, the ones you taught most (net) first.
fn by_balance(bank: &Timebank) -> Vec<(&PublicKey, &Exchange)> {
    let mut all: Vec<_> = bank.counterparts.iter().collect();
    all.sort_by_key(|(key, e)| (std::cmp::Reverse(e.balance_minutes()), **key));
    all
}

/// `+1.5`, `−2`, `0`.
fn signed(minutes: i64) -> String {
    if minutes > 0 { format!("+{}", hours(minutes)) } else { hours(minutes) }
}
