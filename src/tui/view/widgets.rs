//! Small drawing helpers shared by the views.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, StatefulWidget, Table, TableState, Widget, Wrap};

use crate::tui::Theme;

/// A rectangle of at most `width` × `height`, centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let (w, h) = (width.min(area.width), height.min(area.height));
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

/// The list on the left and the detail on the right when wide enough,
/// else the list above the detail.
pub fn split(area: Rect) -> (Rect, Rect) {
    if area.width >= 110 {
        let [list, detail] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
        (list, detail)
    } else {
        let [list, detail] = Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
        (list, detail)
    }
}

/// A titled table of rows with one selected and kept in view.
pub struct ListTable<'a> {
    pub title: &'a str,
    pub header: &'a [&'a str],
    pub widths: &'a [Constraint],
    /// The rows drawn: all of them, or a window starting at `first`.
    pub rows: Vec<Vec<String>>,
    pub first: usize,
    pub selected: usize,
}

/// Which rows of `len` to build for a list `height` rows tall, keeping
/// `selected` in view (centred once past the first screenful), so a frame
/// costs the same for ten rows or ten thousand.
pub fn window(len: usize, selected: usize, height: u16) -> std::ops::Range<usize> {
    let height = usize::from(height.saturating_sub(2)).max(1);
    let first = selected.saturating_sub(height / 2).min(len.saturating_sub(height));
    first..(first + height).min(len)
}

impl ListTable<'_> {
    pub fn render(self, theme: &Theme, area: Rect, buf: &mut Buffer) {
        let ListTable { title, header, widths, rows, first, selected } = self;
        let selected = selected.saturating_sub(first);
        let block = Block::new().borders(Borders::TOP).title(Line::styled(format!(" {title} "), theme.title));
        let header = Row::new(header.iter().map(|h| Cell::from(h.to_string()))).style(theme.dim);
        let rows = rows.into_iter().map(|cells| Row::new(cells.into_iter().map(Cell::from)));
        let table = Table::new(rows, widths.to_vec())
            .header(header)
            .block(block)
            .row_highlight_style(theme.selected)
            .highlight_symbol("›");
        let mut state = TableState::default().with_selected(Some(selected));
        StatefulWidget::render(table, area, buf, &mut state);
    }
}

/// A detail pane: a titled block with wrapped lines.
pub fn detail(title: &str, lines: Vec<Line<'static>>, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Line::styled(format!(" {title} "), theme.title))
        .padding(ratatui::widgets::Padding::horizontal(1));
    Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(area, buf);
}

/// An empty list's explanation, centred.
pub fn empty(text: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let inner = centered(area, area.width.saturating_sub(4), 3);
    Paragraph::new(text.to_owned()).style(theme.dim).wrap(Wrap { trim: true }).centered().render(inner, buf);
}

/// A framed box over the screen.
pub fn dialog(title: &str, area: Rect, theme: &Theme, buf: &mut Buffer) -> Rect {
    Clear.render(area, buf);
    let block = Block::bordered().title(Line::styled(format!(" {title} "), theme.title)).border_style(theme.accent);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// Cuts `text` to `width` characters, marking the cut.
pub fn clip(text: &str, width: usize) -> String {
    crate::cli::clip(text, width)
}

pub fn label_value(label: &str, value: impl Into<String>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        ratatui::text::Span::styled(format!("{label:<10} "), theme.dim),
        ratatui::text::Span::styled(value.into(), Style::default()),
    ])
}
