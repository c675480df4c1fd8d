//! A form as a dialog: one line per field, the focused one marked, its
//! hint or error beneath it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::Screen;
use super::widgets::{centered, dialog, safe};
use crate::app::{FieldKind, Form};

pub fn render(screen: &Screen, form: &Form, area: Rect, buf: &mut Buffer) {
    let t = screen.theme;
    let width = area.width.saturating_sub(4).min(90);
    let value_width = (width as usize).saturating_sub(19);
    let mut lines = Vec::new();
    for (i, field) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        let value = match &field.kind {
            FieldKind::Choice { options, selected } => {
                format!("‹ {} ›", safe(options.get(*selected).map(String::as_str).unwrap_or("")))
            }
            _ => {
                // Show the end of long text, where typing happens (escaped:
                // a paste or a peer's words may carry invisible characters).
                let chars: Vec<char> = safe(&field.value).chars().collect();
                let start = chars.len().saturating_sub(value_width.saturating_sub(1));
                let mut shown: String = chars[start..].iter().collect();
                if focused {
                    shown.push('▏');
                }
                shown
            }
        };
        let marker = if focused { "›" } else { " " };
        lines.push(Line::from(vec![
            Span::styled(format!("{marker} {:<15} ", field.label), if focused { t.accent } else { t.dim }),
            Span::styled(value, if focused { t.selected } else { t.text }),
        ]));
        match &form.error {
            Some((at, message)) if *at == i => {
                lines.push(Line::styled(format!("  {:<15} {}", "", safe(message)), t.bad))
            }
            _ if focused => lines.push(Line::styled(format!("  {:<15} {}", "", field.hint), t.dim)),
            _ => {}
        }
    }
    // Warnings about the time: shown, not refused.
    for warning in form.warnings(&screen.state.tz) {
        lines.push(Line::styled(format!("  ⚠ {}", safe(&warning)), t.bad));
    }
    // Long hints and warnings wrap rather than being cut.
    let text = Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false });
    let height = (text.line_count(width.saturating_sub(2)) as u16 + 2).min(area.height);
    let inner = dialog(&form.title, centered(area, width, height), t, buf);
    text.render(inner, buf);
}
