//! Verifying a 100-credential presentation, per cryptosuite, against raw
//! Ed25519 verification of the same number of signatures in the same run.
//!
//! `cargo bench --bench presentation`. Each credential carries four proofs;
//! the jcs run checks the holder's proof and every credential's jcs pair
//! (201 signatures), the rdfc run the same with eddsa-rdfc-2022.

#[path = "../tests/common/mod.rs"]
mod common;

use agora::endorse::Suites;
use agora::endorse::data_integrity::Cryptosuite;
use agora::endorse::presentation::{Binding, inspect_presentation, present};
use divan::{Bencher, black_box};

const CREDENTIALS: u32 = 100;
const SIGNATURES: usize = 2 * CREDENTIALS as usize + 1;

fn main() {
    divan::main();
}

fn presentation(suite: Cryptosuite) -> Vec<u8> {
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let records: Vec<_> = (0..CREDENTIALS)
        .map(|n| {
            let mut e = common::endorsement(&teacher, &learner, n);
            // Distinct sessions, as a real portfolio has (and as rdfc needs).
            e.covered = format!("Part {n} of the course.");
            common::cosigned(&e, &teacher, &learner)
        })
        .collect();
    let binding = Binding { challenge: Some("c".into()), domain: None };
    present(&learner, &records, suite, &binding, common::now()).unwrap()
}

/// The floor: 201 plain Ed25519 verifications.
#[divan::bench]
fn raw_ed25519_verify_201(bencher: Bencher) {
    let signer = common::identity(1);
    let message = [7u8; 64];
    let signature = signer.sign(&message);
    let public = signer.public();
    bencher.bench(|| {
        for _ in 0..SIGNATURES {
            assert!(public.verify(black_box(&message), black_box(&signature)));
        }
    });
}

fn verify(bencher: Bencher, suite: Cryptosuite) {
    let bytes = presentation(suite);
    let request = Binding { challenge: Some("c".into()), domain: None };
    bencher.bench(|| {
        // Cold, as a verifier meeting these credentials for the first time.
        agora::endorse::rdfc::forget_recent();
        let report = inspect_presentation(black_box(&bytes), common::now(), &request, Suites::Only(suite));
        assert!(report.is_valid(), "{:?}", report.problems);
    });
}

#[divan::bench(sample_count = 20)]
fn verify_presentation_100_jcs(bencher: Bencher) {
    verify(bencher, Cryptosuite::Jcs);
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn verify_presentation_100_rdfc(bencher: Bencher) {
    verify(bencher, Cryptosuite::Rdfc);
}
