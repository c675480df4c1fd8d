//! Proposals from strangers: people this node never agreed a session
//! with, never endorsed with and never met through a ticket. Anyone can
//! make a key and propose on a public listing, so what they can make this
//! node keep is counted (open and closed, against
//! [`super::Limits::stranger_negotiations`] and
//! [`super::Limits::stranger_negotiations_kept`]), and a proposal of theirs
//! that closed without an agreement is forgotten a day later: proposing
//! and cancelling from throwaway keys fills nothing.
//!
//! The count is read from the store once, when first needed, and then kept
//! in step with every stored step.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use super::Core;
use crate::market::{Negotiation, NegotiationId};
use crate::node::NodeError;

/// How long a stranger's closed proposal is kept (so both sides can still
/// read why it closed).
pub const KEEP_CLOSED: SignedDuration = SignedDuration::from_hours(24);

/// Negotiations on own listings with strangers, never agreed: `None` while
/// open, else when it closed. `None` as a whole until first counted.
#[derive(Default)]
pub(super) struct Strangers(Option<BTreeMap<NegotiationId, Option<Timestamp>>>);

impl Strangers {
    fn note(&mut self, state: &Negotiation, by_a_stranger: bool) {
        let Some(known) = self.0.as_mut() else { return };
        if by_a_stranger {
            known.insert(state.id, state.phase.is_closed().then_some(state.updated_at));
        } else {
            known.remove(&state.id);
        }
    }
}

impl Core {
    /// How many proposals from strangers are open, and how many are kept
    /// in all.
    pub(super) fn with_strangers(&mut self) -> Result<(usize, usize), NodeError> {
        let known = self.strangers_known()?;
        Ok((known.values().filter(|closed| closed.is_none()).count(), known.len()))
    }

    fn strangers_known(&mut self) -> Result<&BTreeMap<NegotiationId, Option<Timestamp>>, NodeError> {
        if self.strangers.0.is_none() {
            let mut known = BTreeMap::new();
            for n in self.store.negotiations()? {
                if self.proposed_by_a_stranger(&n)? {
                    known.insert(n.id, n.phase.is_closed().then_some(n.updated_at));
                }
            }
            self.strangers.0 = Some(known);
        }
        Ok(self.strangers.0.get_or_insert_default())
    }

    /// Keeps the count in step with a negotiation just stored.
    pub(super) fn note_stranger(&mut self, state: &Negotiation) {
        if self.strangers.0.is_some() {
            let by_a_stranger = self.proposed_by_a_stranger(state).unwrap_or(false);
            self.strangers.note(state, by_a_stranger);
        }
    }

    /// Whether `n` is a proposal on an own listing, never agreed, by a
    /// stranger.
    fn proposed_by_a_stranger(&self, n: &Negotiation) -> Result<bool, NodeError> {
        let me = self.me.public();
        if n.agreed.is_some() || n.listing.author != me {
            return Ok(false);
        }
        let Some(role) = n.role_of(&me) else { return Ok(false) };
        self.is_stranger(&n.party(role.other()), std::slice::from_ref(n))
    }

    /// Forgets strangers' proposals that closed more than [`KEEP_CLOSED`] ago.
    pub(super) fn forget_closed_proposals_of_strangers(&mut self, now: Timestamp) {
        let old: Vec<NegotiationId> = match self.strangers_known() {
            Ok(known) => known
                .iter()
                .filter(|(_, closed)| closed.is_some_and(|at| now.duration_since(at) > KEEP_CLOSED))
                .map(|(id, _)| *id)
                .collect(),
            Err(e) => return tracing::warn!("cannot count proposals from strangers: {e}"),
        };
        for id in old {
            match self.store.forget_negotiation(&id) {
                Ok(_) => {
                    if let Some(known) = self.strangers.0.as_mut() {
                        known.remove(&id);
                    }
                    tracing::debug!(negotiation = %id.short(), "forgot a closed proposal from a stranger");
                }
                Err(e) => tracing::warn!("forgetting a negotiation: {e}"),
            }
        }
    }
}
