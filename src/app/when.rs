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

/// A moment in `tz`, with the zone named: "Sat 12 Dec 14:45 (Europe/Berlin)".
pub fn at_local(at: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let zone = tz.iana_name().unwrap_or("UTC");
    format!("{} ({zone})", at.to_zoned_datetime(tz.clone()).strftime("%a %-d %b %H:%M"))
}

/// A node's refusal in the user's words and zone: a step taken too early
/// says when it becomes possible, and how long that is from `now`.
pub fn explain(error: &crate::node::NodeError, tz: &jiff::tz::TimeZone, now: jiff::Timestamp) -> String {
    use crate::market::NegotiationError;
    match error {
        crate::node::NodeError::Negotiation(NegotiationError::TooEarly { action, from }) => format!(
            "too early to {action}: possible from {}, in {}",
            at_local(*from, tz),
            human_duration(from.duration_since(now))
        ),
        other => other.to_string(),
    }
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

    #[test]
    fn a_step_taken_too_early_says_when_in_the_users_zone() {
        let now: jiff::Timestamp = "2026-12-12T13:30:00Z".parse().unwrap();
        let from: jiff::Timestamp = "2026-12-12T13:45:00Z".parse().unwrap();
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let error =
            crate::node::NodeError::Negotiation(crate::market::NegotiationError::TooEarly { action: "complete", from });
        assert_eq!(
            explain(&error, &berlin, now),
            "too early to complete: possible from Sat 12 Dec 14:45 (Europe/Berlin), in 15 min"
        );
        assert_eq!(error.to_string(), "too early to complete: possible from Sat 12 Dec 13:45 UTC");
    }
}
