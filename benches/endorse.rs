//! Endorsement signing and verification against raw Ed25519 in the same run.
//!
//! `cargo bench --bench endorse`. The figures that matter are the ratios of
//! `verify_endorsement_jcs_pair` (agora's own reading) and of the rdfc and
//! full checks to `raw_ed25519_verify` times the signatures they check.

#[path = "../tests/common/mod.rs"]
mod common;

use agora::endorse::data_integrity::Cryptosuite;
use agora::endorse::{Suites, sign_proof, verify_with};
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

#[divan::bench(args = [Cryptosuite::Jcs, Cryptosuite::Rdfc])]
fn sign_endorsement_one_proof(bencher: Bencher, suite: Cryptosuite) {
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let e = common::endorsement(&teacher, &learner, 0);
    bencher.bench(|| {
        agora::endorse::rdfc::forget_recent();
        sign_proof(black_box(&e), &teacher, e.end, suite).unwrap()
    });
}

fn verify_endorsement(bencher: Bencher, suites: Suites) {
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let record = common::cosigned(&common::endorsement(&teacher, &learner, 0), &teacher, &learner);
    let bytes = record.bytes().to_vec();
    let now = common::now();
    // Cold, as a verifier meeting the record for the first time.
    bencher.bench(|| {
        agora::endorse::rdfc::forget_recent();
        verify_with(black_box(&bytes), now, suites).unwrap()
    });
}

/// Two signatures: what agora checks when reading others' portfolios.
#[divan::bench]
fn verify_endorsement_jcs_pair(bencher: Bencher) {
    verify_endorsement(bencher, Suites::Only(Cryptosuite::Jcs));
}

/// Two signatures over RDF-canonicalized JSON-LD: what wallets check.
#[divan::bench]
fn verify_endorsement_rdfc_pair(bencher: Bencher) {
    verify_endorsement(bencher, Suites::Only(Cryptosuite::Rdfc));
}

/// All four: `agora verify` and co-signing.
#[divan::bench]
fn verify_endorsement_all_four(bencher: Bencher) {
    verify_endorsement(bencher, Suites::All);
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
