//! The co-signing exchange on the node. Nothing is signed under this
//! node's key that its owner has not read and approved (see
//! [`crate::endorse::consent`] and [`crate::node::record`]):
//! - learner: review → (draft arrives: checked, kept, shown) → approve →
//!   countersign → store → send final; or decline with a reason;
//! - teacher: attest + (review arrives) → the whole record is shown →
//!   approve → draft → (final arrives) → check → store; after a decline,
//!   attest again (revise) and approve again.
//!
//! Each step is persisted with the message it sends, in one write, so a
//! restart resumes where it stopped, and a record with one proof is never
//! stored as an endorsement. A draft that arrives again is answered with
//! the record already kept.

use jiff::Timestamp;

use super::Core;
use super::negotiating::encode;
use crate::endorse::consent::{DraftDeclined, RecordDigest};
use crate::endorse::cosign::{
    Attestation, Draft, Final, Review, accept_final, check_draft, countersign, draft, expected_from_draft,
};
use crate::identity::PublicKey;
use crate::market::{Negotiation, NegotiationId, Phase, Role};
use crate::net::SessionMessage;
use crate::node::record::{drafted_record, learners_record, teachers_record};
use crate::node::{Event, NodeError};
use crate::store::{CosignState, Queued, Slot};
use crate::wire::{open, seal};

/// An approval that no longer fits the record.
fn changed() -> NodeError {
    NodeError::Invalid("the record changed since you read it; read it again before approving".into())
}

impl Core {
    /// Negotiation `id`, in which this node has `role` (else `WrongRole(who)`).
    fn session_as(&self, id: &NegotiationId, role: Role, who: &'static str) -> Result<Negotiation, NodeError> {
        let state = self.store.negotiation(id)?.ok_or(NodeError::NotFound("negotiation"))?;
        if state.role_of(&self.me.public()) != Some(role) {
            return Err(NodeError::WrongRole(who));
        }
        Ok(state)
    }

    /// Negotiation `id`, when a part signed by `author` and sent by `from`
    /// comes from its party with `role`, itself, to this node, the other.
    fn sent_by_the_other_party(
        &self,
        id: &NegotiationId,
        author: PublicKey,
        from: PublicKey,
        role: Role,
        who: &'static str,
    ) -> Result<Negotiation, NodeError> {
        let state = self.store.negotiation(id)?.ok_or(NodeError::NotFound("negotiation"))?;
        let sender = state.party(role);
        if author != sender || from != sender || state.party(role.other()) != self.me.public() {
            return Err(NodeError::WrongRole(who));
        }
        Ok(state)
    }

    pub(super) fn review(
        &mut self,
        id: NegotiationId,
        rating: u8,
        words: String,
        now: Timestamp,
    ) -> Result<(), NodeError> {
        let state = self.session_as(&id, Role::Learner, "learner")?;
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
        self.emit(Event::NegotiationChanged(id));
        self.delivery.add(state.teacher);
        self.deliver_due(now);
        Ok(())
    }

    /// Teacher: their part. A new part (a revision after the learner
    /// declined) needs a new approval.
    pub(super) fn attest(
        &mut self,
        id: NegotiationId,
        attestation: Attestation,
        _now: Timestamp,
    ) -> Result<(), NodeError> {
        attestation.validate().map_err(|e| NodeError::Invalid(e.to_string()))?;
        self.session_as(&id, Role::Teacher, "teacher")?;
        let mut cosign = self.store.cosign_state(&id)?;
        if cosign.draft.is_some() {
            return Err(NodeError::Invalid("the record is signed and sent already; they have yet to sign".into()));
        }
        if cosign.attestation.as_ref() != Some(&attestation) {
            cosign.approved = None;
        }
        cosign.attestation = Some(attestation);
        self.store.put_cosign_state(&id, &cosign, None)?;
        self.emit(Event::NegotiationChanged(id));
        Ok(())
    }

    /// The user read the record with this digest and approves it: the
    /// teacher's node signs the draft, the learner's countersigns.
    pub(super) fn approve(&mut self, id: NegotiationId, seen: RecordDigest, now: Timestamp) -> Result<(), NodeError> {
        let state = self.store.negotiation(&id)?.ok_or(NodeError::NotFound("negotiation"))?;
        if !matches!(state.phase, Phase::Completed { .. }) {
            return Err(NodeError::Invalid("the session is not completed".into()));
        }
        let mut cosign = self.store.cosign_state(&id)?;
        match state.role_of(&self.me.public()) {
            Some(Role::Teacher) => {
                if cosign.draft.is_some() {
                    return Err(NodeError::Invalid("the record is signed and sent already".into()));
                }
                let record = teachers_record(&self.store, &self.me.public(), &state, &cosign, now)?
                    .ok_or(NodeError::Invalid("the learner's review has not arrived yet".into()))?;
                if record.digest != seen {
                    return Err(changed());
                }
                cosign.approved = Some(seen);
                if !self.draft_if_ready(&state, &mut cosign, now)? {
                    return Err(NodeError::Invalid("the record is not ready to sign".into()));
                }
                Ok(())
            }
            Some(Role::Learner) => self.countersign_approved(&state, cosign, seen, now),
            None => Err(NodeError::WrongRole("party to this session")),
        }
    }

    /// Learner: turns the draft with this digest down, with a reason the
    /// teacher reads; nothing is signed but the "no" itself.
    pub(super) fn decline_record(
        &mut self,
        id: NegotiationId,
        seen: RecordDigest,
        reason: String,
        now: Timestamp,
    ) -> Result<(), NodeError> {
        let state = self.session_as(&id, Role::Learner, "learner (the teacher revises their part instead)")?;
        let mut cosign = self.store.cosign_state(&id)?;
        let held = crate::endorse::cosign::endorsement_id(&id);
        if self.store.endorsement_summary(&held)?.is_some() {
            return Err(NodeError::Invalid("you signed this record already".into()));
        }
        let pending = learners_record(&state, &cosign, now)?.ok_or(NodeError::Invalid("no draft to decline".into()))?;
        if pending.digest != seen {
            return Err(changed());
        }
        let no = DraftDeclined { negotiation: id, record: seen, reason: reason.clone() };
        let signed = seal(&self.me, &no, now)?;
        cosign.draft = None;
        cosign.declined = Some((seen, reason));
        let message = encode(SessionMessage::Declined(signed.bytes().to_vec()))?;
        self.store.put_cosign_state(&id, &cosign, Some(&Queued::new(state.teacher, Slot::Declined(id), message)))?;
        self.emit(Event::NegotiationChanged(id));
        self.delivery.add(state.teacher);
        self.deliver_due(now);
        Ok(())
    }

    /// Teacher: after completion or a review, nothing is signed; the
    /// client is told the record may be ready to read.
    pub(super) fn maybe_draft(&mut self, id: &NegotiationId, now: Timestamp) -> Result<(), NodeError> {
        let Some(state) = self.store.negotiation(id)? else { return Ok(()) };
        let mut cosign = self.store.cosign_state(id)?;
        self.draft_if_ready(&state, &mut cosign, now).map(drop)
    }

    /// Drafts with `cosign` (and stores it, with the draft to send) if the
    /// session is completed, both parts are in and the teacher approved
    /// exactly this record; returns whether it did.
    fn draft_if_ready(
        &mut self,
        state: &Negotiation,
        cosign: &mut CosignState,
        now: Timestamp,
    ) -> Result<bool, NodeError> {
        let id = &state.id;
        let me = self.me.public();
        let ready = matches!(state.phase, Phase::Completed { .. })
            && state.role_of(&me) == Some(Role::Teacher)
            && cosign.draft.is_none()
            && cosign.approved.is_some();
        if !ready {
            return Ok(false);
        }
        let Some(record) = teachers_record(&self.store, &me, state, cosign, now)? else { return Ok(false) };
        if cosign.approved != Some(record.digest) {
            // A name or a part changed since the approval.
            cosign.approved = None;
            return Ok(false);
        }
        let document = draft(&record.record, &self.me, now)?;
        let signed = seal(&self.me, &Draft { negotiation: *id, document: document.clone() }, now)?;
        cosign.draft = Some(document);
        cosign.declined = None;
        let message = encode(SessionMessage::Draft(signed.bytes().to_vec()))?;
        self.store.put_cosign_state(id, cosign, Some(&Queued::new(state.learner, Slot::Draft(*id), message)))?;
        self.emit(Event::NegotiationChanged(*id));
        self.delivery.add(state.learner);
        self.deliver_due(now);
        Ok(true)
    }

    pub(super) fn take_review(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Result<(), NodeError> {
        let review = open::<Review>(bytes, now)?;
        let id = review.value().negotiation;
        self.sent_by_the_other_party(&id, review.author(), from, Role::Learner, "learner (to the teacher)")?;
        let mut cosign = self.store.cosign_state(&id)?;
        if cosign.review.is_some() {
            return Ok(());
        }
        // The review is the learner's and is kept; the teacher reads the
        // whole record before approving it.
        cosign.review = Some(bytes.to_vec());
        self.store.put_cosign_state(&id, &cosign, None)?;
        self.emit(Event::NegotiationChanged(id));
        Ok(())
    }

    pub(super) fn take_draft(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Result<(), NodeError> {
        let draft = open::<Draft>(bytes, now)?;
        let id = draft.value().negotiation;
        let state =
            self.sent_by_the_other_party(&id, draft.author(), from, Role::Teacher, "teacher (to the learner)")?;
        let mut cosign = self.store.cosign_state(&id)?;
        let review =
            cosign.review.as_ref().ok_or(NodeError::Invalid("no review of ours for this session yet".into()))?;
        let review = open::<Review>(review, now)?;
        let expected = expected_from_draft(&state, review.value(), &draft.value().document)?;
        let digest = RecordDigest::of(&expected);
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
            self.delivery.add(state.teacher);
            self.deliver_due(now);
            return Ok(());
        }
        if cosign.declined.as_ref().is_some_and(|(no, _)| *no == digest) {
            return Ok(()); // the very draft we declined, sent again
        }
        if cosign.draft.as_deref() == Some(draft.value().document.as_slice()) {
            return Ok(());
        }
        // Shown to the learner only once the teacher's signatures hold.
        check_draft(&expected, &draft.value().document)?;
        cosign.draft = Some(draft.value().document.clone());
        cosign.declined = None;
        self.store.put_cosign_state(&id, &cosign, None)?;
        self.emit(Event::NegotiationChanged(id));
        Ok(())
    }

    /// Learner: signs the waiting draft if it is the record approved.
    fn countersign_approved(
        &mut self,
        state: &Negotiation,
        cosign: CosignState,
        seen: RecordDigest,
        now: Timestamp,
    ) -> Result<(), NodeError> {
        let id = state.id;
        if self.store.endorsement_summary(&crate::endorse::cosign::endorsement_id(&id))?.is_some() {
            return Err(NodeError::Invalid("you signed this record already".into()));
        }
        let Some(record) = learners_record(state, &cosign, now)? else {
            return Err(NodeError::Invalid("no draft from the teacher to sign yet".into()));
        };
        if record.digest != seen {
            return Err(changed());
        }
        let expected = record.record;
        let document = cosign.draft.as_deref().unwrap_or_default();
        let verified = countersign(&expected, document, &self.me, now)?;
        let queued = self.final_for(state, verified.bytes().to_vec(), now)?;
        if self.store.put_countersigned(&id, &cosign, &verified, &queued)? {
            self.emit(Event::EndorsementStored(expected.id));
        }
        self.emit(Event::NegotiationChanged(id));
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
        self.sent_by_the_other_party(&id, final_.author(), from, Role::Learner, "learner (to the teacher)")?;
        let cosign = self.store.cosign_state(&id)?;
        let drafted = cosign.draft.as_ref().ok_or(NodeError::Invalid("we sent no draft for this session".into()))?;
        let expected = drafted_record(drafted)?;
        let verified = accept_final(&expected, &final_.value().credential, now)?;
        if self.store.put_endorsement(&verified)? {
            self.emit(Event::EndorsementStored(expected.id));
            self.emit(Event::NegotiationChanged(id));
        }
        Ok(())
    }

    /// Teacher: the learner turned the draft down. The draft is dropped
    /// (and not sent again), and the teacher may revise and approve anew.
    pub(super) fn take_declined(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Result<(), NodeError> {
        let no = open::<DraftDeclined>(bytes, now)?;
        let id = no.value().negotiation;
        self.sent_by_the_other_party(&id, no.author(), from, Role::Learner, "learner (to the teacher)")?;
        let mut cosign = self.store.cosign_state(&id)?;
        let Some(drafted) = &cosign.draft else { return Ok(()) };
        if RecordDigest::of(&drafted_record(drafted)?) != no.value().record {
            return Ok(()); // about an older draft than the one now out
        }
        cosign.draft = None;
        cosign.approved = None;
        cosign.declined = Some((no.value().record, no.value().reason.clone()));
        self.store.put_cosign_state(&id, &cosign, None)?;
        self.emit(Event::NegotiationChanged(id));
        Ok(())
    }
}
