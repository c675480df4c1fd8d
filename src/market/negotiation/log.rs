//! How a signed step joins a negotiation's log, the same way on both sides.
//!
//! A step at the next position is appended (through [`step`]). A step at a
//! position already filled is one of three things:
//! - the very same bytes again: a duplicate;
//! - a second, different step by the same author: equivocation, refused;
//! - the other party's step taken at the same moment as ours (a fork).
//!
//! A fork is resolved only inside the *unsettled tail*: steps of ours that
//! the other party cannot have built on yet (it has not acknowledged them,
//! and nothing of theirs follows them). Everything before that tail is
//! settled history, and settled history never changes, so a closed
//! negotiation whose closing step is settled never changes either. Within
//! the tail both sides pick the same winner: a step that closes the
//! negotiation beats one that does not (once closed, it stays closed), and
//! otherwise the teacher's step wins.

use super::{Negotiation, NegotiationError, NegotiationEvent, Role, step};
use crate::identity::PublicKey;
use crate::market::Effect;
use crate::wire::Verified;

/// What offering a step to a log leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum Offered {
    /// The step goes at the end of the log.
    Appended { state: Negotiation, effects: Vec<Effect> },
    /// The other party's concurrent step wins over our unsettled steps from
    /// position `from` on, which are dropped (`dropped`, oldest first).
    Replaced { from: u32, dropped: Vec<Verified<NegotiationEvent>>, state: Negotiation, effects: Vec<Effect> },
    /// The very same step is in the log already.
    Duplicate,
}

/// Offers `incoming` to the log of one negotiation as `me` holds it.
///
/// `log` is the whole log in order (`log[i].seq == i`), `state` the state
/// it leads to (`None` for an empty log), and `settled` how many leading
/// positions the other party has acknowledged. Pure: the log is not
/// changed; the caller stores what the result says.
pub fn offer(
    log: &[Verified<NegotiationEvent>],
    state: Option<&Negotiation>,
    settled: u32,
    me: &PublicKey,
    incoming: &Verified<NegotiationEvent>,
) -> Result<Offered, NegotiationError> {
    let seq = incoming.value().seq;
    let next = log.len() as u32;
    // Only the two parties author steps, whatever the position.
    if let Some(state) = state
        && state.role_of(&incoming.author()).is_none()
    {
        return Err(NegotiationError::NotAParty);
    }
    if seq > next {
        return Err(NegotiationError::Gap { have: next, got: seq });
    }
    if seq == next {
        let (state, effects) = step(state, incoming.author(), incoming.value(), incoming.timestamp())?;
        if state.role_of(me).is_none() {
            return Err(NegotiationError::NotYours);
        }
        return Ok(Offered::Appended { state, effects });
    }
    let existing = &log[seq as usize];
    if existing.bytes() == incoming.bytes() {
        return Ok(Offered::Duplicate);
    }
    if existing.author() == incoming.author() {
        return Err(NegotiationError::Equivocation { seq });
    }
    // The other party's step against ours. Ours from `seq` on must all be
    // unsettled: not acknowledged, and nothing of theirs after them.
    let settled = settled.max(last_by_other(log, me).map_or(0, |p| p + 1));
    if seq < settled || incoming.author() == *me {
        return Err(NegotiationError::Settled { seq });
    }
    let before = replay(&log[..seq as usize])?;
    let (theirs, their_effects) = step(before.as_ref(), incoming.author(), incoming.value(), incoming.timestamp())?;
    let (ours, _) = step(before.as_ref(), existing.author(), existing.value(), existing.timestamp())?;
    if !wins(&theirs, incoming.author(), &ours, existing.author()) {
        return Err(NegotiationError::Superseded { seq });
    }
    Ok(Offered::Replaced { from: seq, dropped: log[seq as usize..].to_vec(), state: theirs, effects: their_effects })
}

/// The state a log leads to, replaying every step (`None` when empty).
pub fn replay(log: &[Verified<NegotiationEvent>]) -> Result<Option<Negotiation>, NegotiationError> {
    let mut state = None;
    for event in log {
        state = Some(step(state.as_ref(), event.author(), event.value(), event.timestamp())?.0);
    }
    Ok(state)
}

/// The position of the other party's newest step, if any.
fn last_by_other(log: &[Verified<NegotiationEvent>], me: &PublicKey) -> Option<u32> {
    log.iter().rposition(|e| e.author() != *me).map(|p| p as u32)
}

/// Whether the state reached by `a` (authored by `a_author`) wins over the
/// one reached by `b` from the same position. Symmetric by construction:
/// the two authors are the two parties, so exactly one is the teacher.
fn wins(a: &Negotiation, a_author: PublicKey, b: &Negotiation, b_author: PublicKey) -> bool {
    match (a.phase.is_closed(), b.phase.is_closed()) {
        (true, false) => true,
        (false, true) => false,
        _ => a.role_of(&a_author) == Some(Role::Teacher) && b.role_of(&b_author) != Some(Role::Teacher),
    }
}
