//! Discover: every live listing from the communities, searched as you type,
//! with the selected listing, its author and their verified track record.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::Screen;
use super::widgets::{ListTable, clip, detail, empty, label_value, safe, split, text_lines, window};
use crate::app::{ListingItem, Mode, Place, Tab};
use crate::community::CommunityId;

pub fn render(screen: &Screen, area: Rect, buf: &mut Buffer) {
    let state = screen.state;
    let t = screen.theme;
    let [bar, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let searching = state.mode == Mode::Search;
    let level = state.filter.level.map(|l| l.to_string()).unwrap_or_else(|| "any level".into());
    let mut language = state.filter.language.as_ref().map(|l| format!(" · speaks {}", safe(l))).unwrap_or_default();
    if state.filter.overlapping.is_some() {
        language.push_str(" · fits your times");
    }
    if let Some(minimum) = state.filter.min_rating {
        language.push_str(&format!(" · rated ≥{minimum}"));
    }
    let place = match state.filter.place {
        Place::Everywhere => String::new(),
        Place::Open => " · open directory".to_owned(),
        Place::In(id) => format!(" · in {}", clip(&community_name(screen, id), 24)),
    };
    let hidden =
        state.snapshot.listings.iter().filter(|l| l.hidden.is_some() && state.filter.place.admits(l.community)).count();
    let hidden = match (hidden, state.filter.show_hidden) {
        (0, _) => String::new(),
        (n, false) => format!(" · {n} hidden ({} shows)", crate::tui::label(&screen.keys.keys.show_hidden)),
        (n, true) => format!(" · showing {n} hidden"),
    };
    let filters = format!(
        "  ·  {}{place} · {} · {level}{language}{hidden} · {} of {}",
        state.filter.kind.label(),
        state.filter.price.label(),
        state.visible.len(),
        state.snapshot.listings.len()
    );
    // A long query shows its end, where typing happens; the counts stay.
    let room = (bar.width as usize).saturating_sub(9 + filters.chars().count() + 1).max(1);
    let query = if state.filter.query.is_empty() && !searching {
        Span::styled(format!("{} to search", crate::tui::label(&screen.keys.keys.search)), t.dim)
    } else {
        let chars: Vec<char> = safe(&state.filter.query).chars().collect();
        let shown: String = chars[chars.len().saturating_sub(room)..].iter().collect();
        Span::styled(format!("{shown}{}", if searching { "▏" } else { "" }), t.accent)
    };
    Paragraph::new(Line::from(vec![Span::raw(" search: "), query, Span::styled(filters, t.dim)])).render(bar, buf);

    if state.visible.is_empty() {
        let why = if state.snapshot.listings.is_empty() {
            "No listings yet. They arrive as peers are found: share your ticket (Network tab) or paste someone's."
        } else {
            "Nothing matches. Esc clears the search."
        };
        return empty(why, t, rest, buf);
    }
    let (list, side) = split(rest);
    let name_width = if list.width > 90 { 16 } else { 12 };
    let selected = state.selected[Tab::Discover.index()];
    let shown = window(state.visible.len(), selected, list.height);
    let first = shown.start;
    let rows = state.visible[shown]
        .iter()
        .map(|&i| {
            let item = &state.snapshot.listings[i];
            let l = &item.listing;
            vec![
                if l.kind == crate::market::ListingKind::Offer { "teach" } else { "learn" }.to_owned(),
                l.title.clone(),
                l.skill().to_owned(),
                l.price.to_string(),
                clip(&item.author_name, name_width),
            ]
        })
        .collect();
    let widths = [
        Constraint::Length(5),
        Constraint::Min(12),
        Constraint::Length(10),
        Constraint::Length(12),
        Constraint::Length(name_width as u16),
    ];
    ListTable {
        title: "Listings",
        header: &["", "TITLE", "SKILL", "PRICE", "BY"],
        widths: &widths,
        rows,
        first,
        selected,
    }
    .render(t, list, buf);
    if let Some(item) = state.selected_listing() {
        detail(&item.author_name.clone(), detail_lines(screen, item), t, side, buf);
    }
}

/// A community's name as its charter here says, or its short id.
fn community_name(screen: &Screen, id: CommunityId) -> String {
    screen.state.snapshot.communities.iter().find(|c| c.id == id).map_or_else(|| id.short(), |c| c.charter.name.clone())
}

fn detail_lines(screen: &Screen, item: &ListingItem) -> Vec<Line<'static>> {
    let t = screen.theme;
    let l = &item.listing;
    let mut lines = vec![Line::styled(safe(&l.title), t.accent)];
    if let Some(reason) = &item.hidden {
        lines.push(Line::styled(format!("hidden by a maintainer: {}", safe(reason)), t.bad));
    }
    if let Some(id) = item.community {
        lines.push(label_value("in", community_name(screen, id), t));
    }
    lines.extend([
        label_value(
            if l.kind == crate::market::ListingKind::Offer { "teaches" } else { "wants" },
            l.skills.join(", "),
            t,
        ),
        label_value("level", l.level.to_string(), t),
        label_value("price", l.price.to_string(), t),
        label_value("where", l.format.to_string(), t),
    ]);
    if !l.availability.windows.is_empty() {
        let windows: Vec<String> = l.availability.windows.iter().map(|w| w.to_string()).collect();
        lines.push(label_value("when", format!("{} ({})", windows.join(", "), l.availability.time_zone), t));
        // The same windows in the viewer's own zone, when it differs.
        let state = screen.state;
        let mine = state.tz.iana_name().unwrap_or("UTC");
        let yours = l.availability.in_zone(&state.tz, state.now);
        if mine != l.availability.time_zone && yours != windows.join(", ") {
            lines.push(label_value("your time", format!("{yours} ({mine})"), t));
        }
    }
    if !l.description.is_empty() {
        lines.push(Line::raw(""));
        lines.extend(text_lines(&l.description, t.text));
    }
    lines.push(Line::raw(""));
    if let Some(profile) = screen.state.snapshot.profiles.get(&item.author) {
        if !profile.bio.is_empty() {
            lines.extend(text_lines(&profile.bio, t.dim));
        }
        let languages = if profile.languages.is_empty() { "—".into() } else { profile.languages.join(", ") };
        lines.push(label_value("speaks", languages, t));
        lines.push(label_value("lives in", profile.time_zone.clone(), t));
        lines.push(Line::raw(""));
    }
    lines.extend(super::standing::lines(screen, item));
    lines
}
