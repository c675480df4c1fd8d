//! Credentials and co-signing drafts: normal, the largest legitimate, and
//! the worst that fit an endorsement file.

use agora::endorse::data_integrity::{Cryptosuite, ProofOptions, create_proof};
use agora::endorse::{MAX_ENDORSEMENT_BYTES, Suites};
use serde_json::{Value, json};

use super::parts::*;
use super::{Input, JCS, RDFC};
use crate::common;

pub(super) fn normal_full(_: usize) -> Input {
    full(record(0).bytes().to_vec())
}

pub(super) fn normal_jcs(_: usize) -> Input {
    Input::Credential { bytes: record(0).bytes().to_vec(), suites: Suites::Only(Cryptosuite::Jcs) }
}

pub(super) fn largest(_: usize) -> Input {
    let (t, l) = (teacher(), learner());
    let mut e = common::endorsement(&t, &l, 0);
    let long = |n: usize| "\u{1D11E}".repeat(n);
    e.teacher.name = long(64);
    e.learner.name = long(64);
    e.skill = "ß".repeat(32);
    e.covered = long(1000);
    e.review = long(1000);
    e.attestation = long(1000);
    full(common::cosigned(&e, &t, &l).bytes().to_vec())
}

pub(super) fn refs_jcs(_: usize) -> Input {
    full(fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc(JCS, k)))
}

pub(super) fn refs_rdfc(_: usize) -> Input {
    full(fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc(RDFC, k)))
}

pub(super) fn few_refs_jcs(_: usize) -> Input {
    full(fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc_fat(JCS, 140, k)))
}

pub(super) fn few_refs_rdfc(_: usize) -> Input {
    full(fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc_fat(RDFC, 140, k)))
}

/// A normal credential and the stranger's valid proofs, four more.
pub(super) fn strangers(_: usize) -> Input {
    let stranger = common::identity(3);
    let e = common::endorsement(&teacher(), &learner(), 0);
    let mut doc = normal_doc();
    let proofs = doc["proof"].as_array_mut().unwrap();
    for (suite, purpose) in [
        (Cryptosuite::Jcs, "assertionMethod"),
        (Cryptosuite::Rdfc, "assertionMethod"),
        (Cryptosuite::Jcs, "authentication"),
        (Cryptosuite::Rdfc, "authentication"),
    ] {
        proofs.push(create_proof(&e.to_document(), &stranger, ProofOptions::new(suite, e.end, purpose)).unwrap());
    }
    full(compact(&doc))
}

pub(super) fn largest_jcs(run: usize) -> Input {
    match largest(run) {
        Input::Credential { bytes, .. } => Input::Credential { bytes, suites: Suites::Only(Cryptosuite::Jcs) },
        other => other,
    }
}

pub(super) fn refs_jcs_only(_: usize) -> Input {
    let bytes = fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc(JCS, k));
    Input::Credential { bytes, suites: Suites::Only(Cryptosuite::Jcs) }
}

/// A normal credential plus `k` teacher proofs, each chained to the last.
pub(super) fn chain(_: usize) -> Input {
    full(fill(MAX_ENDORSEMENT_BYTES, |k| {
        let mut doc = normal_doc();
        let proofs = doc["proof"].as_array_mut().unwrap();
        for i in 0..k {
            let mut p = proof(&teacher(), RDFC, "assertionMethod", &created(i));
            p.insert("id".into(), format!("urn:p:{i}").into());
            if i > 0 {
                p.insert("previousProof".into(), format!("urn:p:{}", i - 1).into());
            }
            proofs.push(Value::Object(p));
        }
        doc
    }))
}

/// A normal credential plus `k` distinct rdfc proofs by the teacher.
pub(super) fn many(_: usize) -> Input {
    full(fill(MAX_ENDORSEMENT_BYTES, |k| {
        let mut doc = normal_doc();
        let proofs = doc["proof"].as_array_mut().unwrap();
        proofs.extend((0..k).map(|i| Value::Object(proof(&teacher(), RDFC, "assertionMethod", &created(i)))));
        doc
    }))
}

/// The credentials context repeated after the usual two (a different
/// count each run, so no processed context is remembered).
pub(super) fn contexts(run: usize) -> Input {
    let bytes = fill(MAX_ENDORSEMENT_BYTES - 64 * 40, |k| {
        let mut doc = normal_doc();
        let context = doc["@context"].as_array_mut().unwrap();
        context.extend(std::iter::repeat_n(json!(agora::endorse::credential::VC_CONTEXT), k));
        doc
    });
    let mut doc: Value = serde_json::from_slice(&bytes).unwrap();
    let context = doc["@context"].as_array_mut().unwrap();
    context.extend(std::iter::repeat_n(json!(agora::endorse::credential::VC_CONTEXT), run));
    full(compact(&doc))
}

/// A credential padded with linked-data evidence, validly signed by both.
pub(super) fn junk(_: usize) -> Input {
    let (t, l) = (teacher(), learner());
    let e = common::endorsement(&t, &l, 0);
    let unsigned = |k: usize| {
        let mut doc = e.to_document();
        let evidence = doc["evidence"].as_array_mut().unwrap();
        evidence.extend((0..k).map(|i| json!({"id": format!("urn:e:{i}"), "type": ["Evidence"], "name": "e"})));
        doc
    };
    let target = MAX_ENDORSEMENT_BYTES - 4 * 700;
    let k = {
        let doc: Value = serde_json::from_slice(&fill(target, unsigned)).unwrap();
        doc["evidence"].as_array().unwrap().len() - 2
    };
    let mut doc = unsigned(k);
    let mut proofs = Vec::new();
    for (signer, purpose) in [(&t, "assertionMethod"), (&l, "authentication")] {
        for suite in [Cryptosuite::Jcs, Cryptosuite::Rdfc] {
            let signed = create_proof(&doc, signer, ProofOptions::new(suite, e.end, purpose));
            proofs.push(
                signed.unwrap_or_else(|_| Value::Object(proof(signer, suite.name(), purpose, "2026-11-20T18:30:00Z"))),
            );
        }
    }
    doc["proof"] = Value::Array(proofs);
    full(compact(&doc))
}

pub(super) fn draft(_: usize) -> Input {
    let e = common::endorsement(&teacher(), &learner(), 0);
    let draft = agora::endorse::cosign::draft(&e, &teacher(), e.end).unwrap();
    Input::Countersign { expected: Box::new(e), draft }
}

/// A teacher's draft of two proofs: one naming the other, fat, N times.
pub(super) fn draft_refs(_: usize) -> Input {
    let e = common::endorsement(&teacher(), &learner(), 0);
    let draft = fill(MAX_ENDORSEMENT_BYTES, |k| {
        let mut doc = e.to_document();
        doc["proof"] =
            json!([referring(&teacher(), JCS, "assertionMethod", k), fat(&teacher(), "assertionMethod", 4 * k)]);
        doc
    });
    Input::Countersign { expected: Box::new(e), draft }
}

pub(super) fn draft_few_refs(_: usize) -> Input {
    let e = common::endorsement(&teacher(), &learner(), 0);
    let draft = fill(MAX_ENDORSEMENT_BYTES, |k| {
        let mut doc = e.to_document();
        doc["proof"] =
            json!([referring(&teacher(), JCS, "assertionMethod", 140), fat(&teacher(), "assertionMethod", k)]);
        doc
    });
    Input::Countersign { expected: Box::new(e), draft }
}
