//! The moments worth skipping to: the start of the next agreed session, or
//! the end of one in progress.

use jiff::{SignedDuration, Timestamp};

use crate::identity::PublicKey;
use crate::market::{Negotiation, NegotiationId, Phase};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MomentKind {
    /// An agreed session may be started.
    SessionStart,
    /// A session in progress has run its agreed length.
    SessionEnd,
}

/// A future moment in one session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moment {
    pub at: Timestamp,
    pub kind: MomentKind,
    pub negotiation: NegotiationId,
    pub skill: String,
    pub teacher: PublicKey,
    pub learner: PublicKey,
}

/// What a fast-forward did: the moment reached and how far the clock moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub to: Moment,
    pub by: SignedDuration,
}

/// Why the demo did not skip ahead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoSkip {
    /// No agreed session, nor one in progress, lies ahead.
    NothingAhead,
    /// The next moment lies past today: the demo never skips there, or what
    /// it signs would be dated in the future.
    PastToday(Box<Moment>),
}

/// The moment of `negotiation` still ahead of `now`, if any.
pub fn moment_of(negotiation: &Negotiation, now: Timestamp) -> Option<Moment> {
    let terms = negotiation.agreed.as_ref()?;
    let (at, kind) = match &negotiation.phase {
        Phase::Agreed | Phase::Rescheduling { .. } => (terms.start, MomentKind::SessionStart),
        Phase::InProgress { started_at } => {
            let length = SignedDuration::from_mins(i64::from(terms.duration_minutes));
            (started_at.saturating_add(length).ok()?, MomentKind::SessionEnd)
        }
        _ => return None,
    };
    (at > now).then(|| Moment {
        at,
        kind,
        negotiation: negotiation.id,
        skill: negotiation.skill.clone(),
        teacher: negotiation.teacher,
        learner: negotiation.learner,
    })
}

/// The earliest moment ahead among `negotiations`, only in sessions of
/// `involving` when given.
pub fn next_moment<'a>(
    negotiations: impl IntoIterator<Item = &'a Negotiation>,
    involving: Option<PublicKey>,
    now: Timestamp,
) -> Option<Moment> {
    negotiations
        .into_iter()
        .filter(|n| involving.is_none_or(|who| n.role_of(&who).is_some()))
        .filter_map(|n| moment_of(n, now))
        .min_by_key(|m| m.at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Id16, ListingRef, Price, Terms};

    #[test]
    fn next_start_or_end_ahead_of_now() {
        let now: Timestamp = "2026-01-14T12:00:00Z".parse().unwrap();
        let at = |t: &str| t.parse::<Timestamp>().unwrap();
        let (a, b, c) = (PublicKey::from([1; 32]), PublicKey::from([2; 32]), PublicKey::from([3; 32]));
        let session = |id: u8, teacher, learner, start: &str, phase| Negotiation {
            id: Id16([id; 16]),
            listing: ListingRef { author: teacher, id: Id16([0; 16]) },
            skill: "rust".into(),
            teacher,
            learner,
            phase,
            agreed: Some(Terms { start: at(start), duration_minutes: 90, price: Price::Free, topic: "t".into() }),
            seq: 3,
            updated_at: now,
        };
        let sessions = [
            session(1, a, b, "2026-01-14T15:00:00Z", Phase::Agreed),
            session(2, a, c, "2026-01-14T14:00:00Z", Phase::Agreed),
            session(3, b, c, "2026-01-14T11:00:00Z", Phase::InProgress { started_at: at("2026-01-14T11:00:00Z") }),
            session(4, b, c, "2026-01-14T10:00:00Z", Phase::Agreed),
        ];
        let next = next_moment(&sessions, None, now).unwrap();
        assert_eq!(
            (next.negotiation, next.kind, next.at),
            (Id16([3; 16]), MomentKind::SessionEnd, at("2026-01-14T12:30:00Z"))
        );
        let for_b = next_moment(&sessions, Some(b), now).unwrap();
        assert_eq!(for_b.negotiation, Id16([3; 16]));
        let for_a = next_moment(&sessions, Some(a), now).unwrap();
        assert_eq!((for_a.negotiation, for_a.kind), (Id16([2; 16]), MomentKind::SessionStart));
        assert_eq!(next_moment(&sessions, Some(PublicKey::from([4; 32])), now), None);
    }
}
