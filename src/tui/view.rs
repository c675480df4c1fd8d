//! The whole screen: tabs on top, the current tab's view, a footer with the
//! keys that matter here (or the latest notice), and overlays for help and
//! forms.

mod communities;
mod confirm;
mod discover;
mod form;
mod help;
mod listings;
mod network;
mod portfolio;
mod record;
mod sessions;
mod standing;
mod widgets;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::{Keymap, Theme, label};
use crate::app::{AppState, Mode, Tab};
use crate::config::KeyChord;

/// What one frame draws.
pub struct Screen<'a> {
    pub state: &'a AppState,
    pub keys: &'a Keymap,
    pub theme: &'a Theme,
}

impl Widget for &Screen<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        // A notice longer than the line wraps onto up to three lines, so a
        // refusal's reason is read in full on a narrow terminal.
        let footer_lines = match &self.state.notice {
            Some(notice) if area.width > 0 => {
                let shown = crate::text::escape(&notice.text).chars().count();
                (shown as u16 + 1).div_ceil(area.width).clamp(1, 3).min(area.height / 4).max(1)
            }
            _ => 1,
        };
        let [top, body, bottom] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1), Constraint::Length(footer_lines)]).areas(area);
        self.tabs(top, buf);
        match self.state.tab {
            Tab::Discover => discover::render(self, body, buf),
            Tab::Sessions => sessions::render(self, body, buf),
            Tab::Listings => listings::render(self, body, buf),
            Tab::Portfolio => portfolio::render(self, body, buf),
            Tab::Network => network::render(self, body, buf),
            Tab::Communities => communities::render(self, body, buf),
        }
        self.footer(bottom, buf);
        match &self.state.mode {
            Mode::Help(scroll) => help::render(self, *scroll, body, buf),
            Mode::Form(form) => form::render(self, form, body, buf),
            Mode::Confirm(confirm) => confirm::render(self, confirm, body, buf),
            _ => {}
        }
        widgets::scrub(area, buf);
    }
}

impl Screen<'_> {
    fn tabs(&self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        let narrow = area.width < 100;
        let mut spans = vec![Span::styled(if narrow { " agora" } else { " agora " }, t.title)];
        for (i, tab) in Tab::ALL.iter().enumerate() {
            let title = if narrow { tab.short_title() } else { tab.title() };
            let mut name = format!(" {} {title} ", i + 1);
            if *tab == Tab::Sessions && self.state.needing_you() > 0 {
                name = format!(" {} {title} ({}) ", i + 1, self.state.needing_you());
            }
            let style = if *tab == self.state.tab { t.selected } else { t.dim };
            spans.push(Span::styled(name, style));
        }
        // People known (not blocked), and how many are linked right now
        // (gossip neighbours): two numbers, each named, so neither is read
        // as the other.
        let peers = self.state.network.neighbors.len();
        let people = self.state.snapshot.peers.iter().filter(|p| !p.blocked).count();
        let status = if narrow {
            format!(" {peers}⇄ ")
        } else {
            format!(" {people} {} · {peers} linked ", if people == 1 { "person" } else { "people" })
        };
        let used: usize = spans.iter().map(|s| s.width()).sum();
        let room = (area.width as usize).saturating_sub(used + status.chars().count());
        spans.push(Span::raw(" ".repeat(room)));
        spans.push(Span::styled(status, if peers > 0 { t.good } else { t.dim }));
        Paragraph::new(Line::from(spans)).render(area, buf);
    }

    fn footer(&self, area: Rect, buf: &mut Buffer) {
        let t = self.theme;
        if let Some(notice) = &self.state.notice {
            let style = if notice.error { t.bad } else { t.good };
            // A notice often quotes a node's error, and so a peer's words.
            Paragraph::new(Line::styled(format!(" {}", widgets::safe(&notice.text)), style))
                .wrap(ratatui::widgets::Wrap { trim: false })
                .render(area, buf);
            return;
        }
        let k = &self.keys.keys;
        let hints: Vec<(&KeyChord, &str)> = match (&self.state.mode, self.state.tab) {
            (Mode::Form(_), _) => {
                return self.hint_line(area, buf, &[("enter", "submit"), ("tab", "next field"), ("esc", "cancel")]);
            }
            (Mode::Search, _) => {
                return self.hint_line(area, buf, &[("enter", "done"), ("esc", "clear"), ("↑↓", "move")]);
            }
            (Mode::Help(_), _) => return self.hint_line(area, buf, &[("↑↓", "scroll"), ("any other key", "close")]),
            (Mode::Confirm(_), _) => {
                return self.hint_line(area, buf, &[("enter", "yes"), ("esc", "no"), ("↑↓", "scroll")]);
            }
            (_, Tab::Discover) => vec![
                (&k.search, "search"),
                (&k.propose, "propose"),
                (&k.filter_kind, "kind"),
                (&k.filter_price, "price"),
            ],
            (_, Tab::Sessions) => sessions::hints(self.state, k),
            (_, Tab::Listings) => {
                vec![(&k.new, "new"), (&k.edit, "edit"), (&k.pause, "pause"), (&k.delete, "withdraw")]
            }
            (_, Tab::Portfolio) => vec![(&k.export, "export"), (&k.new, "present")],
            (_, Tab::Network) => {
                let selected = self.state.snapshot.peers.get(self.state.selected[Tab::Network.index()]);
                let block = if selected.is_some_and(|p| p.blocked) { "unblock" } else { "block" };
                vec![(&k.connect, "connect"), (&k.block, block), (&k.edit, "profile")]
            }
            (_, Tab::Communities) => {
                let selected = self.state.snapshot.communities.get(self.state.selected[Tab::Communities.index()]);
                let mut hints = vec![(&k.new, "found"), (&k.connect, "join by ticket")];
                match selected {
                    Some(c) if c.joined => hints.push((&k.join, "leave")),
                    Some(_) => hints.push((&k.join, "join")),
                    None => {}
                }
                hints
            }
        };
        let mut pairs: Vec<(String, &str)> = hints.into_iter().map(|(c, what)| (label(c), what)).collect();
        if self.state.demo {
            pairs.push((label(&k.fast_forward), "skip ahead"));
        }
        pairs.push((label(&k.help), "help"));
        pairs.push((label(&k.quit), "quit"));
        let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, w)| (k.as_str(), *w)).collect();
        self.hint_line(area, buf, &borrowed);
    }

    fn hint_line(&self, area: Rect, buf: &mut Buffer, hints: &[(&str, &str)]) {
        let mut spans = vec![Span::raw(" ")];
        for (key, what) in hints {
            spans.push(Span::styled(key.to_string(), self.theme.accent));
            spans.push(Span::styled(format!(" {what}  "), self.theme.dim));
        }
        Paragraph::new(Line::from(spans)).render(area, buf);
    }
}

/// Which tab title is at column `x` of the top line, as drawn for `state`.
pub fn tab_at(x: u16, state: &AppState) -> Option<Tab> {
    let (width, _) = crossterm::terminal::size().ok()?;
    let narrow = width < 100;
    let mut at = if narrow { 6 } else { 7 };
    for (i, tab) in Tab::ALL.iter().enumerate() {
        let title = if narrow { tab.short_title() } else { tab.title() };
        let mut len = format!(" {} {title} ", i + 1).chars().count() as u16;
        if *tab == Tab::Sessions && state.needing_you() > 0 {
            len += format!("({}) ", state.needing_you()).chars().count() as u16;
        }
        if (at..at + len).contains(&x) {
            return Some(*tab);
        }
        at += len;
    }
    None
}
