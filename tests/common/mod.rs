//! Helpers shared by the integration tests: fixed keys and a sample
//! endorsement signed by both parties.
#![allow(dead_code)]

pub mod sim;

use agora::endorse::{Endorsement, Party, VerifiedEndorsement, assemble, sign_proofs};
use agora::identity::Identity;
use jiff::Timestamp;

pub fn identity(seed: u8) -> Identity {
    Identity::from_secret_bytes(&[seed; 32])
}

pub fn ts(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// A plausible endorsement between `teacher` and `learner`; `n` varies id and times.
pub fn endorsement(teacher: &Identity, learner: &Identity, n: u32) -> Endorsement {
    let start = ts("2026-11-20T17:00:00Z").saturating_add(jiff::SignedDuration::from_hours(i64::from(n))).unwrap();
    let end = start.saturating_add(jiff::SignedDuration::from_mins(90)).unwrap();
    Endorsement {
        id: format!("urn:uuid:{}", uuid_for(n)),
        teacher: Party { key: teacher.public(), name: "Ada Lovelace".into() },
        learner: Party { key: learner.public(), name: "Grace Hopper".into() },
        skill: if n.is_multiple_of(2) { "rust".into() } else { "calculus".into() },
        start,
        end,
        covered: "Ownership and borrowing; lifetimes in function signatures.".into(),
        rating: (n % 5 + 1) as u8,
        review: "Patient, clear, and the exercises were just hard enough.".into(),
        attestation: "Wrote a borrow-checked linked list without help by the end.".into(),
        issued: end,
        alignments: Vec::new(),
    }
}

pub fn uuid_for(n: u32) -> String {
    format!("5e1f0c2a-7d3b-4c1e-9a6f-{n:012x}")
}

/// Signs `endorsement` as both parties and assembles the verified record.
pub fn cosigned(endorsement: &Endorsement, teacher: &Identity, learner: &Identity) -> VerifiedEndorsement {
    let t = sign_proofs(endorsement, teacher, endorsement.end).unwrap();
    let l = sign_proofs(endorsement, learner, endorsement.end).unwrap();
    assemble(endorsement, t, l, endorsement.end).unwrap()
}

pub fn now() -> Timestamp {
    ts("2026-11-25T12:00:00Z")
}

/// An online offer to teach `skill`, valid for two days from `now`.
pub fn offer(title: &str, skill: &str, now: Timestamp) -> agora::market::Listing {
    use agora::market::{Availability, Format, Id16, Level, Listing, ListingKind, Price};
    Listing {
        id: Id16::random().unwrap(),
        version: 1,
        kind: ListingKind::Offer,
        title: title.into(),
        skills: vec![skill.into()],
        level: Level::Any,
        description: String::new(),
        format: Format::Online,
        price: Price::Free,
        availability: Availability { time_zone: "UTC".into(), windows: vec![] },
        expires_at: now.saturating_add(jiff::SignedDuration::from_hours(48)).unwrap(),
        placement: None,
    }
}

/// The opening step of negotiation `id`: the learner proposes `terms`
/// about `skill` on the teacher's listing `[1; 16]`.
pub fn proposal(
    id: agora::market::Id16,
    teacher: &agora::identity::PublicKey,
    learner: &agora::identity::PublicKey,
    skill: &str,
    terms: agora::market::Terms,
) -> agora::market::NegotiationEvent {
    use agora::market::{Action, Id16, ListingRef, NegotiationEvent};
    NegotiationEvent {
        negotiation: id,
        seq: 0,
        action: Action::Propose {
            listing: ListingRef { author: *teacher, id: Id16([1; 16]) },
            skill: skill.into(),
            teacher: *teacher,
            learner: *learner,
            terms,
        },
    }
}

/// Puts `identity` in `dir` as its `identity.key`, private (0600) as agora
/// requires of a key file.
pub fn write_key(dir: &std::path::Path, identity: &Identity) {
    let path = dir.join("identity.key");
    std::fs::write(&path, format!("{}\n", agora::identity::multibase_secret(identity))).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

/// The record waiting for `node`'s owner to approve in negotiation `id`.
#[allow(dead_code)]
pub fn approvable(
    node: &agora::node::Node,
    id: &agora::market::NegotiationId,
) -> Option<agora::node::record::ToApprove> {
    let negotiation = node.store().negotiation(id).ok()??;
    match node.cosign_progress(&negotiation).ok()?.stage {
        agora::node::record::Stage::Approve(record) => Some(*record),
        _ => None,
    }
}
