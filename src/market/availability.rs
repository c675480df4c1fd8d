//! Weekly availability windows in the author's own time zone.

use serde::{Deserialize, Serialize};

use crate::wire::{FieldError, check_list};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [Self::Mon, Self::Tue, Self::Wed, Self::Thu, Self::Fri, Self::Sat, Self::Sun];

    pub fn parse(text: &str) -> Option<Self> {
        let lower = text.to_ascii_lowercase();
        Self::ALL.into_iter().find(|d| lower.starts_with(&d.short().to_ascii_lowercase()) && lower.len() >= 3)
    }

    pub fn short(self) -> &'static str {
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][self as usize]
    }
}

/// One weekly slot: on `day`, from `start_minute` to `end_minute` after midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub day: Weekday,
    pub start_minute: u16,
    pub end_minute: u16,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub time_zone: String,
    pub windows: Vec<Window>,
}

impl Window {
    /// Parses `mon 18:00-20:00`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        let bad = || FieldError::new("availability", format!("`{text}` is not like `mon 18:00-20:00`"));
        let (day, range) = text.trim().split_once(' ').ok_or_else(bad)?;
        let day = Weekday::parse(day).ok_or_else(bad)?;
        let (start, end) = range.trim().split_once('-').ok_or_else(bad)?;
        let minute = |t: &str| -> Option<u16> {
            let (h, m) = t.trim().split_once(':')?;
            let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
            (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(h * 60 + m)
        };
        let window =
            Self { day, start_minute: minute(start).ok_or_else(bad)?, end_minute: minute(end).ok_or_else(bad)? };
        window.validate()?;
        Ok(window)
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        if self.start_minute >= self.end_minute || self.end_minute > 1440 {
            return Err(FieldError::new("availability", "a window must end after it starts, within the day"));
        }
        Ok(())
    }
}

impl Availability {
    pub fn validate(&self) -> Result<(), FieldError> {
        super::check_time_zone("availability.time_zone", &self.time_zone)?;
        check_list("availability", &self.windows, 0, 21)?;
        self.windows.iter().try_for_each(Window::validate)
    }
}

/// Minutes in a week.
const WEEK: i64 = 7 * 1440;

impl Availability {
    /// The windows as minutes of the week in UTC (Monday 00:00 = 0), with
    /// the zone's offset at `at`; a window across Sunday midnight UTC is
    /// split in two. An unknown zone yields nothing.
    pub fn utc_week_minutes(&self, at: jiff::Timestamp) -> Vec<(u32, u32)> {
        let Ok(tz) = jiff::tz::TimeZone::get(&self.time_zone) else { return Vec::new() };
        let offset = i64::from(tz.to_offset(at).seconds()) / 60;
        let mut out = Vec::new();
        for w in &self.windows {
            let start = (w.day as i64 * 1440 + i64::from(w.start_minute) - offset).rem_euclid(WEEK);
            let end = start + i64::from(w.end_minute.saturating_sub(w.start_minute));
            if end <= WEEK {
                out.push((start as u32, end as u32));
            } else {
                out.push((start as u32, WEEK as u32));
                out.push((0, (end - WEEK) as u32));
            }
        }
        out
    }
}

impl Availability {
    /// Whether a session from `start`, `minutes` long, lies inside one of
    /// the windows (in the author's zone). With no windows, any time does.
    pub fn fits(&self, start: jiff::Timestamp, minutes: u16) -> bool {
        if self.windows.is_empty() {
            return true;
        }
        let Ok(tz) = jiff::tz::TimeZone::get(&self.time_zone) else { return true };
        let local = start.to_zoned_datetime(tz);
        let day = Weekday::ALL[local.weekday().to_monday_zero_offset() as usize];
        let from = local.hour() as u32 * 60 + local.minute() as u32;
        let to = from + u32::from(minutes);
        self.windows.iter().any(|w| w.day == day && u32::from(w.start_minute) <= from && to <= u32::from(w.end_minute))
    }

    /// The earliest start at or after `after`, on a quarter hour, at which a
    /// session of `minutes` fits a window (within the next eight days);
    /// `None` without windows or when none is long enough.
    pub fn next_start(&self, after: jiff::Timestamp, minutes: u16) -> Option<jiff::Timestamp> {
        let quarter = 15 * 60;
        let first = after.as_second() + (quarter - after.as_second().rem_euclid(quarter)) % quarter;
        if self.windows.is_empty() {
            return None;
        }
        (0..8 * 24 * 4)
            .filter_map(|q| jiff::Timestamp::from_second(first + q * quarter).ok())
            .find(|t| self.fits(*t, minutes))
    }

    /// The windows as they fall in `tz` (around `at`, for its offsets),
    /// e.g. `Mon 19:00-22:00, Wed 19:00-22:00`; a window that crosses
    /// midnight there reads `Sun 23:00-01:00`.
    pub fn in_zone(&self, tz: &jiff::tz::TimeZone, at: jiff::Timestamp) -> String {
        let Ok(author) = jiff::tz::TimeZone::get(&self.time_zone) else { return String::new() };
        let monday = at.to_zoned_datetime(author.clone()).date();
        let monday = monday
            .checked_sub(jiff::Span::new().days(i64::from(monday.weekday().to_monday_zero_offset())))
            .unwrap_or(monday);
        let hm = |t: jiff::civil::Time| format!("{:02}:{:02}", t.hour(), t.minute());
        let mut out = Vec::new();
        for w in &self.windows {
            let Ok(date) = monday.checked_add(jiff::Span::new().days(w.day as i64)) else { continue };
            let at_minute = |m: u16| {
                let time = jiff::civil::Time::midnight();
                date.to_datetime(time)
                    .checked_add(jiff::Span::new().minutes(i64::from(m)))
                    .ok()
                    .and_then(|dt| dt.to_zoned_datetime(author.clone()).ok())
                    .map(|z| z.with_time_zone(tz.clone()))
            };
            let (Some(start), Some(end)) = (at_minute(w.start_minute), at_minute(w.end_minute)) else { continue };
            let day = Weekday::ALL[start.weekday().to_monday_zero_offset() as usize];
            out.push(format!("{} {}-{}", day.short(), hm(start.time()), hm(end.time())));
        }
        out.join(", ")
    }
}

/// Whether any interval of `a` overlaps any of `b` (half-open intervals).
pub fn overlap(a: &[(u32, u32)], b: &[(u32, u32)]) -> bool {
    a.iter().any(|(s1, e1)| b.iter().any(|(s2, e2)| s1 < e2 && s2 < e1))
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hm = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        write!(f, "{} {}-{}", self.day.short(), hm(self.start_minute), hm(self.end_minute))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_windows() {
        let w = Window::parse("wed 18:00-20:30").unwrap();
        assert_eq!((w.day, w.start_minute, w.end_minute), (Weekday::Wed, 1080, 1230));
        assert_eq!(w.to_string(), "Wed 18:00-20:30");
        assert!(Window::parse("wed 20:00-18:00").is_err());
        assert!(Window::parse("someday 1-2").is_err());
        assert!(Window::parse("mo 10:00-11:00").is_err());
        assert!(Window::parse("sun 23:00-24:00").is_ok());
    }

    fn lisbon(windows: &[&str]) -> Availability {
        Availability {
            time_zone: "Europe/Lisbon".into(),
            windows: windows.iter().map(|w| Window::parse(w).unwrap()).collect(),
        }
    }

    #[test]
    fn a_session_fits_a_window_only_whole() {
        let a = lisbon(&["wed 18:00-21:00"]);
        // 2026-12-09 is a Wednesday; Lisbon is UTC+0 in December.
        let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
        assert!(a.fits(at("2026-12-09T18:00:00Z"), 60));
        assert!(a.fits(at("2026-12-09T20:00:00Z"), 60));
        assert!(!a.fits(at("2026-12-09T20:30:00Z"), 60), "runs past the window");
        assert!(!a.fits(at("2026-12-09T21:00:00Z"), 60), "after it");
        assert!(!a.fits(at("2026-12-10T18:00:00Z"), 60), "another day");
        assert!(lisbon(&[]).fits(at("2026-12-10T03:00:00Z"), 60), "no windows: any time");
    }

    #[test]
    fn the_next_start_is_inside_the_windows() {
        let a = lisbon(&["wed 18:00-21:00", "sat 10:00-13:00"]);
        let at = |t: &str| t.parse::<jiff::Timestamp>().unwrap();
        // Wednesday at 20:10: 20:15 still leaves an hour? No (21:15 > 21:00): Saturday 10:00.
        assert_eq!(a.next_start(at("2026-12-09T20:10:00Z"), 60), Some(at("2026-12-12T10:00:00Z")));
        assert_eq!(a.next_start(at("2026-12-09T18:05:00Z"), 60), Some(at("2026-12-09T18:15:00Z")));
        assert_eq!(a.next_start(at("2026-12-07T09:00:00Z"), 60), Some(at("2026-12-09T18:00:00Z")));
        assert_eq!(a.next_start(at("2026-12-07T09:00:00Z"), 240), None, "no window is four hours long");
        assert_eq!(lisbon(&[]).next_start(at("2026-12-07T09:00:00Z"), 60), None);
    }

    #[test]
    fn windows_read_in_the_viewers_zone() {
        let a = lisbon(&["mon 18:00-21:00", "sun 23:30-24:00"]);
        let at: jiff::Timestamp = "2026-12-07T12:00:00Z".parse().unwrap();
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(a.in_zone(&berlin, at), "Mon 19:00-22:00, Mon 00:30-01:00");
        let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
        assert_eq!(a.in_zone(&tokyo, at), "Tue 03:00-06:00, Mon 08:30-09:00");
    }

    #[test]
    fn windows_compare_across_time_zones() {
        let at: jiff::Timestamp = "2026-11-25T12:00:00Z".parse().unwrap();
        let lisbon = Availability {
            time_zone: "Europe/Lisbon".into(),
            windows: vec![Window::parse("mon 18:00-20:00").unwrap()],
        };
        let tokyo =
            Availability { time_zone: "Asia/Tokyo".into(), windows: vec![Window::parse("tue 03:30-04:30").unwrap()] };
        let tokyo_late =
            Availability { time_zone: "Asia/Tokyo".into(), windows: vec![Window::parse("tue 05:00-06:00").unwrap()] };
        // Monday 18:00 in Lisbon (UTC+0 in November) is Tuesday 03:00 in Tokyo (UTC+9).
        assert!(overlap(&lisbon.utc_week_minutes(at), &tokyo.utc_week_minutes(at)));
        assert!(!overlap(&lisbon.utc_week_minutes(at), &tokyo_late.utc_week_minutes(at)));
        // Monday 01:00 in Tokyo is Sunday 16:00 UTC: the week wraps.
        let early =
            Availability { time_zone: "Asia/Tokyo".into(), windows: vec![Window::parse("mon 01:00-02:00").unwrap()] };
        assert_eq!(early.utc_week_minutes(at), vec![(6 * 1440 + 960, 6 * 1440 + 1020)]);
    }
}
