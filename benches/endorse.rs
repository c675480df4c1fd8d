//! Endorsement signing and verification against raw Ed25519 in the same run.
//!
//! `cargo bench --bench endorse`. The figure that matters is the ratio of
//! `verify_endorsement_two_proofs` to `raw_ed25519_verify`.

#[path = "../tests/common/mod.rs"]
mod common;

use agora::endorse::{sign_proof, verify};
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

#[divan::bench]
fn raw_ed25519_sign(bencher: Bencher) {
    let signer = common::identity(1);
    let message = [7u8; 64];
    bencher.bench(|| signer.sign(black_box(&message)));
}

#[divan::bench]
fn raw_ed25519_verify(bencher: Bencher) {
    let signer = common::identity(1);
    let message = [7u8; 64];
    let signature = signer.sign(&message);
    let public = signer.public();
    bencher.bench(|| assert!(public.verify(black_box(&message), black_box(&signature))));
}

#[divan::bench]
fn sign_endorsement_one_proof(bencher: Bencher) {
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let e = common::endorsement(&teacher, &learner, 0);
    bencher.bench(|| sign_proof(black_box(&e), &teacher, e.end).unwrap());
}

#[divan::bench]
fn verify_endorsement_two_proofs(bencher: Bencher) {
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let record = common::cosigned(&common::endorsement(&teacher, &learner, 0), &teacher, &learner);
    let bytes = record.bytes().to_vec();
    let now = common::now();
    bencher.bench(|| verify(black_box(&bytes), now).unwrap());
}

/// The parts of verification other than the two signature checks.
mod breakdown {
    use super::*;
    use agora::endorse::Endorsement;
    use agora::endorse::data_integrity::document_hash;
    use agora::endorse::strict_json;

    fn sample() -> (Vec<u8>, serde_json::Value) {
        let (teacher, learner) = (common::identity(1), common::identity(2));
        let record = common::cosigned(&common::endorsement(&teacher, &learner, 0), &teacher, &learner);
        let mut doc: serde_json::Value = serde_json::from_slice(record.bytes()).unwrap();
        doc.as_object_mut().unwrap().remove("proof");
        (record.bytes().to_vec(), doc)
    }

    #[divan::bench]
    fn parse_json(bencher: Bencher) {
        let (bytes, _) = sample();
        bencher.bench(|| strict_json::parse(black_box(&bytes), 1 << 16).unwrap());
    }

    #[divan::bench]
    fn canonicalize_and_hash(bencher: Bencher) {
        let (_, doc) = sample();
        bencher.bench(|| document_hash(black_box(&doc)).unwrap());
    }

    #[divan::bench]
    fn read_shape(bencher: Bencher) {
        let (_, doc) = sample();
        bencher.bench(|| Endorsement::from_document(black_box(&doc)).unwrap());
    }
}
