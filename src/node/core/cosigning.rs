//! The co-signing exchange on the node. Learner: review → (draft arrives)
//! → countersign → store → send final. Teacher: attest + (review arrives)
//! → draft → (final arrives) → check → store. Each step is persisted with
//! the message it sends, in one write, so a restart resumes where it
//! stopped, and a record with one proof is never stored as an endorsement.
//! A draft that arrives again is answered with the record already kept.

use jiff::Timestamp;

use super::Core;
use super::negotiating::encode;
use crate::endorse::cosign::{
    Attestation, Draft, Final, Review, accept_final, countersign, draft, endorsement_for, expected_from_draft,
};
use crate::endorse::strict_json;
use crate::identity::PublicKey;
use crate::market::{Negotiation, NegotiationId, Phase, Role};
use crate::net::SessionMessage;
use crate::node::{Event, NodeError};
use crate::store::{CosignState, Queued, Slot};
use crate::wire::{open, seal};

impl Core {
    pub(super) fn review(
        &mut self,
        id: NegotiationId,
        rating: u8,
        words: String,
        now: Timestamp,
    ) -> Result<(), NodeError> {
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        if state.role_of(&self.me.public()) != Some(Role::Learner) {
            return Err(NodeError::WrongRole("learner"));
        }
        let mut cosign = self.store.cosign_state(&id)?;
        if cosign.review.is_some() {
            // The teacher may hold the first one already, and a draft made
            // from it would no longer match ours.
            return Err(NodeError::Invalid("this session is reviewed already".into()));
        }
        let signed = seal(&self.me, &Review { negotiation: id, rating, words }, now)?;
        cosign.review = Some(signed.bytes().to_vec());
        let message = encode(SessionMessage::Review(signed.bytes().to_vec()))?;
        self.store.put_cosign_state(&id, &cosign, Some(&Queued::new(state.teacher, Slot::Review(id), message)))?;
        self.delivery.add(state.teacher);
        self.deliver_due(now);
        Ok(())
    }

    pub(super) fn attest(
        &mut self,
        id: NegotiationId,
        attestation: Attestation,
        now: Timestamp,
    ) -> Result<(), NodeError> {
        attestation.validate().map_err(|e| NodeError::Invalid(e.to_string()))?;
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        if state.role_of(&self.me.public()) != Some(Role::Teacher) {
            return Err(NodeError::WrongRole("teacher"));
        }
        let mut cosign = self.store.cosign_state(&id)?;
        cosign.attestation = Some(attestation);
        // One write: the attestation, and the draft with it when the
        // learner's review is in already. A draft that cannot be made
        // leaves nothing stored; the teacher may try again.
        if !self.draft_if_ready(&state, &mut cosign, now)? {
            self.store.put_cosign_state(&id, &cosign, None)?;
        }
        Ok(())
    }

    /// Teacher: once the session is completed and both parts are in, sign
    /// the draft and send it to the learner.
    pub(super) fn maybe_draft(&mut self, id: &NegotiationId, now: Timestamp) -> Result<(), NodeError> {
        let Some(state) = self.store.negotiation(id)? else { return Ok(()) };
        let mut cosign = self.store.cosign_state(id)?;
        self.draft_if_ready(&state, &mut cosign, now).map(drop)
    }

    /// Drafts with `cosign` (and stores it, with the draft to send) if the
    /// session is completed and both parts are in; returns whether it did.
    fn draft_if_ready(
        &mut self,
        state: &Negotiation,
        cosign: &mut CosignState,
        now: Timestamp,
    ) -> Result<bool, NodeError> {
        let id = &state.id;
        let ready = matches!(state.phase, Phase::Completed { .. })
            && state.role_of(&self.me.public()) == Some(Role::Teacher)
            && cosign.draft.is_none();
        let (Some(review), Some(attestation), true) = (&cosign.review, &cosign.attestation, ready) else {
            return Ok(false);
        };
        let review = open::<Review>(review, now)?;
        let names = (self.own_name(), self.peer_name(&state.learner));
        let endorsement = endorsement_for(state, (&names.0, &names.1), review.value(), attestation)?;
        let document = draft(&endorsement, &self.me, now)?;
        let signed = seal(&self.me, &Draft { negotiation: *id, document: document.clone() }, now)?;
        cosign.draft = Some(document);
        let message = encode(SessionMessage::Draft(signed.bytes().to_vec()))?;
        self.store.put_cosign_state(id, cosign, Some(&Queued::new(state.learner, Slot::Draft(*id), message)))?;
        self.delivery.add(state.learner);
        self.deliver_due(now);
        Ok(true)
    }

    pub(super) fn take_review(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Result<(), NodeError> {
        let review = open::<Review>(bytes, now)?;
        let id = review.value().negotiation;
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        if review.author() != state.learner || from != state.learner || state.teacher != self.me.public() {
            return Err(NodeError::WrongRole("learner (to the teacher)"));
        }
        let mut cosign = self.store.cosign_state(&id)?;
        if cosign.review.is_some() {
            return self.maybe_draft(&id, now);
        }
        cosign.review = Some(bytes.to_vec());
        match self.draft_if_ready(&state, &mut cosign.clone(), now) {
            Ok(true) => {}
            Ok(false) => self.store.put_cosign_state(&id, &cosign, None)?,
            Err(e) => {
                // The review is the learner's and is kept; the draft waits.
                tracing::warn!(negotiation = %id.short(), "cannot draft the endorsement yet: {e}");
                self.store.put_cosign_state(&id, &cosign, None)?;
            }
        }
        Ok(())
    }

    pub(super) fn take_draft(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Result<(), NodeError> {
        let draft = open::<Draft>(bytes, now)?;
        let id = draft.value().negotiation;
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        if draft.author() != state.teacher || from != state.teacher || state.learner != self.me.public() {
            return Err(NodeError::WrongRole("teacher (to the learner)"));
        }
        let mut cosign = self.store.cosign_state(&id)?;
        let review =
            cosign.review.as_ref().ok_or(NodeError::Invalid("no review of ours for this session yet".into()))?;
        let review = open::<Review>(review, now)?;
        let expected = expected_from_draft(&state, review.value(), &draft.value().document)?;
        // Countersigned before, but the teacher did not hear of it (a lost
        // ack, a crash, a draft sent again): the same record goes back,
        // never a second one, and nothing is signed or verified again.
        if let Some(held) = self.store.endorsement_summary(&expected.id)? {
            if held != expected {
                return Err(NodeError::Invalid("the draft differs from the endorsement already kept".into()));
            }
            let credential = self.store.endorsement_bytes(&expected.id)?.ok_or(NodeError::NotFound("endorsement"))?;
            let queued = self.final_for(&state, credential, now)?;
            self.store.put_cosign_state(&id, &cosign, Some(&queued))?;
        } else {
            let verified = countersign(&expected, &draft.value().document, &self.me, now)?;
            let queued = self.final_for(&state, verified.bytes().to_vec(), now)?;
            cosign.draft = Some(draft.value().document.clone());
            if self.store.put_countersigned(&id, &cosign, &verified, &queued)? {
                self.emit(Event::EndorsementStored(expected.id));
            }
        }
        self.delivery.add(state.teacher);
        self.deliver_due(now);
        Ok(())
    }

    /// Learner: the finished record, signed as a final for the teacher.
    fn final_for(&self, state: &Negotiation, credential: Vec<u8>, now: Timestamp) -> Result<Queued, NodeError> {
        let signed = seal(&self.me, &Final { negotiation: state.id, credential }, now)?;
        let message = encode(SessionMessage::Final(signed.bytes().to_vec()))?;
        Ok(Queued::new(state.teacher, Slot::Final(state.id), message))
    }

    pub(super) fn take_final(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Result<(), NodeError> {
        let final_ = open::<Final>(bytes, now)?;
        let id = final_.value().negotiation;
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        if final_.author() != state.learner || from != state.learner || state.teacher != self.me.public() {
            return Err(NodeError::WrongRole("learner (to the teacher)"));
        }
        let cosign = self.store.cosign_state(&id)?;
        let drafted = cosign.draft.as_ref().ok_or(NodeError::Invalid("we sent no draft for this session".into()))?;
        let mut document = strict_json::parse(drafted, crate::endorse::MAX_ENDORSEMENT_BYTES)
            .map_err(|e| NodeError::Invalid(e.to_string()))?;
        if let Some(map) = document.as_object_mut() {
            map.remove("proof");
        }
        let expected =
            crate::endorse::Endorsement::from_document(&document).map_err(crate::endorse::EndorseError::from)?;
        let verified = accept_final(&expected, &final_.value().credential, now)?;
        if self.store.put_endorsement(&verified)? {
            self.emit(Event::EndorsementStored(expected.id));
        }
        Ok(())
    }

    fn own_name(&self) -> String {
        match self.store.profile() {
            Ok(Some(profile)) => profile.value().name.clone(),
            _ => self.me.public().fingerprint(),
        }
    }

    fn peer_name(&self, peer: &crate::identity::PublicKey) -> String {
        match self.store.peer(peer) {
            Ok(Some(record)) if !record.name.is_empty() => record.name,
            _ => peer.fingerprint(),
        }
    }
}
