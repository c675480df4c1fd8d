//! Negotiations: the current state and the signed event log, written
//! together so state and log never disagree.
//!
//! When both parties take a step at the same position at once, the two logs
//! would fork. Both sides resolve it the same way: the teacher's step wins,
//! and the learner's is rolled back (it is reported as superseded).

use redb::{ReadableTable, Table};

use super::error::corrupt;
use super::outbox::{Queued, queue_in};
use super::tables::{NEGOTIATION_EVENTS, NEGOTIATIONS};
use super::{Store, StoreError};
use crate::market::negotiation::step;
use crate::market::{Effect, Negotiation, NegotiationError, NegotiationEvent, NegotiationId, Role};
use crate::wire::Verified;

/// The outcome of offering an event to the store.
#[derive(Debug)]
pub enum Applied {
    /// A new step: the new state and what to do about it.
    New(Negotiation, Vec<Effect>),
    /// The very same event was already in the log.
    Duplicate(Negotiation),
}

fn event_key(id: &NegotiationId, seq: u32) -> [u8; 20] {
    let mut key = [0u8; 20];
    key[..16].copy_from_slice(&id.0);
    key[16..].copy_from_slice(&seq.to_be_bytes());
    key
}

fn decode_state(bytes: &[u8]) -> Result<Negotiation, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| corrupt("negotiation", e))
}

fn decode_event(bytes: &[u8]) -> Result<Verified<NegotiationEvent>, StoreError> {
    Verified::from_trusted_store(bytes.to_vec()).map_err(|e| corrupt("negotiation event", e))
}

impl Store {
    /// Applies a signed event through the state machine and stores the new
    /// state and the event (and, if given, a message to send about it) in
    /// one transaction. The event's own signed timestamp is the `now` of the
    /// step, so both parties compute the same state.
    pub fn apply_negotiation_event(
        &self,
        event: &Verified<NegotiationEvent>,
        send: Option<&Queued>,
    ) -> Result<Applied, StoreError> {
        let id = event.value().negotiation;
        let seq = event.value().seq;
        let tx = self.db.write()?;
        let result = {
            let mut states = tx.open_table(NEGOTIATIONS)?;
            let mut log = tx.open_table(NEGOTIATION_EVENTS)?;
            let mut current = states.get(&id.0)?.map(|v| decode_state(v.value())).transpose()?;
            if let Some(state) = &current
                && seq < state.seq
            {
                let existing = log.get(&event_key(&id, seq))?.map(|v| decode_event(v.value())).transpose()?;
                match existing {
                    Some(existing) if existing.bytes() == event.bytes() => {
                        return Ok(Applied::Duplicate(state.clone()));
                    }
                    Some(existing) if !wins(state, event, &existing) => {
                        return Err(NegotiationError::OutOfOrder { expected: state.seq, got: seq }.into());
                    }
                    _ => current = rewind(&mut log, &id, seq, state.seq)?,
                }
            }
            let (next, effects) = step(current.as_ref(), event.author(), event.value(), event.timestamp())?;
            let encoded = postcard::to_stdvec(&next).map_err(|e| corrupt("negotiation", e))?;
            states.insert(&id.0, encoded.as_slice())?;
            log.insert(&event_key(&id, seq), event.bytes())?;
            Applied::New(next, effects)
        };
        if let Some(entry) = send {
            queue_in(&tx, entry, event.timestamp())?;
        }
        tx.commit()?;
        Ok(result)
    }

    pub fn negotiation(&self, id: &NegotiationId) -> Result<Option<Negotiation>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(NEGOTIATIONS)?;
        table.get(&id.0)?.map(|v| decode_state(v.value())).transpose()
    }

    pub fn negotiations(&self) -> Result<Vec<Negotiation>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(NEGOTIATIONS)?;
        table.iter()?.map(|entry| decode_state(entry?.1.value())).collect()
    }

    /// The signed events of one negotiation, in order.
    pub fn negotiation_log(&self, id: &NegotiationId) -> Result<Vec<Verified<NegotiationEvent>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(NEGOTIATION_EVENTS)?;
        let (first, last) = (event_key(id, 0), event_key(id, u32::MAX));
        let range = table.range::<&[u8; 20]>(&first..=&last)?;
        range.map(|entry| decode_event(entry?.1.value())).collect()
    }
}

/// Whether `incoming` beats `existing` for the same log position: the
/// teacher's step wins; between two steps of one author, the smaller bytes.
fn wins(state: &Negotiation, incoming: &Verified<NegotiationEvent>, existing: &Verified<NegotiationEvent>) -> bool {
    let teacher = |e: &Verified<NegotiationEvent>| state.role_of(&e.author()) == Some(Role::Teacher);
    match (teacher(incoming), teacher(existing)) {
        (true, false) => true,
        (false, true) => false,
        _ => incoming.bytes() < existing.bytes(),
    }
}

/// Drops log entries from `from` on and replays the rest; returns the state
/// before position `from`.
fn rewind(
    log: &mut Table<&[u8; 20], &[u8]>,
    id: &NegotiationId,
    from: u32,
    until: u32,
) -> Result<Option<Negotiation>, StoreError> {
    for seq in from..until {
        log.remove(&event_key(id, seq))?;
    }
    let mut state = None;
    for seq in 0..from {
        let event = log.get(&event_key(id, seq))?.map(|v| decode_event(v.value())).transpose()?;
        let event = event.ok_or_else(|| corrupt("negotiation", format!("log has no step {seq}")))?;
        state = Some(step(state.as_ref(), event.author(), event.value(), event.timestamp())?.0);
    }
    Ok(state)
}
