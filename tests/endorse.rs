//! Endorsements: co-signing, verification, and every way a record can be wrong.

mod common;

use agora::endorse::data_integrity::{Cryptosuite, ProofOptions, create_proof};
use agora::endorse::{
    EndorseError, ProofError, ShapeError, Suites, assemble, inspect, inspect_with, sign_proof, sign_proofs, verify,
    verify_with,
};
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
    let purposes: Vec<_> =
        (0..4).map(|i| (d["proof"][i]["proofPurpose"].clone(), d["proof"][i]["cryptosuite"].clone())).collect();
    assert_eq!(
        purposes,
        [
            (json!("assertionMethod"), json!("eddsa-jcs-2022")),
            (json!("assertionMethod"), json!("eddsa-rdfc-2022")),
            (json!("authentication"), json!("eddsa-jcs-2022")),
            (json!("authentication"), json!("eddsa-rdfc-2022")),
        ]
    );
    assert!(inspect(record.bytes(), now()).wallet_ready());
}

#[test]
fn an_endorsement_aligned_to_a_curriculum_verifies_with_its_four_proofs() {
    let (teacher, learner) = (identity(1), identity(2));
    let mut e = endorsement(&teacher, &learner, 0);
    e.alignments = vec![agora::community::Alignment {
        target_name: "Rust (computer programming)".into(),
        target_url: "https://esco.example/skill/rust".into(),
        target_framework: "ESCO".into(),
        target_code: "S1.2.3".into(),
    }];
    let record = cosigned(&e, &teacher, &learner);
    let verified = verify(record.bytes(), now()).unwrap();
    assert_eq!(verified.endorsement().alignments, e.alignments);
    assert!(inspect(record.bytes(), now()).wallet_ready());
    let d = doc(record.bytes());
    assert_eq!(d["credentialSubject"]["achievement"]["alignment"][0]["targetFramework"], json!("ESCO"));
    // Changing the alignment breaks every proof, the rdfc ones included.
    let mut moved = d.clone();
    moved["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] = json!("https://esco.example/skill/cobol");
    assert!(verify(&bytes(&moved), now()).is_err());
}

#[test]
fn records_from_before_rdfc_proofs_still_verify() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 0);
    let t = sign_proof(&e, &teacher, e.end, Cryptosuite::Jcs).unwrap();
    let l = sign_proof(&e, &learner, e.end, Cryptosuite::Jcs).unwrap();
    let record = assemble(&e, vec![t], vec![l], now()).unwrap();
    let report = inspect(record.bytes(), now());
    assert!(report.is_valid(), "{:?}", report.problems);
    assert!(!report.wallet_ready(), "no rdfc pair: not ready for wallets");
    // But one rdfc proof without the other is a broken set.
    let l_rdfc = sign_proof(&e, &learner, e.end, Cryptosuite::Rdfc).unwrap();
    let t = sign_proof(&e, &teacher, e.end, Cryptosuite::Jcs).unwrap();
    let l = sign_proof(&e, &learner, e.end, Cryptosuite::Jcs).unwrap();
    let err = assemble(&e, vec![t], vec![l, l_rdfc], now()).unwrap_err();
    assert_eq!(err, EndorseError::ProofCount(3));
    let mut d = doc(cosigned(&e, &teacher, &learner).bytes());
    d["proof"].as_array_mut().unwrap().remove(1);
    let report = inspect(&bytes(&d), now());
    assert!(
        report.problems.contains(&EndorseError::MissingProof { role: Role::Teacher, suite: "eddsa-rdfc-2022" }),
        "{:?}",
        report.problems
    );
}

#[test]
fn a_broken_rdfc_proof_fails_full_verification_and_names_the_suite() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 0);
    let mut d = doc(cosigned(&e, &teacher, &learner).bytes());
    // The learner's rdfc proof, re-dated after signing.
    d["proof"][3]["created"] = json!("2026-11-21T00:00:00Z");
    let report = inspect(&bytes(&d), now());
    assert!(matches!(report.problems[0], EndorseError::Proof { index: 3, source: ProofError::BadSignature }));
    assert!(report.problems.contains(&EndorseError::MissingProof { role: Role::Learner, suite: "eddsa-rdfc-2022" }));
    // agora's cheap reading of others' portfolios checks only the jcs pair,
    // and says it left the rdfc proofs unchecked.
    let fast = inspect_with(&bytes(&d), now(), Suites::Only(Cryptosuite::Jcs));
    assert!(fast.is_valid(), "{:?}", fast.problems);
    assert!(fast.proofs[3].signature.is_none());
    assert!(verify_with(&bytes(&d), now(), Suites::Only(Cryptosuite::Rdfc)).is_err());
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
    assert!(sign_proofs(&e, &stranger, e.end).is_err());
}

#[test]
fn one_proof_is_not_enough() {
    let (teacher, learner) = (identity(1), identity(2));
    let mut d = doc(cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner).bytes());
    d["proof"] = json!([d["proof"][0].clone()]);
    let report = inspect(&bytes(&d), now());
    assert!(report.problems.contains(&EndorseError::ProofCount(1)));
    assert!(report.problems.contains(&EndorseError::MissingProof { role: Role::Learner, suite: "eddsa-jcs-2022" }));
    // A single proof object instead of an array is the same story.
    d["proof"] = d["proof"][0].clone();
    assert_eq!(verify(&bytes(&d), now()).unwrap_err(), EndorseError::ProofCount(1));
}

#[test]
fn a_duplicated_proof_does_not_count_twice() {
    let (teacher, learner) = (identity(1), identity(2));
    let mut d = doc(cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner).bytes());
    d["proof"][2] = d["proof"][0].clone();
    let report = inspect(&bytes(&d), now());
    let jcs = "eddsa-jcs-2022";
    assert!(
        report.problems.contains(&EndorseError::DuplicateProof { role: Role::Teacher, suite: jcs }),
        "{:?}",
        report.problems
    );
    assert!(report.problems.contains(&EndorseError::MissingProof { role: Role::Learner, suite: jcs }));
}

#[test]
fn a_valid_signature_by_a_third_party_is_rejected() {
    let (teacher, learner, stranger) = (identity(1), identity(2), identity(3));
    let e = endorsement(&teacher, &learner, 0);
    // The stranger validly signs the very same document, as if co-signing.
    let stranger_proofs = [Cryptosuite::Jcs, Cryptosuite::Rdfc]
        .map(|suite| {
            create_proof(&e.to_document(), &stranger, ProofOptions::new(suite, e.end, "authentication")).unwrap()
        })
        .to_vec();
    let teacher_proofs = sign_proofs(&e, &teacher, e.end).unwrap();
    let err = assemble(&e, teacher_proofs, stranger_proofs, now()).unwrap_err();
    assert!(matches!(err, EndorseError::UnexpectedSigner { index: 2, .. }), "{err:?}");
    // Added as a third proof next to both real ones, it is still refused.
    let mut d = doc(cosigned(&e, &teacher, &learner).bytes());
    let extra = create_proof(&e.to_document(), &stranger, ProofOptions::jcs(e.end, "authentication")).unwrap();
    d["proof"].as_array_mut().unwrap().push(extra);
    let report = inspect(&bytes(&d), now());
    assert!(report.proofs[4].signature.is_none(), "a stranger's proof is refused before it is hashed");
    assert!(report.problems.contains(&EndorseError::ProofCount(5)));
    assert!(report.problems.iter().any(|p| matches!(p, EndorseError::UnexpectedSigner { index: 4, .. })));
}

#[test]
fn purposes_must_match_roles() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 0);
    // The learner claims issuance: a wallet would read two issuers.
    let mut d = doc(cosigned(&e, &teacher, &learner).bytes());
    d["proof"][2]["proofPurpose"] = json!("assertionMethod");
    let report = inspect(&bytes(&d), now());
    assert!(
        report.problems.iter().any(|p| matches!(p, EndorseError::WrongPurpose { index: 2, role: Role::Learner, .. }))
    );
    assert!(report.proofs[2].signature.is_none(), "refused before its signature is checked");
    assert!(report.problems.contains(&EndorseError::MissingProof { role: Role::Learner, suite: "eddsa-jcs-2022" }));
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

/// Byte ranges of the `eddsa-rdfc-2022` proofs in a pretty-printed record.
fn rdfc_proof_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    text.match_indices("\"eddsa-rdfc-2022\"")
        .map(|(at, _)| {
            let start = text[..at].rfind('{').unwrap();
            let end = at + text[at..].find('}').unwrap() + 1;
            start..end
        })
        .collect()
}

#[test]
fn flipping_any_byte_breaks_verification() {
    let (teacher, learner) = (identity(1), identity(2));
    let record = cosigned(&endorsement(&teacher, &learner, 1), &teacher, &learner);
    let good = record.bytes().to_vec();
    let rdfc = rdfc_proof_ranges(std::str::from_utf8(&good).unwrap());
    assert_eq!(rdfc.len(), 2);
    for flip in [0x01u8, 0x20, 0x80] {
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= flip;
            // Outside the rdfc proofs, the jcs pair covers every byte (full
            // verification checks all the jcs-only reading does, and more).
            // Inside them, JSON-LD canonicalization is slow unoptimized, so
            // one byte in eight and the first byte of every value are checked
            // in full; every field of those proofs is tampered with in the
            // next test too.
            let broken = if rdfc.iter().any(|r| r.contains(&i)) {
                let starts_value = good[..i].ends_with(b": \"") || good[..i].ends_with(b": ");
                !(flip == 0x01 && (i % 8 == 0 || starts_value)) || verify(&bad, now()).is_err()
            } else {
                verify_with(&bad, now(), Suites::Only(Cryptosuite::Jcs)).is_err()
            };
            assert!(broken, "flipping byte {i} ({:?}) with {flip:#x} still verified", good[i] as char);
        }
    }
}

#[test]
fn tampering_with_any_field_of_any_proof_is_caught() {
    let (teacher, learner) = (identity(1), identity(2));
    let d = doc(cosigned(&endorsement(&teacher, &learner, 1), &teacher, &learner).bytes());
    let stranger = identity(9).did();
    for index in 0..4 {
        let fields: Vec<String> = d["proof"][index].as_object().unwrap().keys().cloned().collect();
        for field in fields {
            let replacement = match field.as_str() {
                "created" => json!("2026-11-20T18:31:00Z"),
                "verificationMethod" => json!(format!("{stranger}#{}", &stranger["did:key:".len()..])),
                "proofPurpose" => json!(if index < 2 { "authentication" } else { "assertionMethod" }),
                "cryptosuite" => json!(if index % 2 == 0 { "eddsa-rdfc-2022" } else { "eddsa-jcs-2022" }),
                "type" => json!("Ed25519Signature2020"),
                "proofValue" => {
                    let mut value = d["proof"][index]["proofValue"].as_str().unwrap().to_owned();
                    value.replace_range(5..6, if &value[5..6] == "2" { "3" } else { "2" });
                    json!(value)
                }
                "@context" => json!(["https://www.w3.org/ns/credentials/v2"]),
                other => panic!("untested proof field {other}"),
            };
            let mut bad = d.clone();
            bad["proof"][index][&field] = replacement;
            assert!(verify(&bytes(&bad), now()).is_err(), "proof {index} with another `{field}` still verified");
            let mut dropped = d.clone();
            dropped["proof"][index].as_object_mut().unwrap().remove(&field);
            assert!(verify(&bytes(&dropped), now()).is_err(), "proof {index} without `{field}` still verified");
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
    d["proof"] = json!([proofs[3], proofs[1], proofs[0], proofs[2]]);
    // A proof set is unordered: the same four proofs in another order verify.
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
    d["proof"][2]["previousProof"] = json!("urn:uuid:nope");
    let report = inspect(&bytes(&d), now());
    assert!(report.problems.contains(&EndorseError::Chained(2)));
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
        let e = endorsement_for(&negotiation, ("Ada", "Grace"), &review, &attestation, Vec::new())
            .expect("a valid credential");
        assert!(e.end > e.start, "{started}..{ended}");
        assert_eq!(e.start, common::ts("2026-11-25T10:00:00Z"));
    }
}

/// JSON-LD that reads one way as JSON and another as linked data: both
/// parties validly sign a document whose context redefines `name`, or maps
/// unknown terms with `@vocab`. agora refuses it as not its shape, and the
/// rdfc proofs cannot even be made or checked (protected terms).
#[test]
fn json_ld_that_expands_differently_than_it_reads_is_refused_even_when_signed() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 0);
    for extra in [json!({"name": "https://evil.example/notAName"}), json!({"@vocab": "https://evil.example/"})] {
        let mut document = e.to_document();
        document["@context"].as_array_mut().unwrap().push(extra.clone());
        let mut proofs = Vec::new();
        for (signer, purpose) in [(&teacher, "assertionMethod"), (&learner, "authentication")] {
            let options = ProofOptions::new(Cryptosuite::Jcs, e.end, purpose);
            proofs.push(create_proof(&document, signer, options).unwrap());
            let rdfc = create_proof(&document, signer, ProofOptions::new(Cryptosuite::Rdfc, e.end, purpose));
            if let Ok(proof) = rdfc {
                proofs.push(proof);
            }
        }
        document["proof"] = json!(proofs);
        let report = inspect(&bytes(&document), now());
        assert!(!report.is_valid(), "{extra}");
        assert!(
            matches!(&report.claims, Err(ShapeError::Unexpected { path }) if path.starts_with("@context")),
            "{extra}: {:?}",
            report.claims
        );
    }
}
