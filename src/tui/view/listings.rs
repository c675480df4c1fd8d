//! My listings: what you offer and what you ask for, as the network sees it.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::Line;

use super::Screen;
use super::widgets::{ListTable, detail, empty, label_value, safe, split, text_lines};
use crate::app::Tab;
use crate::app::local_text as local;

pub fn render(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let t = screen.theme;
    if state.snapshot.own.is_empty() && state.snapshot.paused.is_empty() {
        let new = crate::tui::label(&screen.keys.keys.new);
        return empty(
            &format!("No listings yet. Press {new} to offer what you can teach or ask for what you want to learn."),
            t,
            area,
            buf,
        );
    }
    let (list, side) = split(area);
    let own = state.snapshot.own.iter().map(|l| (l, false));
    let paused = state.snapshot.paused.iter().map(|l| (l, true));
    let rows = own
        .chain(paused)
        .map(|(l, paused)| {
            let kind = if paused { "paused".to_owned() } else { l.kind.to_string() };
            vec![kind, l.title.clone(), l.skills.join(", "), l.price.to_string()]
        })
        .collect();
    let widths = [Constraint::Length(8), Constraint::Min(12), Constraint::Length(16), Constraint::Length(12)];
    let selected = state.selected[Tab::Listings.index()];
    ListTable {
        title: "My listings",
        header: &["KIND", "TITLE", "SKILLS", "PRICE"],
        widths: &widths,
        rows,
        first: 0,
        selected,
    }
    .render(t, list, buf);
    if let Some((l, paused)) = state.selected_own() {
        let placed = state.snapshot.placed_in(l, state.now);
        let refused = placed.as_ref().and_then(|(_, why)| why.clone()).filter(|_| !paused);
        let status = match (paused, &refused) {
            (true, _) => "paused: not on the network",
            (false, Some(_)) => "published, but its community no longer takes it",
            (false, None) => "published",
        };
        let mut lines = vec![
            Line::styled(safe(&l.title), t.accent),
            label_value("status", status, t),
            label_value("level", l.level.to_string(), t),
            label_value("where", l.format.to_string(), t),
            label_value("expires", local(l.expires_at, &state.tz), t),
            label_value("id", l.id.short(), t),
        ];
        if let Some((community, _)) = &placed {
            lines.insert(2, label_value("in", safe(&community.charter.name), t));
        }
        if let Some(why) = refused {
            lines.push(Line::raw(""));
            lines.extend(text_lines(&format!("Its members no longer take it: {why}."), t.bad));
            lines.extend(text_lines(
                "Ask a maintainer for an invitation (a ticket made with --invite and your did:key), \
                 join with it, then edit the listing to publish it again.",
                t.dim,
            ));
        }
        if !l.description.is_empty() {
            lines.push(Line::raw(""));
            lines.extend(text_lines(&l.description, t.text));
        }
        detail("Listing", lines, t, side, buf);
    }
}
