//! The co-signing exchange, as pure steps. The learner writes the rating
//! and words, the teacher what was covered and what the learner showed;
//! the teacher approves the whole record, drafts and signs first; the
//! learner checks that the draft says what was agreed, reads it, and on
//! approval adds the second proof (see [`super::consent`]); the teacher
//! checks the final record before keeping it. Both keep identical bytes.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::screen::{Outcome, screen};
use super::{
    EndorseError, Endorsement, MAX_ENDORSEMENT_BYTES, MAX_ENDORSEMENT_VALUES, Party, ShapeError, Suites,
    VerifiedEndorsement, assemble_checking, sign_proofs,
};
use crate::endorse::data_integrity::{Cryptosuite, DocumentHashes, verify_checked};
use crate::endorse::rdfc::ContextSet;
use crate::identity::Identity;
use crate::market::{Negotiation, Phase, Role};
use crate::wire::{Body, FieldError, check_text};

/// The learner's part, sent to the teacher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Review {
    pub negotiation: crate::market::NegotiationId,
    pub rating: u8,
    pub words: String,
}

/// The teacher's part, kept by the teacher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attestation {
    pub covered: String,
    pub showed: String,
}

/// The credential document with the teacher's proof, sent to the learner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub negotiation: crate::market::NegotiationId,
    pub document: Vec<u8>,
}

/// The finished credential with both proofs, sent back to the teacher.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Final {
    pub negotiation: crate::market::NegotiationId,
    pub credential: Vec<u8>,
}

impl Body for Review {
    const DOMAIN: &'static str = "agora/review/1";
    const MAX_BODY_BYTES: usize = 2048;
    fn validate(&self) -> Result<(), FieldError> {
        if !(1..=5).contains(&self.rating) {
            return Err(FieldError::new("rating", "must be 1 to 5"));
        }
        check_text("words", &self.words, 1000, true)
    }
}

impl Body for Draft {
    const DOMAIN: &'static str = "agora/draft/1";
    const MAX_BODY_BYTES: usize = super::MAX_ENDORSEMENT_BYTES;
    fn validate(&self) -> Result<(), FieldError> {
        Ok(())
    }
}

impl Body for Final {
    const DOMAIN: &'static str = "agora/final/1";
    const MAX_BODY_BYTES: usize = super::MAX_ENDORSEMENT_BYTES;
    fn validate(&self) -> Result<(), FieldError> {
        Ok(())
    }
}

impl Attestation {
    pub fn validate(&self) -> Result<(), FieldError> {
        check_text("covered", &self.covered, 1000, true)?;
        check_text("showed", &self.showed, 1000, true)
    }
}

/// The id (`urn:uuid:…`) of the one endorsement a negotiation can lead to.
pub fn endorsement_id(negotiation: &crate::market::NegotiationId) -> String {
    let mut uuid = negotiation.0;
    uuid[6] = (uuid[6] & 0x0f) | 0x40; // version 4 layout
    uuid[8] = (uuid[8] & 0x3f) | 0x80;
    format!("urn:uuid:{}", uuid::Uuid::from_bytes(uuid))
}

/// The start and end a completed session's record carries (what its
/// minutes are counted from, wherever they are shown). Credentials carry
/// whole seconds: the start rounded down, the end up, and at least one
/// second apart, so a session completed moments after it started still
/// ends after it starts.
pub fn credited_span(phase: &Phase) -> Option<(Timestamp, Timestamp)> {
    let Phase::Completed { started_at, ended_at } = *phase else { return None };
    let down = |t: Timestamp| Timestamp::from_second(t.as_second()).unwrap_or(t);
    let started_at = down(started_at);
    let up = down(ended_at).saturating_add(SignedDuration::from_secs(i64::from(down(ended_at) < ended_at)));
    let ended_at =
        up.unwrap_or(ended_at).max(started_at.saturating_add(SignedDuration::from_secs(1)).unwrap_or(started_at));
    Some((started_at, ended_at))
}

/// The endorsement a completed negotiation leads to. Its id derives from
/// the negotiation id, so one session has exactly one endorsement.
/// `alignments` are those of the session's skill in the curriculum of the
/// community the teacher's listing is placed in (the teacher's to state;
/// the learner reads them in the record before signing).
pub fn endorsement_for(
    negotiation: &Negotiation,
    names: (&str, &str),
    review: &Review,
    attestation: &Attestation,
    alignments: Vec<crate::community::Alignment>,
) -> Result<Endorsement, EndorseError> {
    let Some((started_at, ended_at)) = credited_span(&negotiation.phase) else {
        return Err(ShapeError::Invalid(FieldError::new("negotiation", "the session is not completed")).into());
    };
    let endorsement = Endorsement {
        id: endorsement_id(&negotiation.id),
        teacher: Party { key: negotiation.teacher, name: names.0.to_owned() },
        learner: Party { key: negotiation.learner, name: names.1.to_owned() },
        skill: negotiation.skill.clone(),
        start: started_at,
        end: ended_at,
        covered: attestation.covered.clone(),
        rating: review.rating,
        review: review.words.clone(),
        attestation: attestation.showed.clone(),
        issued: ended_at,
        alignments,
    };
    endorsement.validate().map_err(ShapeError::from)?;
    Ok(endorsement)
}

/// Teacher: the draft document carrying the teacher's two proofs.
pub fn draft(endorsement: &Endorsement, teacher: &Identity, now: Timestamp) -> Result<Vec<u8>, EndorseError> {
    let proofs = sign_proofs(endorsement, teacher, now)?;
    let mut document = endorsement.to_document();
    document["proof"] = Value::Array(proofs);
    serde_json::to_vec(&document).map_err(|_| EndorseError::NotAnObject)
}

/// Learner: checks the draft is exactly `expected` with the teacher's two
/// valid proofs (one per cryptosuite), before it is shown to the learner.
/// Everything that needs no hashing (the number of proofs, the claims,
/// each proof's fields, signer, purpose and suite) is checked before the
/// teacher's signatures are. Returns the teacher's proofs.
pub fn check_draft(expected: &Endorsement, draft: &[u8]) -> Result<Vec<Value>, EndorseError> {
    let mut document = super::strict_json::parse_within(draft, MAX_ENDORSEMENT_BYTES, MAX_ENDORSEMENT_VALUES)?;
    let proofs = match document.as_object_mut().and_then(|map| map.remove("proof")) {
        Some(Value::Array(proofs)) => proofs,
        _ => Vec::new(),
    };
    if proofs.len() != 2 {
        return Err(EndorseError::ProofCount(proofs.len()));
    }
    let unsecured = document;
    let claims = Endorsement::from_document(&unsecured)?;
    if claims != *expected {
        return Err(ShapeError::Unexpected { path: "(draft differs from the agreed session)".into() }.into());
    }
    let mut checked = Vec::with_capacity(2);
    for (screened, suite) in
        screen(&unsecured, expected, &proofs).into_iter().zip([Cryptosuite::Jcs, Cryptosuite::Rdfc])
    {
        match screened.outcome {
            Outcome::Refused(problem) => return Err(problem),
            Outcome::Check(proof) if screened.role == Some(Role::Teacher) && proof.suite == suite => {
                checked.push(proof)
            }
            _ => return Err(EndorseError::MissingProof { role: Role::Teacher, suite: suite.name() }),
        }
    }
    let mut hashes = DocumentHashes::default();
    for proof in &checked {
        verify_checked(&unsecured, &proofs, proof, &mut hashes, ContextSet::builtin())
            .map_err(|source| EndorseError::Proof { index: proof.index, source })?;
    }
    Ok(proofs)
}

/// Learner, once they approved the record: checks the draft again (see
/// [`check_draft`]), adds the learner's two proofs and returns the finished
/// record.
pub fn countersign(
    expected: &Endorsement,
    draft: &[u8],
    learner: &Identity,
    now: Timestamp,
) -> Result<VerifiedEndorsement, EndorseError> {
    let proofs = check_draft(expected, draft)?;
    let learner_proofs = sign_proofs(expected, learner, now)?;
    // The teacher's proofs were verified just above and the learner's were
    // just made: the finished record is read back whole (shape, signers,
    // purposes) with the cheap pair's signatures checked again, not
    // canonicalized a second time.
    assemble_checking(expected, proofs, learner_proofs, now, Suites::Only(Cryptosuite::Jcs))
}

/// Learner: what the draft must say, given the negotiation and the
/// learner's own review. Only the teacher's parts (names as the teacher
/// knows them, what was covered and shown) are taken from the draft.
pub fn expected_from_draft(
    negotiation: &Negotiation,
    review: &Review,
    draft: &[u8],
) -> Result<Endorsement, EndorseError> {
    let mut document = super::strict_json::parse_within(draft, MAX_ENDORSEMENT_BYTES, MAX_ENDORSEMENT_VALUES)?;
    if let Some(map) = document.as_object_mut() {
        map.remove("proof");
    }
    let claims = Endorsement::from_document(&document)?;
    let attestation = Attestation { covered: claims.covered.clone(), showed: claims.attestation.clone() };
    endorsement_for(negotiation, (&claims.teacher.name, &claims.learner.name), review, &attestation, claims.alignments)
}

/// Teacher: accepts the finished record only if it is the drafted one.
pub fn accept_final(
    expected: &Endorsement,
    credential: &[u8],
    now: Timestamp,
) -> Result<VerifiedEndorsement, EndorseError> {
    let verified = super::verify(credential, now)?;
    if verified.endorsement() != expected {
        return Err(ShapeError::Unexpected { path: "(final differs from the draft)".into() }.into());
    }
    Ok(verified)
}
