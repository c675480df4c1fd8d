//! The inputs measured: normal credentials and presentations, and the
//! worst ones that fit agora's size limits, each with the check a peer's
//! input meets (full verification, agora's jcs-only portfolio reading,
//! co-signing, or reading a presentation).

use agora::endorse::cosign::countersign;
use agora::endorse::data_integrity::{Cryptosuite, ProofOptions, create_proof, create_proof_with};
use agora::endorse::presentation::{Binding, MAX_PRESENTATION_BYTES, inspect_presentation, present};
use agora::endorse::rdfc::ContextSet;
use agora::endorse::{Endorsement, MAX_ENDORSEMENT_BYTES, Suites, inspect_with};
use agora::identity::{Identity, verification_method};
use serde_json::{Map, Value, json};

use crate::common;

const JCS: &str = "eddsa-jcs-2022";
const RDFC: &str = "eddsa-rdfc-2022";

pub enum Input {
    Credential { bytes: Vec<u8>, suites: Suites },
    Presentation(Vec<u8>),
    Countersign { expected: Box<Endorsement>, draft: Vec<u8> },
}

impl Input {
    pub fn len(&self) -> usize {
        match self {
            Input::Credential { bytes, .. } | Input::Presentation(bytes) | Input::Countersign { draft: bytes, .. } => {
                bytes.len()
            }
        }
    }

    /// Checks the input as agora would; returns "valid" or the first reason.
    pub fn check(&self) -> String {
        let now = common::now();
        let first = |problems: Vec<String>| problems.into_iter().next().unwrap_or_else(|| "valid".into());
        match self {
            Input::Credential { bytes, suites } => {
                let report = inspect_with(bytes, now, *suites);
                let mut problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
                if let Err(shape) = &report.claims {
                    problems.push(format!("shape: {shape}"));
                }
                first(problems)
            }
            Input::Presentation(bytes) => {
                let request = Binding { challenge: Some("c".into()), domain: None };
                let report = inspect_presentation(bytes, now, &request, Suites::All);
                first(report.problems.iter().map(ToString::to_string).collect())
            }
            Input::Countersign { expected, draft } => match countersign(expected, draft, &learner(), now) {
                Ok(_) => "valid".into(),
                Err(e) => e.to_string(),
            },
        }
    }
}

pub struct Case {
    pub name: &'static str,
    /// The normal input this one is compared with.
    pub yardstick: &'static str,
    /// Whether each run needs a fresh input (to defeat a memory of results).
    pub per_run: bool,
    pub build: fn(usize) -> Input,
}

pub const CASES: &[Case] = &[
    Case { name: "credential, normal", yardstick: "credential, normal", per_run: false, build: normal_full },
    Case {
        name: "credential, normal, jcs-only reading",
        yardstick: "credential, normal, jcs-only reading",
        per_run: false,
        build: normal_jcs,
    },
    Case { name: "credential, largest legitimate", yardstick: "credential, normal", per_run: false, build: largest },
    Case {
        name: "credential, previousProof x N (jcs)",
        yardstick: "credential, normal",
        per_run: false,
        build: refs_jcs,
    },
    Case {
        name: "credential, previousProof x N (rdfc)",
        yardstick: "credential, normal",
        per_run: false,
        build: refs_rdfc,
    },
    Case {
        name: "credential, previousProof x N, jcs-only reading",
        yardstick: "credential, normal, jcs-only reading",
        per_run: false,
        build: refs_jcs_only,
    },
    Case { name: "credential, chain of rdfc proofs", yardstick: "credential, normal", per_run: false, build: chain },
    Case { name: "credential, hundreds of rdfc proofs", yardstick: "credential, normal", per_run: false, build: many },
    Case { name: "credential, repeated @context", yardstick: "credential, normal", per_run: true, build: contexts },
    Case { name: "credential, signed JSON-LD junk", yardstick: "credential, normal", per_run: false, build: junk },
    Case { name: "countersign, normal draft", yardstick: "countersign, normal draft", per_run: false, build: draft },
    Case {
        name: "countersign, previousProof draft",
        yardstick: "countersign, normal draft",
        per_run: false,
        build: draft_refs,
    },
    Case { name: "presentation, 1 normal", yardstick: "presentation, 1 normal", per_run: false, build: vp_1 },
    Case { name: "presentation, 10 normal", yardstick: "presentation, 10 normal", per_run: false, build: vp_10 },
    Case {
        name: "presentation, 10 previousProof credentials",
        yardstick: "presentation, 10 normal",
        per_run: false,
        build: vp_refs_10,
    },
    Case {
        name: "presentation, 10 previousProof credentials, rdfc holder",
        yardstick: "presentation, 10 normal",
        per_run: false,
        build: vp_refs_10_rdfc,
    },
    Case {
        name: "presentation, 2000 normal (16 MiB limit)",
        yardstick: "presentation, 2000 normal (16 MiB limit)",
        per_run: false,
        build: vp_2000,
    },
    Case {
        name: "presentation 16 MiB, holder previousProof x N",
        yardstick: "presentation, 1 normal",
        per_run: false,
        build: vp_holder_refs,
    },
    Case {
        name: "presentation 16 MiB, one previousProof credential",
        yardstick: "presentation, 1 normal",
        per_run: false,
        build: vp_big_credential,
    },
    Case {
        name: "presentation 16 MiB, empty credentials",
        yardstick: "presentation, 1 normal",
        per_run: false,
        build: vp_empty,
    },
];

fn teacher() -> Identity {
    common::identity(1)
}

fn learner() -> Identity {
    common::identity(2)
}

/// Session `n` of a course: distinct ids and words, all in the past.
fn record(n: u32) -> agora::endorse::VerifiedEndorsement {
    let mut e = common::endorsement(&teacher(), &learner(), n % 64);
    e.id = format!("urn:uuid:{}", common::uuid_for(n));
    e.covered = format!("Part {n} of the course.");
    common::cosigned(&e, &teacher(), &learner())
}

fn normal_doc() -> Value {
    serde_json::from_slice(record(0).bytes()).unwrap()
}

fn full(bytes: Vec<u8>) -> Input {
    Input::Credential { bytes, suites: Suites::All }
}

fn compact(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// The largest `k` whose document fits in `limit` bytes (sizes grow with `k`).
fn fill(limit: usize, build: impl Fn(usize) -> Value) -> Vec<u8> {
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
fn proof(signer: &Identity, suite: &str, purpose: &str, created: &str) -> Map<String, Value> {
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
fn fat(signer: &Identity, purpose: &str, bytes: usize) -> Value {
    let mut fat = proof(signer, JCS, purpose, "2026-11-20T18:30:00Z");
    fat.insert("id".into(), "a".into());
    fat.insert("nonce".into(), "A".repeat(bytes).into());
    Value::Object(fat)
}

/// A proof naming proof `a` `count` times as its previous proof.
fn referring(signer: &Identity, suite: &str, purpose: &str, count: usize) -> Value {
    let mut proof = proof(signer, suite, purpose, "2026-11-20T18:30:00Z");
    proof.insert("previousProof".into(), Value::Array(vec!["a".into(); count]));
    Value::Object(proof)
}

/// A normal credential plus a fat proof and one referring to it `k` times.
fn refs_doc(suite: &str, k: usize) -> Value {
    let mut doc = normal_doc();
    let proofs = doc["proof"].as_array_mut().unwrap();
    proofs.push(fat(&learner(), "authentication", 4 * k));
    proofs.push(referring(&teacher(), suite, "assertionMethod", k));
    doc
}

fn normal_full(_: usize) -> Input {
    full(record(0).bytes().to_vec())
}

fn normal_jcs(_: usize) -> Input {
    Input::Credential { bytes: record(0).bytes().to_vec(), suites: Suites::Only(Cryptosuite::Jcs) }
}

fn largest(_: usize) -> Input {
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

fn refs_jcs(_: usize) -> Input {
    full(fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc(JCS, k)))
}

fn refs_rdfc(_: usize) -> Input {
    full(fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc(RDFC, k)))
}

fn refs_jcs_only(_: usize) -> Input {
    let bytes = fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc(JCS, k));
    Input::Credential { bytes, suites: Suites::Only(Cryptosuite::Jcs) }
}

fn created(i: usize) -> String {
    format!("2026-11-{:02}T{:02}:{:02}:{:02}Z", 21 + i / 86400, i / 3600 % 24, i / 60 % 60, i % 60)
}

/// A normal credential plus `k` teacher proofs, each chained to the last.
fn chain(_: usize) -> Input {
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
fn many(_: usize) -> Input {
    full(fill(MAX_ENDORSEMENT_BYTES, |k| {
        let mut doc = normal_doc();
        let proofs = doc["proof"].as_array_mut().unwrap();
        proofs.extend((0..k).map(|i| Value::Object(proof(&teacher(), RDFC, "assertionMethod", &created(i)))));
        doc
    }))
}

/// The credentials context repeated after the usual two (a different
/// count each run, so no processed context is remembered).
fn contexts(run: usize) -> Input {
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
fn junk(_: usize) -> Input {
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

fn draft(_: usize) -> Input {
    let e = common::endorsement(&teacher(), &learner(), 0);
    let draft = agora::endorse::cosign::draft(&e, &teacher(), e.end).unwrap();
    Input::Countersign { expected: Box::new(e), draft }
}

/// A teacher's draft of two proofs: one naming the other, fat, N times.
fn draft_refs(_: usize) -> Input {
    let e = common::endorsement(&teacher(), &learner(), 0);
    let draft = fill(MAX_ENDORSEMENT_BYTES, |k| {
        let mut doc = e.to_document();
        doc["proof"] =
            json!([referring(&teacher(), JCS, "assertionMethod", k), fat(&teacher(), "assertionMethod", 4 * k)]);
        doc
    });
    Input::Countersign { expected: Box::new(e), draft }
}

fn binding() -> Binding {
    Binding { challenge: Some("c".into()), domain: None }
}

fn normal_presentation(count: u32) -> Input {
    let records: Vec<_> = (0..count).map(record).collect();
    let bytes = present(&learner(), &records, Cryptosuite::Jcs, &binding(), common::now()).unwrap();
    let compacted = compact(&serde_json::from_slice(&bytes).unwrap());
    Input::Presentation(if bytes.len() <= MAX_PRESENTATION_BYTES { bytes } else { compacted })
}

fn vp_1(_: usize) -> Input {
    normal_presentation(1)
}

fn vp_10(_: usize) -> Input {
    normal_presentation(10)
}

fn vp_2000(_: usize) -> Input {
    normal_presentation(2000)
}

fn envelope(credentials: Vec<Value>) -> Value {
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
fn signed(credentials: Vec<Value>, suite: Cryptosuite) -> Vec<u8> {
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

fn refs_credentials(count: usize) -> Vec<Value> {
    let one: Value = serde_json::from_slice(&fill(MAX_ENDORSEMENT_BYTES, |k| refs_doc(JCS, k))).unwrap();
    (0..count)
        .map(|n| {
            let mut credential = one.clone();
            credential["id"] = json!(format!("urn:uuid:{}", common::uuid_for(n as u32)));
            credential
        })
        .collect()
}

fn vp_refs_10(_: usize) -> Input {
    Input::Presentation(signed(refs_credentials(10), Cryptosuite::Jcs))
}

fn vp_refs_10_rdfc(_: usize) -> Input {
    Input::Presentation(signed(refs_credentials(10), Cryptosuite::Rdfc))
}

fn one_credential() -> Value {
    serde_json::from_slice(record(0).bytes()).unwrap()
}

/// One normal credential; the holder's proof names a fat second proof N times.
fn vp_holder_refs(_: usize) -> Input {
    Input::Presentation(fill(MAX_PRESENTATION_BYTES, |k| {
        let mut doc = envelope(vec![one_credential()]);
        let mut holder = referring(&learner(), JCS, "authentication", k);
        holder["challenge"] = json!("c");
        doc["proof"] = json!([holder, fat(&learner(), "authentication", 4 * k)]);
        doc
    }))
}

/// One credential of nearly 16 MiB: a previousProof bomb in a presentation.
fn vp_big_credential(_: usize) -> Input {
    let doc: Value = serde_json::from_slice(&signed(vec![one_credential()], Cryptosuite::Jcs)).unwrap();
    Input::Presentation(fill(MAX_PRESENTATION_BYTES, |k| {
        let mut doc = doc.clone();
        doc["verifiableCredential"] = json!([refs_doc(JCS, k)]);
        doc
    }))
}

/// 16 MiB of empty objects where the credentials go.
fn vp_empty(_: usize) -> Input {
    Input::Presentation(fill(MAX_PRESENTATION_BYTES, |k| {
        let mut doc = envelope(vec![json!({}); k]);
        let mut holder = proof(&learner(), JCS, "authentication", "2026-11-25T11:00:00Z");
        holder.insert("challenge".into(), "c".into());
        doc["proof"] = Value::Object(holder);
        doc
    }))
}
