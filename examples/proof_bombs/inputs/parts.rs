//! Pieces the inputs are made of: the two parties, a normal record, proofs
//! that look right, fat proofs and proofs naming them, and filling a size
//! limit.

use agora::identity::{Identity, verification_method};
use serde_json::{Map, Value};

use super::{Input, JCS};
use crate::common;
use agora::endorse::Suites;

pub(super) fn teacher() -> Identity {
    common::identity(1)
}

pub(super) fn learner() -> Identity {
    common::identity(2)
}

/// Session `n` of a course: distinct ids and words, all in the past.
pub(super) fn record(n: u32) -> agora::endorse::VerifiedEndorsement {
    let mut e = common::endorsement(&teacher(), &learner(), n % 64);
    e.id = format!("urn:uuid:{}", common::uuid_for(n));
    e.covered = format!("Part {n} of the course.");
    common::cosigned(&e, &teacher(), &learner())
}

pub(super) fn normal_doc() -> Value {
    serde_json::from_slice(record(0).bytes()).unwrap()
}

pub(super) fn full(bytes: Vec<u8>) -> Input {
    Input::Credential { bytes, suites: Suites::All }
}

pub(super) fn compact(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// The largest `k` whose document fits in `limit` bytes (sizes grow with `k`).
pub(super) fn fill(limit: usize, build: impl Fn(usize) -> Value) -> Vec<u8> {
    let size = |k| compact(&build(k)).len();
    let (zero, step) = (size(0), 1000);
    let per = (size(step) - zero) as f64 / step as f64;
    let mut k = ((limit.saturating_sub(zero)) as f64 / per) as usize;
    while size(k) > limit {
        k -= 1 + k / 1000;
    }
    compact(&build(k))
}

/// A well-formed proof whose signature is over nothing in particular.
pub(super) fn proof(signer: &Identity, suite: &str, purpose: &str, created: &str) -> Map<String, Value> {
    let value = format!("z{}", bs58::encode(signer.sign(created.as_bytes())).into_string());
    let mut proof = Map::new();
    proof.insert("type".into(), "DataIntegrityProof".into());
    proof.insert("cryptosuite".into(), suite.into());
    proof.insert("created".into(), created.into());
    proof.insert("verificationMethod".into(), verification_method(&signer.public()).into());
    proof.insert("proofPurpose".into(), purpose.into());
    proof.insert("proofValue".into(), value.into());
    proof
}

/// A proof with id `a` and `bytes` of nonce: what the references copy.
pub(super) fn fat(signer: &Identity, purpose: &str, bytes: usize) -> Value {
    let mut fat = proof(signer, JCS, purpose, "2026-11-20T18:30:00Z");
    fat.insert("id".into(), "a".into());
    fat.insert("nonce".into(), "A".repeat(bytes).into());
    Value::Object(fat)
}

/// A proof naming proof `a` `count` times as its previous proof.
pub(super) fn referring(signer: &Identity, suite: &str, purpose: &str, count: usize) -> Value {
    let mut proof = proof(signer, suite, purpose, "2026-11-20T18:30:00Z");
    proof.insert("previousProof".into(), Value::Array(vec!["a".into(); count]));
    Value::Object(proof)
}

/// A normal credential plus a fat proof and one referring to it `k` times.
pub(super) fn refs_doc(suite: &str, k: usize) -> Value {
    let mut doc = normal_doc();
    let proofs = doc["proof"].as_array_mut().unwrap();
    proofs.push(fat(&learner(), "authentication", 4 * k));
    proofs.push(referring(&teacher(), suite, "assertionMethod", k));
    doc
}

/// A normal credential plus a fat proof of `k` bytes and one referring to
/// it `refs` times.
pub(super) fn refs_doc_fat(suite: &str, refs: usize, k: usize) -> Value {
    let mut doc = normal_doc();
    let proofs = doc["proof"].as_array_mut().unwrap();
    proofs.push(fat(&learner(), "authentication", k));
    proofs.push(referring(&teacher(), suite, "assertionMethod", refs));
    doc
}

pub(super) fn created(i: usize) -> String {
    format!("2026-11-{:02}T{:02}:{:02}:{:02}Z", 21 + i / 86400, i / 3600 % 24, i / 60 % 60, i % 60)
}
