//! The transition function. Pure: no clock, no I/O, no randomness.

use jiff::{SignedDuration, Timestamp};

use super::{Action, Negotiation, NegotiationError, NegotiationEvent, Phase, Role, Terms};
use crate::identity::PublicKey;

/// A session may be started this long before its agreed start.
pub const EARLY_START: SignedDuration = SignedDuration::from_mins(15);
/// A no-show may be reported this long after the agreed start.
pub const NO_SHOW_GRACE: SignedDuration = SignedDuration::from_mins(15);

/// The moments of an agreed session worth waking up for: when it may
/// start, and when a no-show may be reported.
pub fn moments(agreed: &Terms) -> [Timestamp; 2] {
    [
        agreed.start.saturating_sub(EARLY_START).unwrap_or(agreed.start),
        agreed.start.saturating_add(NO_SHOW_GRACE).unwrap_or(agreed.start),
    ]
}

/// The shortest a session may run before it can be completed: half of
/// the agreed length. A session ended sooner is not one both can endorse.
pub fn minimum_length(agreed: &Terms) -> SignedDuration {
    SignedDuration::from_secs(i64::from(agreed.duration_minutes) * 30)
}

/// What the node must do after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Deliver the event to this party (the one who did not author it).
    SendTo(PublicKey),
    /// This party now has to answer.
    AwaitAnswer(Role),
    /// Run the clock-driven checks again at this time (start reminder,
    /// no-show window).
    WakeAt(Timestamp),
    /// The session is over: gather both endorsement signatures.
    BeginEndorsement,
    /// Nothing more can happen in this negotiation.
    Closed,
}

/// Applies `event`, authored by `actor` at `now`, to `state` (`None` before
/// the proposal). Returns the new state and the effects to carry out.
pub fn step(
    state: Option<&Negotiation>,
    actor: PublicKey,
    event: &NegotiationEvent,
    now: Timestamp,
) -> Result<(Negotiation, Vec<Effect>), NegotiationError> {
    match state {
        None => open(actor, event, now),
        Some(state) => advance(state, actor, event, now),
    }
}

fn open(
    actor: PublicKey,
    event: &NegotiationEvent,
    now: Timestamp,
) -> Result<(Negotiation, Vec<Effect>), NegotiationError> {
    let Action::Propose { listing, skill, teacher, learner, terms } = &event.action else {
        return Err(NegotiationError::NotStarted);
    };
    if event.seq != 0 {
        return Err(NegotiationError::OutOfOrder { expected: 0, got: event.seq });
    }
    terms.validate()?;
    let by = match actor {
        a if a == *teacher => Role::Teacher,
        a if a == *learner => Role::Learner,
        _ => return Err(NegotiationError::NotAParty),
    };
    if listing.author == actor {
        return Err(NegotiationError::ProposerIsListingAuthor);
    }
    if listing.author != *teacher && listing.author != *learner {
        return Err(NegotiationError::ListingAuthorNotAParty);
    }
    check_future(terms, now)?;
    let state = Negotiation {
        id: event.negotiation,
        listing: *listing,
        skill: skill.clone(),
        teacher: *teacher,
        learner: *learner,
        phase: Phase::Proposed { by, terms: terms.clone() },
        agreed: None,
        seq: 1,
        updated_at: now,
    };
    let effects = vec![Effect::SendTo(listing.author), Effect::AwaitAnswer(by.other())];
    Ok((state, effects))
}

fn advance(
    state: &Negotiation,
    actor: PublicKey,
    event: &NegotiationEvent,
    now: Timestamp,
) -> Result<(Negotiation, Vec<Effect>), NegotiationError> {
    if event.negotiation != state.id {
        return Err(NegotiationError::WrongNegotiation);
    }
    if event.seq != state.seq {
        return Err(NegotiationError::OutOfOrder { expected: state.seq, got: event.seq });
    }
    let role = state.role_of(&actor).ok_or(NegotiationError::NotAParty)?;
    let action = event.action.name();
    let illegal = || NegotiationError::IllegalStep { action, phase: state.phase.name() };
    let not_your_turn = || NegotiationError::NotYourTurn { action };

    let mut next = state.clone();
    let mut effects = vec![Effect::SendTo(state.party(role.other()))];
    next.seq += 1;
    next.updated_at = now;

    match (&state.phase, &event.action) {
        (Phase::Proposed { by, .. }, Action::Counter { terms })
        | (Phase::Rescheduling { by, .. }, Action::Counter { terms }) => {
            if *by == role {
                return Err(not_your_turn());
            }
            terms.validate()?;
            check_future(terms, now)?;
            next.phase = match state.phase {
                Phase::Proposed { .. } => Phase::Proposed { by: role, terms: terms.clone() },
                _ => Phase::Rescheduling { by: role, terms: terms.clone() },
            };
            effects.push(Effect::AwaitAnswer(role.other()));
        }
        (Phase::Proposed { by, terms } | Phase::Rescheduling { by, terms }, Action::Accept) => {
            if *by == role {
                return Err(not_your_turn());
            }
            check_future(terms, now)?;
            next.agreed = Some(terms.clone());
            next.phase = Phase::Agreed;
            effects.extend(moments(terms).map(Effect::WakeAt));
        }
        (Phase::Proposed { by, .. }, Action::Decline { reason }) => {
            if *by == role {
                return Err(not_your_turn());
            }
            next.phase = Phase::Declined { by: role, reason: reason.clone() };
            effects.push(Effect::Closed);
        }
        (Phase::Rescheduling { by, .. }, Action::Decline { .. }) => {
            // Declining a new time keeps the session as agreed before.
            if *by == role {
                return Err(not_your_turn());
            }
            next.phase = Phase::Agreed;
        }
        (Phase::Proposed { .. } | Phase::Agreed | Phase::Rescheduling { .. }, Action::Cancel { reason }) => {
            next.phase = Phase::Cancelled { by: role, reason: reason.clone() };
            effects.push(Effect::Closed);
        }
        (Phase::Agreed, Action::Reschedule { terms }) => {
            terms.validate()?;
            check_future(terms, now)?;
            next.phase = Phase::Rescheduling { by: role, terms: terms.clone() };
            effects.push(Effect::AwaitAnswer(role.other()));
        }
        (Phase::Agreed, Action::Start) => {
            let from = agreed_start(state)?.saturating_sub(EARLY_START).map_err(|_| illegal())?;
            if now < from {
                return Err(NegotiationError::TooEarly { action, from });
            }
            next.phase = Phase::InProgress { started_at: now };
        }
        (Phase::InProgress { started_at }, Action::Complete) => {
            // Credited time runs from the start to this step, at least half
            // and at most all of the agreed length, whatever the clock of
            // whoever completes says.
            let agreed = state.agreed.as_ref().ok_or_else(illegal)?;
            let from = started_at.saturating_add(minimum_length(agreed)).map_err(|_| illegal())?;
            if now < from {
                return Err(NegotiationError::TooEarly { action, from });
            }
            let longest = agreed.end().duration_since(agreed.start);
            let latest = started_at.saturating_add(longest).map_err(|_| illegal())?;
            next.phase = Phase::Completed { started_at: *started_at, ended_at: now.min(latest) };
            effects.push(Effect::BeginEndorsement);
            effects.push(Effect::Closed);
        }
        (Phase::Agreed, Action::ReportNoShow) => {
            let from = agreed_start(state)?.saturating_add(NO_SHOW_GRACE).map_err(|_| illegal())?;
            if now < from {
                return Err(NegotiationError::TooEarly { action, from });
            }
            next.phase = Phase::NoShow { reported_by: role };
            effects.push(Effect::Closed);
        }
        _ => return Err(illegal()),
    }
    Ok((next, effects))
}

fn agreed_start(state: &Negotiation) -> Result<Timestamp, NegotiationError> {
    state
        .agreed
        .as_ref()
        .map(|t| t.start)
        .ok_or(NegotiationError::IllegalStep { action: "start", phase: state.phase.name() })
}

fn check_future(terms: &Terms, now: Timestamp) -> Result<(), NegotiationError> {
    if terms.start < now { Err(NegotiationError::StartInPast) } else { Ok(()) }
}
