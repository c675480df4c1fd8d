//! Negotiations: the current state and the signed event log, written
//! together so state and log never disagree. Which step goes where (a
//! fork between two concurrent steps included) is decided by the pure
//! [`crate::market::negotiation::log`]; this file only keeps the result.

use redb::{ReadableTable, WriteTransaction};

use super::error::corrupt;
use super::outbox::{Queued, Slot, queue_in, unqueue_in, unqueue_negotiation_in};
use super::tables::{NEGOTIATION_ACKED, NEGOTIATION_EVENTS, NEGOTIATIONS, NEGOTIATIONS_BY_PEER};
use super::{Store, StoreError};
use crate::identity::PublicKey;
use crate::market::negotiation::{Offered, offer};
use crate::market::{Effect, Negotiation, NegotiationEvent, NegotiationId};
use crate::wire::Verified;

/// The outcome of offering an event to the store.
#[derive(Debug)]
pub enum Applied {
    /// A new step: the new state and what to do about it.
    New(Negotiation, Vec<Effect>),
    /// The very same event was already in the log.
    Duplicate(Negotiation),
}

/// How the log changes with one step.
#[derive(Debug, Clone, Copy)]
pub enum LogChange<'a> {
    /// The step goes at the end.
    Append(&'a Verified<NegotiationEvent>),
    /// Steps from `from` on are dropped, and the step goes at `from`.
    Replace { from: u32, event: &'a Verified<NegotiationEvent> },
}

fn event_key(id: &NegotiationId, seq: u32) -> [u8; 20] {
    let mut key = [0u8; 20];
    key[..16].copy_from_slice(&id.0);
    key[16..].copy_from_slice(&seq.to_be_bytes());
    key
}

fn peer_key(peer: &PublicKey, id: &NegotiationId) -> [u8; 48] {
    let mut key = [0u8; 48];
    key[..32].copy_from_slice(peer.as_bytes());
    key[32..].copy_from_slice(&id.0);
    key
}

fn decode_state(bytes: &[u8]) -> Result<Negotiation, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| corrupt("negotiation", e))
}

fn decode_event(bytes: &[u8]) -> Result<Verified<NegotiationEvent>, StoreError> {
    Verified::from_trusted_store(bytes.to_vec()).map_err(|e| corrupt("negotiation event", e))
}

impl Store {
    /// Keeps a step and the state it leads to, queues `send` and drops the
    /// queued messages in `unsend`, all in one durable write.
    pub fn record_negotiation(
        &self,
        state: &Negotiation,
        change: LogChange<'_>,
        send: &[Queued],
        unsend: &[(PublicKey, Slot)],
    ) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        record_in(&tx, state, change)?;
        for entry in send {
            queue_in(&tx, entry)?;
        }
        for (to, slot) in unsend {
            unqueue_in(&tx, to, slot)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Offers a signed event to the log as `me` holds it, through the same
    /// pure rule the node uses ([`offer`]), and keeps the result (queueing
    /// `send` with it). For tools and tests that build stores directly.
    pub fn apply_negotiation_event(
        &self,
        me: &PublicKey,
        event: &Verified<NegotiationEvent>,
        send: Option<&Queued>,
    ) -> Result<Applied, StoreError> {
        let id = event.value().negotiation;
        let state = self.negotiation(&id)?;
        let log = self.negotiation_log(&id)?;
        let settled = self.negotiation_acked(&id)?;
        let sends: Vec<Queued> = send.into_iter().cloned().collect();
        match offer(&log, state.as_ref(), settled, me, event)? {
            Offered::Duplicate => {
                Ok(Applied::Duplicate(state.ok_or_else(|| corrupt("negotiation", "log without state"))?))
            }
            Offered::Appended { state, effects } => {
                self.record_negotiation(&state, LogChange::Append(event), &sends, &[])?;
                Ok(Applied::New(state, effects))
            }
            Offered::Replaced { from, state, effects, .. } => {
                self.record_negotiation(&state, LogChange::Replace { from, event }, &sends, &[])?;
                Ok(Applied::New(state, effects))
            }
        }
    }

    pub fn negotiation(&self, id: &NegotiationId) -> Result<Option<Negotiation>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(NEGOTIATIONS)?;
        table.get(&id.0)?.map(|v| decode_state(v.value())).transpose()
    }

    pub fn negotiations(&self) -> Result<Vec<Negotiation>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(NEGOTIATIONS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (key, value) = entry?;
            let key = super::damaged::key_hex(key.value());
            out.extend(self.skip_damaged("negotiations", key, decode_state(value.value())));
        }
        Ok(out)
    }

    /// The negotiations held with `peer`.
    pub fn negotiations_with(&self, peer: &PublicKey) -> Result<Vec<Negotiation>, StoreError> {
        let tx = self.db.read()?;
        let index = tx.open_table(NEGOTIATIONS_BY_PEER)?;
        let states = tx.open_table(NEGOTIATIONS)?;
        let (first, last) =
            (peer_key(peer, &NegotiationId::default()), peer_key(peer, &crate::market::Id16([0xff; 16])));
        let mut out = Vec::new();
        for row in index.range::<&[u8; 48]>(&first..=&last)? {
            let mut id = [0u8; 16];
            id.copy_from_slice(&row?.0.value()[32..]);
            if let Some(state) = states.get(&id)? {
                out.push(decode_state(state.value())?);
            }
        }
        Ok(out)
    }

    /// The signed events of one negotiation, in order.
    pub fn negotiation_log(&self, id: &NegotiationId) -> Result<Vec<Verified<NegotiationEvent>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(NEGOTIATION_EVENTS)?;
        let (first, last) = (event_key(id, 0), event_key(id, u32::MAX));
        let range = table.range::<&[u8; 20]>(&first..=&last)?;
        range.map(|entry| decode_event(entry?.1.value())).collect()
    }

    /// Forgets a negotiation whole: its state, log, chat, co-signing
    /// progress, indexes and what waits to be sent about it (for closed
    /// proposals from strangers, which would otherwise pile up). Returns
    /// whether it was there.
    pub fn forget_negotiation(&self, id: &NegotiationId) -> Result<bool, StoreError> {
        use super::tables::{CHAT, COSIGN};
        let tx = self.db.write()?;
        let state = tx.open_table(NEGOTIATIONS)?.remove(&id.0)?.map(|v| v.value().to_vec());
        let Some(state) = state else { return Ok(false) };
        let state = decode_state(&state)?;
        let (first, last) = (event_key(id, 0), event_key(id, u32::MAX));
        tx.open_table(NEGOTIATION_EVENTS)?.retain_in::<&[u8; 20], _>(&first..=&last, |_, _| false)?;
        let (mut from, mut to) = ([0u8; 40], [0xffu8; 40]);
        from[..16].copy_from_slice(&id.0);
        to[..16].copy_from_slice(&id.0);
        tx.open_table(CHAT)?.retain_in::<&[u8; 40], _>(&from..=&to, |_, _| false)?;
        tx.open_table(COSIGN)?.remove(&id.0)?;
        tx.open_table(NEGOTIATION_ACKED)?.remove(&id.0)?;
        let mut by_peer = tx.open_table(NEGOTIATIONS_BY_PEER)?;
        by_peer.remove(&peer_key(&state.teacher, id))?;
        by_peer.remove(&peer_key(&state.learner, id))?;
        drop(by_peer);
        for party in [&state.teacher, &state.learner] {
            unqueue_negotiation_in(&tx, party, id)?;
        }
        tx.commit()?;
        Ok(true)
    }

    /// How many leading steps the other party has acknowledged.
    pub fn negotiation_acked(&self, id: &NegotiationId) -> Result<u32, StoreError> {
        let tx = self.db.read()?;
        Ok(tx.open_table(NEGOTIATION_ACKED)?.get(&id.0)?.map_or(0, |v| v.value()))
    }

    /// The other party acknowledged steps up to (not including) `upto`.
    pub fn acknowledge_negotiation(&self, id: &NegotiationId, upto: u32) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        acknowledge_in(&tx, id, upto)?;
        tx.commit()?;
        Ok(())
    }
}

pub(super) fn acknowledge_in(tx: &WriteTransaction, id: &NegotiationId, upto: u32) -> Result<(), StoreError> {
    let mut table = tx.open_table(NEGOTIATION_ACKED)?;
    let held = table.get(&id.0)?.map_or(0, |v| v.value());
    if upto > held {
        table.insert(&id.0, upto)?;
    }
    Ok(())
}

fn record_in(tx: &WriteTransaction, state: &Negotiation, change: LogChange<'_>) -> Result<(), StoreError> {
    let id = state.id;
    let encoded = postcard::to_stdvec(state).map_err(|e| corrupt("negotiation", e))?;
    let mut states = tx.open_table(NEGOTIATIONS)?;
    let new = states.insert(&id.0, encoded.as_slice())?.is_none();
    let mut log = tx.open_table(NEGOTIATION_EVENTS)?;
    let event = match change {
        LogChange::Append(event) => event,
        LogChange::Replace { from, event } => {
            let (first, last) = (event_key(&id, from), event_key(&id, u32::MAX));
            log.retain_in::<&[u8; 20], _>(&first..=&last, |_, _| false)?;
            event
        }
    };
    log.insert(&event_key(&id, event.value().seq), event.bytes())?;
    if new {
        let mut by_peer = tx.open_table(NEGOTIATIONS_BY_PEER)?;
        by_peer.insert(&peer_key(&state.teacher, &id), ())?;
        by_peer.insert(&peer_key(&state.learner, &id), ())?;
    }
    Ok(())
}
