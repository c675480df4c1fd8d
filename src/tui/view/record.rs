//! An endorsement's claims as lines of a detail pane: what the Portfolio
//! shows of a record held, and what Sessions shows of a record waiting to
//! be signed (so both read the same way).

use ratatui::text::Line;

use super::widgets::label_value;
use crate::endorse::Endorsement;
use crate::tui::Theme;

pub fn lines(e: &Endorsement, tz: &jiff::tz::TimeZone, t: &Theme) -> Vec<Line<'static>> {
    crate::app::record_fields(e, tz).into_iter().map(|(label, value)| label_value(&label, value, t)).collect()
}
