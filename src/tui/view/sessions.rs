//! Sessions: the inbox of negotiations grouped by what they need (yours to
//! answer first), with the selected one's terms, next step and chat.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;

use super::Screen;
use super::widgets::{ListTable, clip, detail, empty, label_value, safe, split};
use crate::app::local_text as local;
use crate::app::{AppState, SessionItem, Tab, next_step, session_label};
use crate::config::{KeyBindings, KeyChord};
use crate::market::{Phase, Role};
use crate::node::record::Stage;

pub fn render(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let t = screen.theme;
    if state.session_order.is_empty() {
        return empty("No sessions yet. Find a listing in Discover and propose one.", t, area, buf);
    }
    let (list, side) = split(area);
    let me = state.me();
    let rows = state
        .session_order
        .iter()
        .map(|&i| {
            let s = &state.snapshot.sessions[i];
            let when = s.negotiation.current_terms().map(|terms| local(terms.start, &state.tz)).unwrap_or_default();
            vec![session_label(s, &me, state.now).to_owned(), clip(&s.with_name, 14), s.title.clone(), when]
        })
        .collect();
    let widths = [Constraint::Length(17), Constraint::Length(14), Constraint::Min(10), Constraint::Length(16)];
    let selected = state.selected[Tab::Sessions.index()];
    ListTable {
        title: "Sessions",
        header: &["", "WITH", "ABOUT", "WHEN (YOUR TIME)"],
        widths: &widths,
        rows,
        first: 0,
        selected,
    }
    .render(t, list, buf);
    if let Some(item) = state.selected_session() {
        detail(&format!("with {}", item.with_name), lines(screen, item), t, side, buf);
    }
}

fn lines(screen: &Screen, item: &SessionItem) -> Vec<Line<'static>> {
    let state = screen.state;
    let t = screen.theme;
    let n = &item.negotiation;
    let me = state.me();
    let role = if n.teacher == me { "you teach" } else { "you learn" };
    let mut lines = vec![
        Line::styled(safe(&item.title), t.accent),
        label_value("state", format!("{} ({role})", n.phase.name()), t),
    ];
    if let Some(terms) = n.current_terms() {
        lines.push(label_value(
            "when",
            format!("{} ({} min agreed)", local(terms.start, &state.tz), terms.duration_minutes),
            t,
        ));
        // What the record counts, the same way the Portfolio will.
        if let Some((start, end)) = crate::endorse::cosign::credited_span(&n.phase) {
            let minutes = end.duration_since(start).as_mins();
            let until = local(end, &state.tz);
            lines.push(label_value("held", format!("until {}, {minutes} min", until.get(11..).unwrap_or(&until)), t));
        }
        // Both sides see when the time does not fit.
        if matches!(n.phase, Phase::Proposed { .. } | Phase::Rescheduling { .. } | Phase::Agreed) {
            let fit = crate::app::Fit::of(&state.snapshot, &n.listing, Some(item));
            for warning in fit.warnings_for(terms, &state.tz) {
                lines.push(Line::styled(format!("⚠ {}", safe(&warning)), t.bad));
            }
        }
        lines.push(label_value("price", terms.price.to_string(), t));
        if !terms.topic.is_empty() {
            lines.push(label_value("topic", terms.topic.clone(), t));
        }
    }
    lines.push(label_value("next", next_step(item, &me, state.now), t));
    if let Some(record) = item.to_approve() {
        let keys = &screen.keys.keys;
        lines.push(Line::raw(""));
        lines.push(Line::styled("The record you are asked to sign, word for word:", t.accent));
        lines.extend(super::record::lines(&record.record, &state.tz, t));
        lines.push(Line::styled(format!("record    {}", record.digest.short()), t.dim));
        let other = if n.teacher == me {
            format!("{} revises your part", crate::tui::label(&keys.endorse))
        } else {
            format!("{} declines it with a reason", crate::tui::label(&keys.decline))
        };
        lines.push(Line::styled(format!("{} signs exactly this · {other}", crate::tui::label(&keys.accept)), t.dim));
    }
    if !item.chat.is_empty() {
        lines.push(Line::raw(""));
        let skip = item.chat.len().saturating_sub(8);
        for (author, at, text) in item.chat.iter().skip(skip) {
            let who = if *author == me { "you".to_owned() } else { safe(&item.with_name) };
            // A message's own line breaks become spaces: it stays one entry.
            let text = safe(&text.replace(['\n', '\t'], " "));
            lines.push(Line::from(vec![
                ratatui::text::Span::styled(
                    format!("{} {who}: ", local(*at, &state.tz).get(11..).unwrap_or("")),
                    t.dim,
                ),
                ratatui::text::Span::raw(text),
            ]));
        }
        if item.chat_waiting > 0 {
            let waiting = match item.chat_waiting {
                1 => "your last message waits to be delivered".to_owned(),
                n => format!("your last {n} messages wait to be delivered"),
            };
            lines.push(Line::styled(format!("… {waiting} (they get it when they can be reached)"), t.dim));
        }
    }
    lines
}

/// The keys that apply to the selected session, and nothing else.
pub fn hints<'a>(state: &AppState, k: &'a KeyBindings) -> Vec<(&'a KeyChord, &'static str)> {
    let Some(item) = state.selected_session() else { return Vec::new() };
    let n = &item.negotiation;
    let me = state.me();
    let learner = n.role_of(&me) == Some(Role::Learner);
    let my_move = n.awaiting().is_some() && n.awaiting() == n.role_of(&me);
    let mut hints = match &n.phase {
        Phase::Proposed { .. } | Phase::Rescheduling { .. } if my_move => {
            vec![(&k.accept, "accept"), (&k.counter, "counter"), (&k.decline, "decline")]
        }
        Phase::Agreed => vec![(&k.start, "start"), (&k.counter, "reschedule"), (&k.cancel, "cancel")],
        Phase::InProgress { .. } => vec![(&k.complete, "complete")],
        Phase::Completed { .. } => match (item.stage(), learner) {
            (Some(Stage::Approve(_)), true) => vec![(&k.accept, "sign the record"), (&k.decline, "decline it")],
            (Some(Stage::Approve(_)), false) => vec![(&k.accept, "sign the record"), (&k.endorse, "revise")],
            (Some(Stage::GiveYourPart), _) => vec![(&k.endorse, "endorse")],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    hints.push((&k.chat, "message"));
    hints
}
