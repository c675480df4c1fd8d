//! Portfolio: your co-signed endorsements as learner and as teacher, as a
//! learner record (grouped by the community whose curriculum has the
//! skill, then by skill), hubs' validations beside what they validate, the
//! hours on each side, and the time-credit balance they imply.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget};

use super::Screen;
use super::widgets::{ListTable, clip, detail, empty, label_value, safe, split};
use crate::app::Tab;
use crate::app::local_text as local;

pub fn render(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let t = screen.theme;
    let me = state.me();
    let all = &state.snapshot.endorsements;
    let bank = state.snapshot.timebank();
    let [summary, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let balance = bank.balance_minutes() as f64 / 60.0;
    Paragraph::new(Line::styled(
        format!(
            " taught {:.1} h · learned {:.1} h · time credits {balance:+.1} · {} endorsement{}{}",
            bank.minutes_taught as f64 / 60.0,
            bank.minutes_learned as f64 / 60.0,
            all.len(),
            if all.len() == 1 { "" } else { "s" },
            match state.snapshot.validations.len() {
                0 => String::new(),
                1 => " · 1 hub validation".to_owned(),
                n => format!(" · {n} hub validations"),
            }
        ),
        t.accent,
    ))
    .render(summary, buf);
    if all.is_empty() {
        return empty("No endorsements yet. Each completed session ends with one, signed by you both.", t, rest, buf);
    }
    let (list, side) = split(rest);
    let rows = all
        .iter()
        .map(|e| {
            let (role, other) = if e.teacher.key == me { ("taught", &e.learner) } else { ("learned", &e.teacher) };
            let community = state.snapshot.community_of_skill(&e.skill).map(|(c, _)| c.charter.name.as_str());
            let validated = state.snapshot.validations.iter().any(|v| v.evidence.contains(&e.id));
            vec![
                local(e.start, &state.tz).get(..10).unwrap_or("").to_owned(),
                role.to_owned(),
                format!("{}{}", e.skill, if validated { " ✓" } else { "" }),
                clip(community.unwrap_or("—"), 14),
                clip(&other.name, 16),
                format!("{}/5", e.rating),
            ]
        })
        .collect();
    let widths = [
        Constraint::Length(10),
        Constraint::Length(7),
        Constraint::Min(8),
        Constraint::Length(14),
        Constraint::Length(16),
        Constraint::Length(4),
    ];
    let selected = state.selected[Tab::Portfolio.index()];
    ListTable {
        title: "Endorsements",
        header: &["DATE", "", "SKILL", "IN", "WITH", "★"],
        widths: &widths,
        rows,
        first: 0,
        selected,
    }
    .render(t, list, buf);
    if let Some(e) = all.get(selected) {
        let mut lines = super::record::lines(e, &state.tz, t);
        if let Some((community, name)) = state.snapshot.community_of_skill(&e.skill) {
            lines.push(label_value("in", format!("{}: {name}", community.charter.name), t));
        }
        for v in state.snapshot.validations.iter().filter(|v| v.evidence.contains(&e.id)) {
            lines.push(Line::styled(format!("✓ validated by {}: {}", safe(&v.hub.name), safe(&v.statement)), t.good));
        }
        lines.push(Line::raw(""));
        match state.inspections.get(&e.id) {
            Some(checks) => {
                lines.extend(checks.iter().map(|(text, ok)| Line::styled(safe(text), if *ok { t.good } else { t.bad })))
            }
            None => lines.push(Line::styled("Signed by both (verified when stored)", t.good)),
        }
        let keys = &screen.keys.keys;
        lines.push(Line::styled(format!("{} exports it for `agora verify`", crate::tui::label(&keys.export)), t.dim));
        lines.push(Line::styled(
            format!("{} presents your endorsements, signed by you", crate::tui::label(&keys.new)),
            t.dim,
        ));
        detail("Endorsement", lines, t, side, buf);
    }
}
