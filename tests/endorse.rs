//! Endorsements: co-signing, verification, and every way a record can be wrong.

mod common;

use agora::endorse::data_integrity::{ProofOptions, create_proof};
use agora::endorse::{EndorseError, ProofError, ShapeError, assemble, inspect, sign_proof, verify};
use agora::market::Role;
use common::{cosigned, endorsement, identity, now};
use serde_json::{Value, json};

fn doc(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap()
}

#[test]
fn both_parties_sign_and_the_record_verifies() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 0);
    let record = cosigned(&e, &teacher, &learner);
    let verified = verify(record.bytes(), now()).unwrap();
    assert_eq!(verified.endorsement(), &e);
    let d = doc(record.bytes());
    assert_eq!(d["type"], json!(["VerifiableCredential", "OpenBadgeCredential"]));
    assert_eq!(d["issuer"]["id"], json!(teacher.did()));
    assert_eq!(d["credentialSubject"]["id"], json!(learner.did()));
    assert_eq!(d["proof"][0]["proofPurpose"], "assertionMethod");
    assert_eq!(d["proof"][1]["proofPurpose"], "authentication");
    assert_eq!(d["proof"][0]["cryptosuite"], "eddsa-jcs-2022");
}

#[test]
fn signing_is_deterministic_so_both_sides_hold_identical_bytes() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 3);
    assert_eq!(cosigned(&e, &teacher, &learner).bytes(), cosigned(&e, &teacher, &learner).bytes());
}

#[test]
fn a_stranger_cannot_sign_for_a_party() {
    let (teacher, learner, stranger) = (identity(1), identity(2), identity(3));
    let e = endorsement(&teacher, &learner, 0);
    assert!(sign_proof(&e, &stranger, e.end).is_err());
}

#[test]
fn one_proof_is_not_enough() {
    let (teacher, learner) = (identity(1), identity(2));
    let mut d = doc(cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner).bytes());
    d["proof"] = json!([d["proof"][0].clone()]);
    let report = inspect(&bytes(&d), now());
    assert!(report.problems.contains(&EndorseError::ProofCount(1)));
    assert!(report.problems.contains(&EndorseError::MissingSigner(Role::Learner)));
    // A single proof object instead of an array is the same story.
    d["proof"] = d["proof"][0].clone();
    assert_eq!(verify(&bytes(&d), now()).unwrap_err(), EndorseError::ProofCount(1));
}

#[test]
fn a_duplicated_proof_does_not_count_twice() {
    let (teacher, learner) = (identity(1), identity(2));
    let mut d = doc(cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner).bytes());
    d["proof"][1] = d["proof"][0].clone();
    let report = inspect(&bytes(&d), now());
    assert!(report.problems.contains(&EndorseError::MissingSigner(Role::Teacher)), "{:?}", report.problems);
    assert!(report.problems.contains(&EndorseError::MissingSigner(Role::Learner)));
}

#[test]
fn a_valid_signature_by_a_third_party_is_rejected() {
    let (teacher, learner, stranger) = (identity(1), identity(2), identity(3));
    let e = endorsement(&teacher, &learner, 0);
    // The stranger validly signs the very same document, as if co-signing.
    let options = ProofOptions::jcs(e.end, "authentication");
    let stranger_proof = create_proof(&e.to_document(), &stranger, options).unwrap();
    let teacher_proof = sign_proof(&e, &teacher, e.end).unwrap();
    let err = assemble(&e, teacher_proof, stranger_proof, now()).unwrap_err();
    assert!(matches!(err, EndorseError::UnexpectedSigner { index: 1, .. }), "{err:?}");
    // Added as a third proof next to both real ones, it is still refused.
    let mut d = doc(cosigned(&e, &teacher, &learner).bytes());
    let extra = create_proof(&e.to_document(), &stranger, ProofOptions::jcs(e.end, "authentication")).unwrap();
    d["proof"].as_array_mut().unwrap().push(extra);
    let report = inspect(&bytes(&d), now());
    assert!(report.proofs[2].signature.is_ok(), "the stranger's signature itself is valid");
    assert!(report.problems.contains(&EndorseError::ProofCount(3)));
    assert!(report.problems.iter().any(|p| matches!(p, EndorseError::UnexpectedSigner { index: 2, .. })));
}

#[test]
fn purposes_must_match_roles() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 0);
    // The learner claims issuance: a wallet would read two issuers.
    let mut d = doc(cosigned(&e, &teacher, &learner).bytes());
    d["proof"][1]["proofPurpose"] = json!("assertionMethod");
    let report = inspect(&bytes(&d), now());
    assert!(
        report.problems.iter().any(|p| matches!(p, EndorseError::Proof { index: 1, source: ProofError::BadSignature }))
    );
    assert!(
        report.problems.iter().any(|p| matches!(p, EndorseError::WrongPurpose { index: 1, role: Role::Learner, .. }))
    );
}

#[test]
fn unknown_fields_are_rejected_even_when_signed() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 0);
    let mut d = e.to_document();
    d["credentialSubject"]["grade"] = json!("A+");
    let err = agora::endorse::Endorsement::from_document(&d).unwrap_err();
    assert_eq!(err, ShapeError::Unexpected { path: "credentialSubject.grade".into() });
}

#[test]
fn flipping_any_byte_breaks_verification() {
    let (teacher, learner) = (identity(1), identity(2));
    let record = cosigned(&endorsement(&teacher, &learner, 1), &teacher, &learner);
    let good = record.bytes().to_vec();
    for flip in [0x01u8, 0x20, 0x80] {
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= flip;
            if verify(&bad, now()).is_ok() {
                panic!("flipping byte {i} ({:?}) with {flip:#x} still verified", good[i] as char);
            }
        }
    }
}

#[test]
fn truncated_oversized_and_garbage_files_fail_cleanly() {
    let (teacher, learner) = (identity(1), identity(2));
    let good = cosigned(&endorsement(&teacher, &learner, 1), &teacher, &learner).bytes().to_vec();
    for cut in [0, 1, good.len() / 2, good.len() - 3] {
        assert!(verify(&good[..cut], now()).is_err());
    }
    assert!(matches!(verify(&vec![b' '; 70_000], now()), Err(EndorseError::Json(_))));
    assert!(matches!(verify(b"\xff\xfe", now()), Err(EndorseError::Json(_))));
    assert_eq!(verify(b"[1,2]", now()), Err(EndorseError::NotAnObject));
    assert_eq!(verify(b"{}", now()), Err(EndorseError::ProofCount(0)));
}

#[test]
fn proof_order_does_not_matter_in_a_set() {
    let (teacher, learner) = (identity(1), identity(2));
    let mut d = doc(cosigned(&endorsement(&teacher, &learner, 2), &teacher, &learner).bytes());
    let proofs = d["proof"].as_array().unwrap().clone();
    d["proof"] = json!([proofs[1], proofs[0]]);
    // A proof set is unordered: the same two proofs in another order verify.
    assert!(verify(&bytes(&d), now()).is_ok());
}

#[test]
fn dates_out_of_range_or_in_the_future_are_rejected() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 0);
    let mut d = e.to_document();
    d["validFrom"] = json!("+10000-01-01T00:00:00Z");
    assert_eq!(agora::endorse::Endorsement::from_document(&d).unwrap_err(), ShapeError::BadDate("/validFrom"));
    let record = cosigned(&e, &teacher, &learner);
    let long_ago = common::ts("2020-01-01T00:00:00Z");
    assert!(matches!(verify(record.bytes(), long_ago), Err(EndorseError::NotYetValid(_))));
}

#[test]
fn a_chained_proof_is_not_an_agora_proof_set() {
    let (teacher, learner) = (identity(1), identity(2));
    let mut d = doc(cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner).bytes());
    d["proof"][1]["previousProof"] = json!("urn:uuid:nope");
    let report = inspect(&bytes(&d), now());
    assert!(report.problems.contains(&EndorseError::Chained(1)));
}

/// A session completed within the second it started still makes a valid
/// credential: start rounded down, end rounded up, at least a second apart.
#[test]
fn a_session_completed_at_once_still_ends_after_it_starts() {
    use agora::endorse::cosign::{Attestation, Review, endorsement_for};
    use agora::market::{Id16, ListingRef, Negotiation, Phase};
    let (teacher, learner) = (identity(1), identity(2));
    for (started, ended) in [
        ("2026-11-25T10:00:00.400Z", "2026-11-25T10:00:00.400Z"),
        ("2026-11-25T10:00:00.000Z", "2026-11-25T10:00:00.000Z"),
        ("2026-11-25T10:00:00.400Z", "2026-11-25T10:00:00.900Z"),
    ] {
        let negotiation = Negotiation {
            id: Id16([4; 16]),
            listing: ListingRef { author: teacher.public(), id: Id16([1; 16]) },
            skill: "rust".into(),
            teacher: teacher.public(),
            learner: learner.public(),
            phase: Phase::Completed { started_at: common::ts(started), ended_at: common::ts(ended) },
            agreed: None,
            seq: 5,
            updated_at: common::ts(ended),
        };
        let review = Review { negotiation: negotiation.id, rating: 5, words: "Great".into() };
        let attestation = Attestation { covered: "Lifetimes".into(), showed: "Understanding".into() };
        let e = endorsement_for(&negotiation, ("Ada", "Grace"), &review, &attestation).expect("a valid credential");
        assert!(e.end > e.start, "{started}..{ended}");
        assert_eq!(e.start, common::ts("2026-11-25T10:00:00Z"));
    }
}
