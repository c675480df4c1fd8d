//! Small drawing helpers shared by the views. Text from peers and files
//! goes through [`safe`] (or a helper that calls it) before it is drawn,
//! and [`scrub`] checks the finished frame: ratatui writes a cell's symbol
//! to the terminal as it is.

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
/// else the list above the detail. Side by side, the detail takes 40% and
/// at most 80 columns (its lines wrap), so the list's titles get the rest.
pub fn split(area: Rect) -> (Rect, Rect) {
    if area.width >= 110 {
        let detail = (area.width * 2 / 5).min(80);
        let [list, detail] = Layout::horizontal([Constraint::Min(1), Constraint::Length(detail)]).areas(area);
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
        let rows = rows.into_iter().map(|cells| Row::new(cells.into_iter().map(|c| Cell::from(owned_safe(c)))));
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
        .title(Line::styled(format!(" {} ", safe(title)), theme.title))
        .padding(ratatui::widgets::Padding::horizontal(1));
    Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(area, buf);
}

/// [`detail`], scrolled down `scroll` lines (as wrapped); the title says
/// when there is more above or below.
pub fn detail_scrolled(
    title: &str,
    lines: Vec<Line<'static>>,
    scroll: u16,
    theme: &Theme,
    area: Rect,
    buf: &mut Buffer,
) {
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let inner_width = area.width.saturating_sub(2);
    let total = paragraph.line_count(inner_width) as u16;
    let room = area.height.saturating_sub(1);
    let scroll = scroll.min(total.saturating_sub(room));
    let more = match (scroll > 0, scroll + room < total) {
        (false, false) => "",
        (false, true) => " · PgDn more",
        (true, true) => " · PgUp/PgDn",
        (true, false) => " · PgUp back",
    };
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Line::styled(format!(" {}{more} ", safe(title)), theme.title))
        .padding(ratatui::widgets::Padding::horizontal(1));
    paragraph.block(block).scroll((scroll, 0)).render(area, buf);
}

/// An empty list's explanation, centred.
pub fn empty(text: &str, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let inner = centered(area, area.width.saturating_sub(4), 3);
    Paragraph::new(text.to_owned()).style(theme.dim).wrap(Wrap { trim: true }).centered().render(inner, buf);
}

/// A framed box over the screen.
pub fn dialog(title: &str, area: Rect, theme: &Theme, buf: &mut Buffer) -> Rect {
    Clear.render(area, buf);
    let title = format!(" {} ", safe(title));
    let block = Block::bordered().title(Line::styled(title, theme.title)).border_style(theme.accent);
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// Escapes `text` (see [`crate::text::escape`]) and cuts it to `width`
/// characters, marking the cut.
pub fn clip(text: &str, width: usize) -> String {
    crate::cli::clip(text, width)
}

/// One line of a peer's or a file's text, escaped.
pub fn safe(text: &str) -> String {
    crate::text::escape(text).into_owned()
}

fn owned_safe(text: String) -> String {
    crate::cli::safe_row(text)
}

/// A label and its value (escaped: values are often a peer's words).
pub fn label_value(label: &str, value: impl Into<String>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        ratatui::text::Span::styled(format!("{label:<10} "), theme.dim),
        ratatui::text::Span::styled(owned_safe(value.into()), Style::default()),
    ])
}

/// A peer's text that may span lines (a description, a bio): one drawn
/// line per line of text, each escaped, tabs as spaces.
pub fn text_lines(text: &str, style: Style) -> Vec<Line<'static>> {
    text.split('\n').map(|line| Line::styled(safe(&line.replace('\t', "    ")), style)).collect()
}

/// Replaces any cell of `area` whose symbol still holds a control or
/// invisible character with U+FFFD: the last guard before the terminal.
pub fn scrub(area: Rect, buf: &mut Buffer) {
    let area = area.intersection(buf.area);
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &mut buf[(x, y)];
            let symbol = cell.symbol();
            let plain = symbol.bytes().all(|b| (0x20..0x7f).contains(&b));
            if !plain && symbol.chars().any(crate::text::needs_escape) {
                cell.set_symbol("\u{fffd}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use ratatui::text::Span;

    use super::*;

    fn raw_cells(buf: &Buffer) -> usize {
        buf.content().iter().filter(|c| c.symbol().chars().any(crate::text::needs_escape)).count()
    }

    #[test]
    fn ratatui_passes_format_characters_through_and_scrub_stops_them() {
        let area = Rect::new(0, 0, 20, 1);
        let mut buf = Buffer::empty(area);
        Line::from(vec![Span::raw("ab"), Span::raw("\u{202e}cd\u{200b}")]).render(area, &mut buf);
        assert!(raw_cells(&buf) > 0, "ratatui drops C0 and C1 but draws bidi and zero-width characters");
        scrub(area, &mut buf);
        assert_eq!(raw_cells(&buf), 0);
        assert!(buf.content().iter().any(|c| c.symbol() == "\u{fffd}"));
    }

    #[test]
    fn label_values_and_text_lines_are_escaped() {
        let theme = Theme::new(crate::config::Theme::Mono);
        let line = label_value("name", "Ada\u{1b}]0;x\u{7}", &theme);
        assert_eq!(line.spans[1].content, "Ada\\u{1b}]0;x\\u{7}");
        let lines = text_lines("one\u{202e}\ntwo\tend", theme.text);
        let texts: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        assert_eq!(texts, ["one\\u{202e}", "two    end"]);
    }
}
