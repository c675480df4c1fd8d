//! Whether a session's time fits: inside the listing's weekly times, and
//! clear of the user's other sessions. These are warnings shown to both
//! sides (in the proposal form and beside the session), never refusals:
//! people may agree on any time they like.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::{SessionItem, Snapshot, local_text};
use crate::market::{Availability, ListingRef, Phase, Terms};

/// What a time is checked against.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Fit {
    /// The listing's author's name and weekly times (none: any time).
    pub author: String,
    pub availability: Option<Availability>,
    /// The user's other sessions that hold a time: from, to, with whom.
    pub busy: Vec<(Timestamp, Timestamp, String)>,
}

impl Fit {
    /// What `listing` and the user's sessions (but `except`) say.
    pub fn of(snapshot: &Snapshot, listing: &ListingRef, except: Option<&SessionItem>) -> Self {
        let availability = if listing.author == snapshot.me {
            snapshot.own.iter().chain(&snapshot.paused).find(|l| l.id == listing.id).map(|l| l.availability.clone())
        } else {
            snapshot
                .listings
                .iter()
                .find(|l| l.author == listing.author && l.listing.id == listing.id)
                .map(|l| l.listing.availability.clone())
        };
        let author = if listing.author == snapshot.me {
            "your".to_owned()
        } else {
            let name = snapshot
                .listings
                .iter()
                .find(|l| l.author == listing.author)
                .map_or_else(|| listing.author.fingerprint(), |l| l.author_name.clone());
            format!("{name}'s")
        };
        let busy = snapshot
            .sessions
            .iter()
            .filter(|s| except.is_none_or(|e| e.negotiation.id != s.negotiation.id))
            .filter(|s| {
                matches!(s.negotiation.phase, Phase::Agreed | Phase::InProgress { .. } | Phase::Rescheduling { .. })
            })
            .filter_map(|s| {
                let terms = s.negotiation.agreed.as_ref()?;
                Some((terms.start, terms.end(), s.with_name.clone()))
            })
            .collect();
        Self { author, availability, busy }
    }

    /// The warnings for a session from `start`, `minutes` long.
    pub fn warnings(&self, start: Timestamp, minutes: u16, tz: &TimeZone) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(a) = &self.availability
            && !a.fits(start, minutes)
        {
            let windows: Vec<String> = a.windows.iter().map(|w| w.to_string()).collect();
            out.push(format!("outside {} weekly times ({} {})", self.author, windows.join(", "), a.time_zone));
        }
        let end = start.saturating_add(jiff::SignedDuration::from_mins(i64::from(minutes))).unwrap_or(start);
        for (from, to, with) in &self.busy {
            if start < *to && *from < end {
                out.push(format!("overlaps your session with {with} at {}", local_text(*from, tz)));
            }
        }
        out
    }

    /// The warnings for agreed or proposed `terms`.
    pub fn warnings_for(&self, terms: &Terms, tz: &TimeZone) -> Vec<String> {
        self.warnings(terms.start, terms.duration_minutes, tz)
    }
}
