//! Discover's account of a listing's author: their verified track record
//! (overall and in the listing's skill: sessions, hours, people, the stars
//! their learners gave, how recent) and their trust as the viewer sees it,
//! in words, with the strongest paths from the viewer that explain it.
//! Everything here was computed in the update; drawing only formats it.

use ratatui::text::Line;

use super::Screen;
use super::widgets::safe;
use crate::app::ListingItem;
use crate::endorse::reputation::{SkillStats, Stats, hours};

pub fn lines(screen: &Screen, item: &ListingItem) -> Vec<Line<'static>> {
    let (state, t) = (screen.state, screen.theme);
    let explained = state.trust.explained(&item.author);
    let mut lines = Vec::new();
    match state.track_records.get(&item.author) {
        Some(Ok(record)) => {
            let stats = match explained {
                Some(e) => e.standing.stats.clone(),
                None => Stats::of(&item.author, &record.endorsements, state.now),
            };
            record_lines(&stats, &item.listing.skills, screen, &mut lines);
            if record.refused > 0 {
                lines.push(Line::styled(
                    format!("{} record(s) did not verify and are not counted", record.refused),
                    t.bad,
                ));
            }
        }
        Some(Err(why)) => lines.push(Line::styled(format!("Track record: {}", safe(why)), t.dim)),
        None => {}
    }
    let Some(explained) = explained else { return lines };
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    let pinned = if state.trust.is_pinned(&item.author) { " · pinned" } else { "" };
    lines.push(Line::styled(format!("Trust as you see it{pinned}"), t.title));
    let standing = &explained.standing;
    let style = if standing.score > 0.0 { t.text } else { t.dim };
    lines.push(Line::styled(safe(&standing.summary()), style));
    for path in &explained.paths {
        lines.push(Line::styled(format!("· {}", safe(path)), t.dim));
    }
    if standing.score == 0.0 && standing.circle.is_none() {
        lines.push(Line::styled("Sessions with people you know (or a pin) would bring them in reach.", t.dim));
    }
    lines
}

fn record_lines(stats: &Stats, skills: &[String], screen: &Screen, lines: &mut Vec<Line<'static>>) {
    let (state, t) = (screen.state, screen.theme);
    let o = &stats.overall;
    if o.sessions() == 0 {
        lines.push(Line::styled("No endorsements yet: a newcomer.", t.dim));
        return;
    }
    lines.push(Line::styled("Track record (verified here)", t.title));
    lines.push(Line::raw(totals(o)));
    let mut when = format!("{} {}", o.counterparts, if o.counterparts == 1 { "person" } else { "people" });
    if let Some(last) = o.last {
        when.push_str(&format!(" · last {}", state.tz.to_datetime(last).date()));
    }
    when.push_str(&format!(" · {} in 90 days", o.recent));
    lines.push(Line::styled(when, t.dim));
    // The listing's skills, each on its own.
    for skill in skills.iter().take(3) {
        let s = stats.skill(skill);
        let named = s != *o || skills.len() > 1;
        if named {
            let what = if s.sessions() == 0 { "none yet".into() } else { totals(&s) };
            lines.push(Line::raw(format!("{}: {what}", safe(skill))));
        }
        if let Some(average) = s.average_rating() {
            let indent = if named { "  " } else { "" };
            lines.push(Line::raw(format!("{indent}rated {average:.1}/5: {}", s.rating_summary())));
        }
    }
    let others: Vec<String> = stats
        .by_skill
        .iter()
        .filter(|(k, v)| !skills.iter().any(|s| s.eq_ignore_ascii_case(k)) && v.minutes_taught > 0)
        .map(|(k, v)| format!("{} {}", safe(k), hours(v.minutes_taught)))
        .collect();
    if !others.is_empty() {
        lines.push(Line::styled(format!("also taught: {}", others.join(", ")), t.dim));
    }
}

/// `taught 3 (4.5 h) · learned 1 (1 h)`.
fn totals(s: &SkillStats) -> String {
    let mut parts = Vec::new();
    if s.taught > 0 {
        parts.push(format!("taught {} ({})", s.taught, hours(s.minutes_taught)));
    }
    if s.learned > 0 {
        parts.push(format!("learned {} ({})", s.learned, hours(s.minutes_learned)));
    }
    parts.join(" · ")
}
