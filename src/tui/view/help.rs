//! The help overlay: every key, as configured, in context.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::Screen;
use super::widgets::{centered, dialog};
use crate::tui::label;

pub fn render(screen: &Screen, scroll: u16, area: Rect, buf: &mut Buffer) {
    let k = &screen.keys.keys;
    let t = screen.theme;
    let sections: Vec<(&str, Vec<(String, &str)>)> = vec![
        (
            "Everywhere",
            vec![
                (label(&k.next_tab), "next tab (also →, or 1-6)"),
                (label(&k.prev_tab), "previous tab (also ←)"),
                (format!("{} {} ↑↓", label(&k.up), label(&k.down)), "move"),
                (label(&k.open), "open / submit"),
                (label(&k.back), "back, clear"),
                (label(&k.connect), "connect with a ticket"),
                (label(&k.help), "this help"),
                (label(&k.quit), "quit (also ctrl-c)"),
            ],
        ),
        (
            "Discover",
            vec![
                (label(&k.search), "search as you type"),
                (label(&k.filter_kind), "offers / requests"),
                (label(&k.filter_price), "free / credits / money"),
                (label(&k.filter_level), "level"),
                (label(&k.filter_language), "language spoken"),
                (label(&k.filter_overlap), "times that fit yours"),
                (label(&k.filter_rating), "minimum rating"),
                (label(&k.filter_community), "everywhere / open / a community"),
                (label(&k.show_hidden), "show what maintainers hid"),
                (label(&k.propose), "propose a session"),
                (label(&k.block), "block the author"),
                (label(&k.pin), "pin / unpin the author"),
            ],
        ),
        (
            "Sessions",
            vec![
                (label(&k.accept), "accept; sign the record you read"),
                (label(&k.counter), "counter / reschedule"),
                (label(&k.decline), "decline; decline the record"),
                (label(&k.cancel), "cancel"),
                (label(&k.start), "start (when it is time)"),
                (label(&k.complete), "complete"),
                (label(&k.chat), "message"),
                (label(&k.endorse), "endorse (or revise) after it ends"),
            ],
        ),
        (
            "My listings",
            vec![
                (label(&k.new), "new listing"),
                (label(&k.edit), "edit"),
                (label(&k.pause), "pause / resume"),
                (label(&k.delete), "withdraw"),
            ],
        ),
        ("Portfolio", vec![(label(&k.export), "export for `agora verify`"), (label(&k.new), "present, signed by you")]),
        (
            "Network",
            vec![
                (label(&k.edit), "your profile"),
                (label(&k.block), "block / unblock a peer"),
                (label(&k.pin), "pin a peer"),
            ],
        ),
        (
            "Communities",
            vec![
                (label(&k.new), "found a community"),
                (label(&k.connect), "join one by its ticket"),
                (label(&k.join), "join / leave the selected one"),
                (label(&k.validate), "ask a hub to validate your path"),
            ],
        ),
    ];
    let mut sections = sections;
    let mut split = 2;
    if screen.state.demo {
        sections.insert(2, ("Demo", vec![(label(&k.fast_forward), "skip to the next session moment")]));
        split = 3;
    }
    // Two columns: the general keys on the left, each screen's on the right.
    let (left, right) = sections.split_at(split);
    let column = |sections: &[(&str, Vec<(String, &str)>)]| -> Vec<Line<'static>> {
        let mut lines = Vec::new();
        for (title, keys) in sections {
            lines.push(Line::styled(title.to_string(), t.title));
            for (key, what) in keys {
                lines
                    .push(Line::from(vec![Span::styled(format!(" {key:<10}"), t.accent), Span::raw(what.to_string())]));
            }
        }
        lines
    };
    let (left, right) = (column(left), column(right));
    let title = "Keys (change them in config.toml; ↑↓ scroll)";
    // Two columns when both fit side by side, else one; either scrolls.
    if area.width >= 100 {
        let height = (left.len().max(right.len()) as u16 + 2).min(area.height);
        let inner = dialog(title, centered(area, 96, height), t, buf);
        let [l, r] = Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(inner);
        let wrapped = |lines: &Vec<Line<'static>>| Paragraph::new(lines.clone()).wrap(Wrap { trim: false });
        let longest = wrapped(&left).line_count(l.width).max(wrapped(&right).line_count(r.width)) as u16;
        let scroll = scroll.min(longest.saturating_sub(inner.height));
        wrapped(&left).scroll((scroll, 0)).render(l, buf);
        wrapped(&right).scroll((scroll, 0)).render(r, buf);
    } else {
        let mut all = left;
        all.extend(right);
        let height = (all.len() as u16 + 2).min(area.height);
        let inner = dialog(title, centered(area, area.width, height), t, buf);
        let text = Paragraph::new(all).wrap(Wrap { trim: false });
        let scroll = scroll.min((text.line_count(inner.width) as u16).saturating_sub(inner.height));
        text.scroll((scroll, 0)).render(inner, buf);
    }
}
