//! Negotiation and chat on the node: local steps are signed, applied and
//! queued for the other party in one write; a peer's steps are verified and
//! run through the same state machine.

use iroh::EndpointId;

use super::actor::{Actor, key};
use super::{Event, NodeError};
use crate::identity::PublicKey;
use crate::market::{
    Action, ChatMessage, Id16, ListingKind, ListingRef, Negotiation, NegotiationEvent, NegotiationId, Terms,
};
use crate::net::{Ack, SessionMessage};
use crate::store::{Applied, Queued};
use crate::wire::{open, seal};

impl Actor {
    pub(super) fn propose(&mut self, listing: ListingRef, terms: Terms) -> Result<Negotiation, NodeError> {
        let now = self.config.clock.now();
        let found = self
            .store
            .seen_listings(now)?
            .into_iter()
            .find(|l| l.author() == listing.author && l.value().id == listing.id);
        let found = found.ok_or(NodeError::NotFound("listing"))?;
        let me = self.identity.public();
        let (teacher, learner) = match found.value().kind {
            ListingKind::Offer => (listing.author, me),
            ListingKind::Request => (me, listing.author),
        };
        let action = Action::Propose { listing, skill: found.value().skill().to_owned(), teacher, learner, terms };
        let event = NegotiationEvent {
            negotiation: Id16::random().map_err(|e| NodeError::Invalid(e.to_string()))?,
            seq: 0,
            action,
        };
        self.step(event, listing.author)
    }

    pub(super) fn act(&mut self, id: NegotiationId, action: Action) -> Result<Negotiation, NodeError> {
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        let other = counterpart(&state, &self.identity.public())?;
        self.step(NegotiationEvent { negotiation: id, seq: state.seq, action }, other)
    }

    fn step(&mut self, event: NegotiationEvent, to: PublicKey) -> Result<Negotiation, NodeError> {
        let now = self.config.clock.now();
        let signed = seal(&self.identity, &event, now)?;
        let message = encode(SessionMessage::Negotiation(signed.bytes().to_vec()))?;
        match self.store.apply_negotiation_event(&signed, Some(&Queued::new(to, message, now)))? {
            Applied::New(state, _) | Applied::Duplicate(state) => {
                self.emit(Event::NegotiationChanged(state.id));
                if let Err(e) = self.maybe_draft(&state.id) {
                    tracing::warn!("cannot draft the endorsement yet: {e}");
                }
                self.deliver_due();
                Ok(state)
            }
        }
    }

    pub(super) fn send_chat(&mut self, id: NegotiationId, text: String) -> Result<(), NodeError> {
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        let other = counterpart(&state, &self.identity.public())?;
        let now = self.config.clock.now();
        let chat =
            ChatMessage { negotiation: id, id: Id16::random().map_err(|e| NodeError::Invalid(e.to_string()))?, text };
        let signed = seal(&self.identity, &chat, now)?;
        let message = encode(SessionMessage::Chat(signed.bytes().to_vec()))?;
        self.store.put_chat(&signed, Some(&Queued::new(other, message, now)))?;
        self.emit(Event::Chat(id));
        self.deliver_due();
        Ok(())
    }

    /// A message from `from` on the session protocol; the ack tells it
    /// whether to forget the message (taken or refused) or try again.
    pub(super) fn take_session_message(&mut self, from: EndpointId, message: Option<SessionMessage>) -> Ack {
        if let Err(reason) = self.admit(key(from)) {
            tracing::debug!(peer = %from, "dropped session message: {reason}");
            return Ack::Refused(reason.into());
        }
        let Some(message) = message else { return Ack::Refused("malformed session message".into()) };
        let result = match message {
            SessionMessage::Negotiation(bytes) => self.take_negotiation(&bytes),
            SessionMessage::Chat(bytes) => self.take_chat(&bytes),
            SessionMessage::Review(bytes) => self.take_review(&bytes),
            SessionMessage::Draft(bytes) => self.take_draft(&bytes),
            SessionMessage::Final(bytes) => self.take_final(&bytes),
        };
        match result {
            Ok(()) => Ack::Taken,
            Err(e) => {
                tracing::info!(peer = %from, "refused session message: {e}");
                self.emit(Event::Rejected { from: key(from), reason: e.to_string() });
                Ack::Refused(e.to_string())
            }
        }
    }

    fn take_negotiation(&mut self, bytes: &[u8]) -> Result<(), NodeError> {
        let event = open::<NegotiationEvent>(bytes, self.config.clock.now())?;
        if matches!(event.value().action, Action::Propose { .. }) {
            let author = event.author();
            let open = self
                .store
                .negotiations()?
                .iter()
                .filter(|n| n.role_of(&author).is_some() && !n.phase.is_closed())
                .count();
            if open >= self.config.limits.open_negotiations
                && self.store.negotiation(&event.value().negotiation)?.is_none()
            {
                return Err(NodeError::Invalid(format!("{open} open negotiations with this peer already")));
            }
        }
        if let Applied::New(state, _) = self.store.apply_negotiation_event(&event, None)? {
            self.emit(Event::NegotiationChanged(state.id));
            self.maybe_draft(&state.id)?;
        }
        Ok(())
    }

    fn take_chat(&mut self, bytes: &[u8]) -> Result<(), NodeError> {
        let chat = open::<ChatMessage>(bytes, self.config.clock.now())?;
        let state = self.store.negotiation(&chat.value().negotiation)?.ok_or(NodeError::NotFound("negotiation"))?;
        if state.role_of(&chat.author()).is_none() || state.role_of(&self.identity.public()).is_none() {
            return Err(NodeError::WrongRole("teacher or learner of this session"));
        }
        if self.store.put_chat(&chat, None)? {
            self.emit(Event::Chat(state.id));
        }
        Ok(())
    }
}

/// The other party of a negotiation, if `me` is one of the two.
pub(super) fn counterpart(state: &Negotiation, me: &PublicKey) -> Result<PublicKey, NodeError> {
    state
        .role_of(me)
        .map(|role| state.party(role.other()))
        .ok_or(NodeError::WrongRole("teacher or learner of this session"))
}

pub(super) fn encode(message: SessionMessage) -> Result<Vec<u8>, NodeError> {
    postcard::to_stdvec(&message).map_err(|e| NodeError::Invalid(e.to_string()))
}
