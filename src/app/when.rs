//! Times and durations as people read them: "2 h 57 min", not
//! "2h 57m 127ms 541µs 285ns".

use jiff::SignedDuration;

/// A duration in days, hours and minutes, the two largest that are not
/// zero ("3 days 2 h", "2 h 57 min", "45 min"); under a minute says so.
pub fn human_duration(d: SignedDuration) -> String {
    let minutes = d.as_mins().unsigned_abs();
    if minutes == 0 {
        return "under a minute".into();
    }
    let (days, hours, mins) = (minutes / (24 * 60), minutes / 60 % 24, minutes % 60);
    let parts: Vec<String> = [(days, if days == 1 { "day" } else { "days" }), (hours, "h"), (mins, "min")]
        .into_iter()
        .skip_while(|(n, _)| *n == 0)
        .take(2)
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        let d = |secs: i64| human_duration(SignedDuration::from_secs(secs));
        assert_eq!(d(2 * 3600 + 57 * 60 + 7), "2 h 57 min");
        assert_eq!(d(45 * 60), "45 min");
        assert_eq!(d(3 * 86400 + 2 * 3600 + 5 * 60), "3 days 2 h");
        assert_eq!(d(86400 + 30 * 60), "1 day", "the two largest units only; none that is zero");
        assert_eq!(d(3600), "1 h");
        assert_eq!(d(20), "under a minute");
    }
}
