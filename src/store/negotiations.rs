//! Negotiations: the current state and the signed event log, written
//! together so state and log never disagree.

use redb::{ReadableDatabase, ReadableTable};

use super::error::corrupt;
use super::tables::{NEGOTIATION_EVENTS, NEGOTIATIONS};
use super::{Store, StoreError};
use crate::market::negotiation::step;
use crate::market::{Effect, Negotiation, NegotiationEvent, NegotiationId};
use crate::wire::Verified;

fn event_key(id: &NegotiationId, seq: u32) -> [u8; 20] {
    let mut key = [0u8; 20];
    key[..16].copy_from_slice(&id.0);
    key[16..].copy_from_slice(&seq.to_be_bytes());
    key
}

fn decode_state(bytes: &[u8]) -> Result<Negotiation, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| corrupt("negotiation", e))
}

impl Store {
    /// Applies a signed event through the state machine and stores the new
    /// state and the event in one transaction. The event's own signed
    /// timestamp is the `now` of the step, so both parties agree.
    pub fn apply_negotiation_event(
        &self,
        event: &Verified<NegotiationEvent>,
    ) -> Result<(Negotiation, Vec<Effect>), StoreError> {
        let id = event.value().negotiation;
        let tx = self.db.begin_write()?;
        let result = {
            let mut states = tx.open_table(NEGOTIATIONS)?;
            let current = states.get(&id.0)?.map(|v| decode_state(v.value())).transpose()?;
            let (next, effects) = step(current.as_ref(), event.author(), event.value(), event.timestamp())?;
            let encoded = postcard::to_stdvec(&next).map_err(|e| corrupt("negotiation", e))?;
            states.insert(&id.0, encoded.as_slice())?;
            tx.open_table(NEGOTIATION_EVENTS)?.insert(&event_key(&id, event.value().seq), event.bytes())?;
            (next, effects)
        };
        tx.commit()?;
        Ok(result)
    }

    pub fn negotiation(&self, id: &NegotiationId) -> Result<Option<Negotiation>, StoreError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(NEGOTIATIONS)?;
        table.get(&id.0)?.map(|v| decode_state(v.value())).transpose()
    }

    pub fn negotiations(&self) -> Result<Vec<Negotiation>, StoreError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(NEGOTIATIONS)?;
        table.iter()?.map(|entry| decode_state(entry?.1.value())).collect()
    }

    /// The signed events of one negotiation, in order.
    pub fn negotiation_log(&self, id: &NegotiationId) -> Result<Vec<Verified<NegotiationEvent>>, StoreError> {
        let tx = self.db.begin_read()?;
        let table = tx.open_table(NEGOTIATION_EVENTS)?;
        let (first, last) = (event_key(id, 0), event_key(id, u32::MAX));
        let range = table.range::<&[u8; 20]>(&first..=&last)?;
        range
            .map(|entry| {
                Verified::from_trusted_store(entry?.1.value().to_vec()).map_err(|e| corrupt("negotiation event", e))
            })
            .collect()
    }
}
