//! Weekly windows meet real times: the next free slot of a listing, whether
//! a proposed time fits, and how a persona names a time in its own zone.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::market::{Availability, Window};

/// How far ahead a persona looks for a slot.
const HORIZON_DAYS: i64 = 14;

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// The start of the first window of `availability` at or after `earliest`;
/// without windows, `earliest` rounded up to the next full hour.
pub fn next_slot(availability: &Availability, earliest: Timestamp) -> Timestamp {
    let tz = zone(&availability.time_zone);
    let today = earliest.to_zoned_datetime(tz.clone()).date();
    let mut best: Option<Timestamp> = None;
    for offset in 0..=HORIZON_DAYS {
        let Ok(date) = today.checked_add(jiff::Span::new().days(offset)) else { break };
        for window in availability.windows.iter().filter(|w| same_day(w, date)) {
            let Some(start) = at_minute(date, window.start_minute, &tz) else { continue };
            if start >= earliest && best.is_none_or(|b| start < b) {
                best = Some(start);
            }
        }
        if best.is_some() {
            break;
        }
    }
    best.unwrap_or_else(|| next_full_hour(earliest))
}

/// Whether a session of `minutes` from `start` lies inside one window.
pub fn fits(availability: &Availability, start: Timestamp, minutes: u16) -> bool {
    if availability.windows.is_empty() {
        return true;
    }
    let local = start.to_zoned_datetime(zone(&availability.time_zone));
    let minute = local.hour() as u16 * 60 + local.minute() as u16;
    availability
        .windows
        .iter()
        .any(|w| same_day(w, local.date()) && w.start_minute <= minute && minute + minutes <= w.end_minute)
}

/// `Wed 18:00 (Europe/Lisbon)`: a time as a persona would say it.
pub fn describe(at: Timestamp, time_zone: &str) -> String {
    let local = at.to_zoned_datetime(zone(time_zone));
    format!("{} ({time_zone})", local.strftime("%a %-d %b %H:%M"))
}

fn same_day(window: &Window, date: Date) -> bool {
    window.day as usize == date.weekday().to_monday_zero_offset() as usize
}

fn at_minute(date: Date, minute: u16, tz: &TimeZone) -> Option<Timestamp> {
    let (hour, minute) = ((minute / 60).min(23) as i8, (minute % 60) as i8);
    date.at(hour, minute, 0, 0).to_zoned_datetime(tz.clone()).ok().map(|z| z.timestamp())
}

fn next_full_hour(t: Timestamp) -> Timestamp {
    let hour_ms = 3_600_000;
    let ms = t.as_millisecond();
    let rounded = ms.div_euclid(hour_ms) * hour_ms + hour_ms;
    Timestamp::from_millisecond(rounded).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::Window;

    fn lisbon(windows: &[&str]) -> Availability {
        Availability {
            time_zone: "Europe/Lisbon".into(),
            windows: windows.iter().map(|w| Window::parse(w).unwrap()).collect(),
        }
    }

    #[test]
    fn finds_the_next_window_in_the_authors_zone() {
        // 2026-01-14 is a Wednesday; Lisbon is on UTC in winter.
        let availability = lisbon(&["mon 18:00-21:00", "wed 18:00-21:00"]);
        let noon: Timestamp = "2026-01-14T12:00:00Z".parse().unwrap();
        assert_eq!(next_slot(&availability, noon), "2026-01-14T18:00:00Z".parse::<Timestamp>().unwrap());
        let evening: Timestamp = "2026-01-14T18:30:00Z".parse().unwrap();
        assert_eq!(next_slot(&availability, evening), "2026-01-19T18:00:00Z".parse::<Timestamp>().unwrap());
        assert!(fits(&availability, "2026-01-19T18:00:00Z".parse().unwrap(), 60));
        assert!(!fits(&availability, "2026-01-19T20:30:00Z".parse().unwrap(), 60));
        assert!(!fits(&availability, "2026-01-20T18:00:00Z".parse().unwrap(), 60));
        assert_eq!(
            describe("2026-01-19T18:00:00Z".parse().unwrap(), "Europe/Lisbon"),
            "Mon 19 Jan 18:00 (Europe/Lisbon)"
        );
    }

    #[test]
    fn without_windows_the_next_full_hour() {
        let availability = lisbon(&[]);
        let t: Timestamp = "2026-01-14T12:20:00Z".parse().unwrap();
        assert_eq!(next_slot(&availability, t), "2026-01-14T13:00:00Z".parse::<Timestamp>().unwrap());
    }
}
