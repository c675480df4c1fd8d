//! Presentations: normal ones of 1, 10 and 2000 credentials, and the worst
//! that fit a presentation file.

use agora::endorse::MAX_ENDORSEMENT_BYTES;
use agora::endorse::data_integrity::{Cryptosuite, ProofOptions, create_proof, create_proof_with};
use agora::endorse::presentation::{Binding, MAX_PRESENTATION_BYTES, present};
use agora::endorse::rdfc::ContextSet;
use serde_json::{Value, json};

use super::parts::*;
use super::{Input, JCS};
use crate::common;

pub(super) fn binding() -> Binding {
    Binding { challenge: Some("c".into()), domain: None }
}

/// A presentation read by a verifier who asked for challenge `c`.
pub(super) fn asked(bytes: Vec<u8>) -> Input {
    Input::Presentation(bytes, binding())
}

pub(super) fn normal_presentation(count: u32) -> Input {
    let records: Vec<_> = (0..count).map(record).collect();
    let bytes = present(&learner(), &records, Cryptosuite::Jcs, &binding(), common::now()).unwrap();
    let compacted = compact(&serde_json::from_slice(&bytes).unwrap());
    asked(if bytes.len() <= MAX_PRESENTATION_BYTES { bytes } else { compacted })
}

pub(super) fn vp_1(_: usize) -> Input {
    normal_presentation(1)
}

pub(super) fn vp_10(_: usize) -> Input {
    normal_presentation(10)
}

pub(super) fn vp_2000(_: usize) -> Input {
    normal_presentation(2000)
}

pub(super) fn envelope(credentials: Vec<Value>) -> Value {
    json!({
        "@context": [agora::endorse::credential::VC_CONTEXT],
        "id": "urn:uuid:7b0b3c1e-1f0e-4d6a-9a57-0c1d2e3f4a5b",
        "type": ["VerifiablePresentation"],
        "holder": learner().did(),
        "verifiableCredential": credentials,
    })
}

/// The learner's signed presentation of `credentials` (a well-formed
/// proof that does not verify when signing it is refused).
pub(super) fn signed(credentials: Vec<Value>, suite: Cryptosuite) -> Vec<u8> {
    let mut doc = envelope(credentials);
    let options = ProofOptions { challenge: Some("c"), ..ProofOptions::new(suite, common::now(), "authentication") };
    let contexts = ContextSet::builtin().with_blank_node_limit(1 << 20);
    let proof = create_proof_with(&doc, &learner(), options, &contexts).unwrap_or_else(|_| {
        let mut p = proof(&learner(), suite.name(), "authentication", "2026-11-25T11:00:00Z");
        p.insert("challenge".into(), "c".into());
        Value::Object(p)
    });
    doc["proof"] = proof;
    compact(&doc)
}

pub(super) fn refs_credentials(count: usize) -> Vec<Value> {
    let one: Value = serde_json::from_slice(&fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc(JCS, k))).unwrap();
    (0..count)
        .map(|n| {
            let mut credential = one.clone();
            credential["id"] = json!(format!("urn:uuid:{}", common::uuid_for(n as u32)));
            credential
        })
        .collect()
}

pub(super) fn vp_refs_10(_: usize) -> Input {
    asked(signed(refs_credentials(10), Cryptosuite::Jcs))
}

pub(super) fn vp_refs_10_rdfc(_: usize) -> Input {
    asked(signed(refs_credentials(10), Cryptosuite::Rdfc))
}

pub(super) fn one_credential() -> Value {
    serde_json::from_slice(record(0).bytes()).unwrap()
}

/// One normal credential; the holder's proof names a fat second proof N times.
pub(super) fn vp_holder_refs(_: usize) -> Input {
    asked(fill(MAX_PRESENTATION_BYTES, |k| {
        let mut doc = envelope(vec![one_credential()]);
        let mut holder = referring(&learner(), JCS, "authentication", k);
        holder["challenge"] = json!("c");
        doc["proof"] = json!([holder, fat(&learner(), "authentication", 4 * k)]);
        doc
    }))
}

/// One credential of nearly 16 MiB: a previousProof bomb in a presentation.
pub(super) fn vp_big_credential(_: usize) -> Input {
    let doc: Value = serde_json::from_slice(&signed(vec![one_credential()], Cryptosuite::Jcs)).unwrap();
    asked(fill(MAX_PRESENTATION_BYTES, |k| {
        let mut doc = doc.clone();
        doc["verifiableCredential"] = json!([refs_doc(JCS, k)]);
        doc
    }))
}

/// The same with 400,000 references to a proof of some 14 MB.
pub(super) fn vp_holder_few_refs(_: usize) -> Input {
    asked(fill(MAX_PRESENTATION_BYTES, |k| {
        let mut doc = envelope(vec![one_credential()]);
        let mut holder = referring(&learner(), JCS, "authentication", 400_000);
        holder["challenge"] = json!("c");
        doc["proof"] = json!([holder, fat(&learner(), "authentication", k)]);
        doc
    }))
}

/// One credential whose subject's name fills the presentation, signed by
/// the holder.
pub(super) fn vp_padded_credential(_: usize) -> Input {
    let credential = one_credential();
    let mut doc: Value = serde_json::from_slice(&signed(vec![credential.clone()], Cryptosuite::Jcs)).unwrap();
    let proof = doc["proof"].clone();
    let padded = fill(MAX_PRESENTATION_BYTES, |k| {
        let mut credential = credential.clone();
        credential["credentialSubject"]["name"] = json!("A".repeat(k));
        let mut doc = envelope(vec![credential]);
        doc["proof"] = proof.clone();
        doc
    });
    doc = serde_json::from_slice(&padded).unwrap();
    let credentials = doc["verifiableCredential"].as_array().unwrap().clone();
    asked(signed(credentials, Cryptosuite::Jcs))
}

/// One normal credential; the holder's challenge fills the presentation.
pub(super) fn vp_long_challenge(_: usize) -> Input {
    let e = envelope(vec![one_credential()]);
    let size = compact(&e).len() + 450;
    let challenge = "c".repeat(MAX_PRESENTATION_BYTES - size);
    let mut doc = e.clone();
    let options = ProofOptions {
        challenge: Some(&challenge),
        ..ProofOptions::new(Cryptosuite::Jcs, common::now(), "authentication")
    };
    doc["proof"] = create_proof(&e, &learner(), options).unwrap();
    Input::Presentation(compact(&doc), Binding::default())
}

/// 16 MiB of empty objects where the credentials go.
pub(super) fn vp_empty(_: usize) -> Input {
    asked(fill(MAX_PRESENTATION_BYTES, |k| {
        let mut doc = envelope(vec![json!({}); k]);
        let mut holder = proof(&learner(), JCS, "authentication", "2026-11-25T11:00:00Z");
        holder.insert("challenge".into(), "c".into());
        doc["proof"] = Value::Object(holder);
        doc
    }))
}
