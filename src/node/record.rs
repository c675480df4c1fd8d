//! Where a session's co-signing stands for one party, and the record that
//! party is asked to approve, read from the store. The core signs only a
//! record whose digest the party approved (see [`crate::endorse::consent`]);
//! the client, `agora session show` and the core all read it from here, so
//! what is shown is what would be signed.

use jiff::Timestamp;

use crate::endorse::Endorsement;
use crate::endorse::consent::RecordDigest;
use crate::endorse::cosign::{Review, endorsement_for, expected_from_draft};
use crate::identity::PublicKey;
use crate::market::{Negotiation, Phase, Role};
use crate::node::NodeError;
use crate::store::{CosignState, Store};
use crate::wire::open;

/// A record waiting for this party's approval, and its digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToApprove {
    pub record: Endorsement,
    pub digest: RecordDigest,
}

/// Where co-signing stands, as seen by one party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The session is not completed (or never took place).
    NotCompleted,
    /// This party has not given their part yet (review or attestation).
    GiveYourPart,
    /// Waiting for the other party's part (the learner's review, or the
    /// teacher's draft).
    WaitingForTheirPart,
    /// The whole record is ready: this party reads it and approves (or,
    /// for the learner, declines) before anything is signed.
    Approve(Box<ToApprove>),
    /// The teacher signed and sent the draft; the learner has yet to sign.
    WaitingForTheirSignature,
    /// Both signatures are in.
    Endorsed,
}

/// [`Stage`], and the learner's reason if they turned a draft down (the
/// teacher may revise their part and approve again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Progress {
    pub stage: Stage,
    pub declined: Option<String>,
}

/// Where `negotiation`'s co-signing stands for `me`.
pub fn progress(
    store: &Store,
    me: &PublicKey,
    negotiation: &Negotiation,
    now: Timestamp,
) -> Result<Progress, NodeError> {
    let cosign = store.cosign_state(&negotiation.id)?;
    let declined = cosign.declined.as_ref().map(|(_, reason)| reason.clone());
    let stage = stage(store, me, negotiation, &cosign, now)?;
    Ok(Progress { stage, declined })
}

fn stage(
    store: &Store,
    me: &PublicKey,
    negotiation: &Negotiation,
    cosign: &CosignState,
    now: Timestamp,
) -> Result<Stage, NodeError> {
    if !matches!(negotiation.phase, Phase::Completed { .. }) {
        return Ok(Stage::NotCompleted);
    }
    let id = crate::endorse::cosign::endorsement_id(&negotiation.id);
    if store.endorsement_summary(&id)?.is_some() {
        return Ok(Stage::Endorsed);
    }
    match negotiation.role_of(me) {
        Some(Role::Teacher) => Ok(match (&cosign.attestation, &cosign.review, &cosign.draft) {
            (_, _, Some(_)) => Stage::WaitingForTheirSignature,
            (None, _, None) => Stage::GiveYourPart,
            (Some(_), None, None) => Stage::WaitingForTheirPart,
            (Some(_), Some(_), None) => match teachers_record(store, me, negotiation, cosign, now)? {
                Some(record) => Stage::Approve(Box::new(record)),
                None => Stage::GiveYourPart,
            },
        }),
        Some(Role::Learner) => Ok(match (&cosign.review, learners_record(negotiation, cosign, now)?) {
            (None, _) => Stage::GiveYourPart,
            (Some(_), None) => Stage::WaitingForTheirPart,
            (Some(_), Some(record)) => Stage::Approve(Box::new(record)),
        }),
        None => Err(NodeError::WrongRole("party to this session")),
    }
}

/// Teacher: the record the draft would be, from both parts and the names
/// as known here; `None` while a part is missing.
pub fn teachers_record(
    store: &Store,
    me: &PublicKey,
    negotiation: &Negotiation,
    cosign: &CosignState,
    now: Timestamp,
) -> Result<Option<ToApprove>, NodeError> {
    let (Some(review), Some(attestation)) = (&cosign.review, &cosign.attestation) else { return Ok(None) };
    let review = open::<Review>(review, now)?;
    let names = (own_name(store, me), peer_name(store, &negotiation.learner));
    let alignments = alignments_for(store, negotiation);
    let record = endorsement_for(negotiation, (&names.0, &names.1), review.value(), attestation, alignments)?;
    Ok(Some(ToApprove { digest: RecordDigest::of(&record), record }))
}

/// The alignments of the session's skill in the curriculum of the
/// community the teacher's listing is placed in, as the charter held here
/// says (none when the listing is in the open directory, its charter is
/// not held, or the skill is a free tag).
pub fn alignments_for(store: &Store, negotiation: &Negotiation) -> Vec<crate::community::Alignment> {
    let listing = store.own_listing(&negotiation.listing.id).ok().flatten().or_else(|| {
        let paused = store.paused_listings().ok()?;
        paused.into_iter().find(|l| l.value().id == negotiation.listing.id)
    });
    let Some(community) = listing.and_then(|l| l.value().community()) else { return Vec::new() };
    let Ok(Some(charter)) = store.charter(&community) else { return Vec::new() };
    let skills = &charter.value().curriculum.skills;
    skills.iter().find(|s| s.id == negotiation.skill).map(|s| s.alignments.clone()).unwrap_or_default()
}

/// Learner: the record the teacher's draft held here says, checked
/// against the session and the learner's own review; `None` while no
/// draft waits.
pub fn learners_record(
    negotiation: &Negotiation,
    cosign: &CosignState,
    now: Timestamp,
) -> Result<Option<ToApprove>, NodeError> {
    let (Some(review), Some(draft)) = (&cosign.review, &cosign.draft) else { return Ok(None) };
    let review = open::<Review>(review, now)?;
    let record = expected_from_draft(negotiation, review.value(), draft)?;
    Ok(Some(ToApprove { digest: RecordDigest::of(&record), record }))
}

/// The claims of a draft this node signed (its proofs left aside).
pub fn drafted_record(drafted: &[u8]) -> Result<Endorsement, NodeError> {
    let mut document = crate::endorse::strict_json::parse(drafted, crate::endorse::MAX_ENDORSEMENT_BYTES)
        .map_err(|e| NodeError::Invalid(e.to_string()))?;
    if let Some(map) = document.as_object_mut() {
        map.remove("proof");
    }
    Ok(Endorsement::from_document(&document).map_err(crate::endorse::EndorseError::from)?)
}

/// The name this node signs with: its profile's, or its fingerprint.
pub fn own_name(store: &Store, me: &PublicKey) -> String {
    match store.profile() {
        Ok(Some(profile)) if !profile.value().name.trim().is_empty() => profile.value().name.clone(),
        _ => me.fingerprint(),
    }
}

/// A peer's name as known here, or its fingerprint.
pub fn peer_name(store: &Store, peer: &PublicKey) -> String {
    match store.peer(peer) {
        Ok(Some(record)) if !record.name.is_empty() => record.name,
        _ => peer.fingerprint(),
    }
}
