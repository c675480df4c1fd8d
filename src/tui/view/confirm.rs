//! A question as a dialog: what the action is about (scrolling when it
//! does not fit), then the question and the keys, always in view.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::Screen;
use super::widgets::{centered, dialog, label_value};
use crate::app::Confirm;

pub fn render(screen: &Screen, confirm: &Confirm, area: Rect, buf: &mut Buffer) {
    let t = screen.theme;
    let width = area.width.saturating_sub(2).min(90);
    let about: Vec<Line<'static>> =
        confirm.lines.iter().map(|(label, value)| label_value(label, value.clone(), t)).collect();
    let inner_width = width.saturating_sub(2).max(1);
    let wrapped = Paragraph::new(about.clone()).wrap(Wrap { trim: false }).line_count(inner_width) as u16;
    // Borders (2), a gap, the question (2) and the keys.
    let height = (wrapped + 6).min(area.height);
    let inner = dialog(&confirm.title, centered(area, width, height), t, buf);
    let [body, gap, question, keys] =
        Layout::vertical([Constraint::Min(1), Constraint::Length(1), Constraint::Length(2), Constraint::Length(1)])
            .areas(inner);
    let _ = gap;
    let room = body.height;
    let scroll = confirm.scroll.min(wrapped.saturating_sub(room));
    Paragraph::new(about).wrap(Wrap { trim: false }).scroll((scroll, 0)).render(body, buf);
    Paragraph::new(Line::styled(confirm.question.clone(), t.accent)).wrap(Wrap { trim: false }).render(question, buf);
    let more = if wrapped > room { "  ↑↓ scroll" } else { "" };
    Paragraph::new(Line::styled(format!("enter or y: yes   esc or n: no{more}"), t.dim)).render(keys, buf);
}
