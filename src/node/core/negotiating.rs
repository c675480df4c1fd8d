//! Negotiation steps and chat. A local step is signed and offered to the
//! log like any other; the state machine's effects then say what follows
//! (whom to send it to, when to wake, when co-signing begins), and the
//! step, its new state and the messages it sends are written in one go.
//!
//! A step from the other party is taken only from that party itself, only
//! in a negotiation this node is a party to, and, when it opens one, only
//! about an own listing that is live and within the caps on strangers.
//! A step that arrives ahead of a gap is kept for later (the sender is
//! told to retry) while the missing steps are fetched ([`SessionMessage::Resync`]).

use jiff::Timestamp;

use super::{Core, Timer};
use crate::identity::PublicKey;
use crate::market::negotiation::{Offered, moments, offer};
use crate::market::{
    Action, ChatMessage, Effect, ListingKind, ListingRef, Negotiation, NegotiationEvent, NegotiationId, Phase, Terms,
};
use crate::net::{Ack, MAX_RESYNC_STEPS, SessionMessage};
use crate::node::{Event, NodeError};
use crate::store::{LogChange, Queued, Slot};
use crate::wire::{Verified, open, seal};

impl Core {
    pub(super) fn propose(
        &mut self,
        listing: ListingRef,
        terms: Terms,
        now: Timestamp,
    ) -> Result<Negotiation, NodeError> {
        let found =
            self.store.seen_listing(&listing.author, &listing.id, now)?.ok_or(NodeError::NotFound("listing"))?;
        let me = self.me.public();
        let (teacher, learner) = match found.value().kind {
            ListingKind::Offer => (listing.author, me),
            ListingKind::Request => (me, listing.author),
        };
        let action = Action::Propose { listing, skill: found.value().skill().to_owned(), teacher, learner, terms };
        let event = NegotiationEvent { negotiation: self.random_id(), seq: 0, action };
        self.local_step(event, now)
    }

    pub(super) fn act(&mut self, id: NegotiationId, action: Action, now: Timestamp) -> Result<Negotiation, NodeError> {
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        counterpart(&state, &self.me.public())?;
        self.local_step(NegotiationEvent { negotiation: id, seq: state.seq, action }, now)
    }

    fn local_step(&mut self, event: NegotiationEvent, now: Timestamp) -> Result<Negotiation, NodeError> {
        let signed = seal(&self.me, &event, now)?;
        let id = event.negotiation;
        let state = self.store.negotiation(&id)?;
        let log = self.store.negotiation_log(&id)?;
        let Offered::Appended { state, effects } = offer(&log, state.as_ref(), 0, &self.me.public(), &signed)? else {
            return Err(NodeError::Invalid("this step is already taken".into()));
        };
        let sends = self.carry_effects(&state, &effects, &signed, now)?;
        self.store.record_negotiation(&state, LogChange::Append(&signed), &sends, &[])?;
        self.mail_for(&sends);
        self.after_step(&state, &effects, now);
        Ok(state)
    }

    /// What a step's effects ask for: the messages to queue with it (one
    /// per [`Effect::SendTo`]) and the timers to set.
    fn carry_effects(
        &mut self,
        state: &Negotiation,
        effects: &[Effect],
        signed: &Verified<NegotiationEvent>,
        _now: Timestamp,
    ) -> Result<Vec<Queued>, NodeError> {
        let mut sends = Vec::new();
        for effect in effects {
            match effect {
                Effect::SendTo(to) if *to != self.me.public() => {
                    let message = encode(SessionMessage::Negotiation(signed.bytes().to_vec()))?;
                    sends.push(Queued::new(*to, Slot::Step(state.id, signed.value().seq), message));
                }
                Effect::WakeAt(at) => self.wake(*at, Timer::Session(state.id)),
                Effect::SendTo(_) | Effect::AwaitAnswer(_) | Effect::BeginEndorsement | Effect::Closed => {}
            }
        }
        Ok(sends)
    }

    fn mail_for(&mut self, sends: &[Queued]) {
        for send in sends {
            self.delivery.add(send.to);
        }
    }

    /// Once a step is stored: tell the client, begin co-signing when the
    /// session is over, and send what waits.
    fn after_step(&mut self, state: &Negotiation, effects: &[Effect], now: Timestamp) {
        self.note_stranger(state);
        self.emit(Event::NegotiationChanged(state.id));
        if effects.contains(&Effect::BeginEndorsement)
            && let Err(e) = self.maybe_draft(&state.id, now)
        {
            tracing::warn!("cannot draft the endorsement yet: {e}");
        }
        if let Some(role) = effects.iter().find_map(|e| if let Effect::AwaitAnswer(r) = e { Some(*r) } else { None })
            && state.party(role) == self.me.public()
        {
            tracing::debug!(negotiation = %state.id.short(), "awaiting our answer");
        }
        self.deliver_due(now);
    }

    /// A negotiation step from `from`.
    pub(super) fn take_negotiation(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Result<(), NodeError> {
        let event = open::<NegotiationEvent>(bytes, now)?;
        if event.author() != from {
            return Err(NodeError::WrongRole("author of the step (steps come from whoever took them)"));
        }
        self.offer_remote(event, now)
    }

    /// Offers a step by someone else (sent directly, or in a resync log).
    fn offer_remote(&mut self, event: Verified<NegotiationEvent>, now: Timestamp) -> Result<(), NodeError> {
        let id = event.value().negotiation;
        let state = self.store.negotiation(&id)?;
        if state.is_none() {
            self.check_new_proposal(&event, now)?;
        }
        let log = self.store.negotiation_log(&id)?;
        let acked = self.store.negotiation_acked(&id)?.max(self.delivery.acked(&id));
        let me = self.me.public();
        let offered = match offer(&log, state.as_ref(), acked, &me, &event) {
            Ok(offered) => offered,
            Err(e @ crate::market::NegotiationError::Gap { have, .. }) => {
                self.ask_resync(id, event.author(), have, now)?;
                return Err(e.into());
            }
            Err(e) => return Err(e.into()),
        };
        match offered {
            Offered::Duplicate => Ok(()),
            Offered::Appended { state, effects } => {
                let sends = self.carry_effects(&state, &effects, &event, now)?;
                self.store.record_negotiation(&state, LogChange::Append(&event), &sends, &[])?;
                self.mail_for(&sends);
                self.after_step(&state, &effects, now);
                Ok(())
            }
            Offered::Replaced { from, dropped, state, effects } => {
                let other = event.author();
                let unsend: Vec<(PublicKey, Slot)> =
                    dropped.iter().map(|d| (other, Slot::Step(id, d.value().seq))).collect();
                let sends = self.carry_effects(&state, &effects, &event, now)?;
                self.store.record_negotiation(&state, LogChange::Replace { from, event: &event }, &sends, &unsend)?;
                self.mail_for(&sends);
                tracing::info!(
                    negotiation = %id.short(),
                    dropped = dropped.len(),
                    "the other party's step, taken at the same moment, stands instead of ours"
                );
                self.after_step(&state, &effects, now);
                Ok(())
            }
        }
    }

    /// A step that opens a negotiation must be about one of our own live
    /// listings and within the caps on open negotiations.
    fn check_new_proposal(&mut self, event: &Verified<NegotiationEvent>, now: Timestamp) -> Result<(), NodeError> {
        let Action::Propose { listing, .. } = &event.value().action else { return Ok(()) };
        let me = self.me.public();
        if listing.author != me {
            return Err(crate::market::NegotiationError::NotYours.into());
        }
        let live = self.store.own_listing(&listing.id)?.is_some_and(|l| !l.value().is_expired(now));
        if !live {
            return Err(NodeError::Invalid("that listing is not open for proposals here".into()));
        }
        let author = event.author();
        let with_them = self.store.negotiations_with(&author)?;
        let stranger = self.is_stranger(&author, &with_them)?;
        let open = with_them.iter().filter(|n| !n.phase.is_closed()).count();
        let limits = &self.config.limits;
        let allowed = if stranger { limits.open_negotiations_per_stranger } else { limits.open_negotiations };
        if open >= allowed {
            return Err(NodeError::Invalid(format!("{open} open negotiations with this peer already")));
        }
        if stranger {
            let (open, kept) = self.with_strangers()?;
            let limits = &self.config.limits;
            if open >= limits.stranger_negotiations || kept >= limits.stranger_negotiations_kept {
                return Err(NodeError::Busy(format!(
                    "{open} proposals from people new here wait already; try again later"
                )));
            }
        }
        Ok(())
    }

    /// Someone we never agreed a session with, never endorsed with, and
    /// never met through a ticket.
    pub(super) fn is_stranger(&self, peer: &PublicKey, with_them: &[Negotiation]) -> Result<bool, NodeError> {
        if with_them.iter().any(|n| n.agreed.is_some()) {
            return Ok(false);
        }
        if !self.store.endorsements_with(peer)?.is_empty() {
            return Ok(false);
        }
        Ok(!self.store.contacts()?.iter().any(|(p, _)| p == peer))
    }

    /// Queues a request for `id`'s steps from position `have` on.
    fn ask_resync(&mut self, id: NegotiationId, to: PublicKey, have: u32, now: Timestamp) -> Result<(), NodeError> {
        let message = encode(SessionMessage::Resync { negotiation: id, have })?;
        self.store.queue(&Queued::new(to, Slot::Resync(id), message))?;
        self.delivery.add(to);
        self.deliver_due(now);
        Ok(())
    }

    /// Answers a party's request for a negotiation's steps.
    pub(super) fn serve_resync(&self, from: PublicKey, id: NegotiationId, have: u32) -> Ack {
        let state = match self.store.negotiation(&id) {
            Ok(Some(state)) => state,
            Ok(None) => return Ack::Refused("no such negotiation here".into()),
            Err(e) => return Ack::Later(e.to_string()),
        };
        if state.role_of(&from).is_none() {
            return Ack::Refused(crate::market::NegotiationError::NotAParty.to_string());
        }
        match self.store.negotiation_log(&id) {
            Ok(log) => {
                Ack::Log(log.iter().skip(have as usize).take(MAX_RESYNC_STEPS).map(|e| e.bytes().to_vec()).collect())
            }
            Err(e) => Ack::Later(e.to_string()),
        }
    }

    /// Takes the steps a resync brought, in order, as far as they go.
    pub(super) fn take_resync(&mut self, from: PublicKey, id: NegotiationId, steps: Vec<Vec<u8>>, now: Timestamp) {
        if steps.len() > MAX_RESYNC_STEPS {
            return self.refused(from, "a resync answer with too many steps", now);
        }
        for bytes in steps {
            let event = match open::<NegotiationEvent>(&bytes, now) {
                Ok(event) if event.value().negotiation == id => event,
                Ok(_) => return self.refused(from, "a resync answer about another negotiation", now),
                Err(e) => return self.refused(from, &e.to_string(), now),
            };
            let result = if event.author() == self.me.public() {
                self.offer_own_copy(event, now)
            } else if event.author() == from {
                self.offer_remote(event, now)
            } else {
                Err(crate::market::NegotiationError::NotAParty.into())
            };
            if let Err(e) = result {
                return self.refused(from, &format!("resync: {e}"), now);
            }
        }
    }

    /// One of our own steps coming back in a resync: kept if this side
    /// lacks it (a store restored from an older copy), else a duplicate.
    fn offer_own_copy(&mut self, event: Verified<NegotiationEvent>, now: Timestamp) -> Result<(), NodeError> {
        let id = event.value().negotiation;
        let state = self.store.negotiation(&id)?;
        let log = self.store.negotiation_log(&id)?;
        match offer(&log, state.as_ref(), u32::MAX, &self.me.public(), &event)? {
            Offered::Duplicate => Ok(()),
            Offered::Appended { state, effects } => {
                self.store.record_negotiation(&state, LogChange::Append(&event), &[], &[])?;
                self.after_step(&state, &effects, now);
                Ok(())
            }
            Offered::Replaced { .. } => Err(NodeError::Invalid("our own step differs from the one held".into())),
        }
    }

    /// A timer for a negotiation: the client redraws what can be done now.
    pub(super) fn session_due(&mut self, id: NegotiationId, _now: Timestamp) {
        self.emit(Event::SessionDue(id));
    }

    /// At start: the timers of agreed sessions still ahead.
    pub(super) fn wake_for_sessions(&mut self, now: Timestamp) {
        let negotiations = match self.store.negotiations() {
            Ok(n) => n,
            Err(e) => return tracing::warn!("cannot read negotiations: {e}"),
        };
        for n in negotiations {
            if let (Phase::Agreed, Some(terms)) = (&n.phase, &n.agreed) {
                for at in moments(terms).into_iter().filter(|at| *at > now) {
                    self.wake(at, Timer::Session(n.id));
                }
            }
        }
    }

    pub(super) fn send_chat(&mut self, id: NegotiationId, text: String, now: Timestamp) -> Result<(), NodeError> {
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        let other = counterpart(&state, &self.me.public())?;
        let waiting = self.store.outbox_len_for(&other)?;
        if waiting >= self.config.limits.outbox_per_peer {
            return Err(NodeError::Invalid(format!("{waiting} messages already wait for this person; try later")));
        }
        let chat = ChatMessage { negotiation: id, id: self.random_id(), text };
        let signed = seal(&self.me, &chat, now)?;
        let message = encode(SessionMessage::Chat(signed.bytes().to_vec()))?;
        self.store.put_chat(&signed, Some(&Queued::new(other, Slot::Chat(chat.id), message)))?;
        self.emit(Event::Chat(id));
        self.delivery.add(other);
        self.deliver_due(now);
        Ok(())
    }

    pub(super) fn take_chat(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Result<(), NodeError> {
        let chat = open::<ChatMessage>(bytes, now)?;
        if chat.author() != from {
            return Err(NodeError::WrongRole("author of the message"));
        }
        let state = self.store.negotiation(&chat.value().negotiation)?.ok_or(NodeError::NotFound("negotiation"))?;
        if state.role_of(&chat.author()).is_none() || state.role_of(&self.me.public()).is_none() {
            return Err(NodeError::WrongRole("teacher or learner of this session"));
        }
        let held = self.store.chat_count(&state.id)?;
        let limits = &self.config.limits;
        if held >= limits.chat_per_negotiation {
            return Err(NodeError::Invalid(format!("this session's chat is full ({held} messages)")));
        }
        if state.agreed.is_none()
            && held >= limits.stranger_chat
            && self.is_stranger(&from, std::slice::from_ref(&state))?
        {
            return Err(NodeError::Invalid("more chat waits until a session is agreed".into()));
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
