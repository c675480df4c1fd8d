//! Interop: the reference JavaScript VC stack (Digital Bazaar's, from npm,
//! pinned by `tests/interop/package-lock.json`) must verify every proof on
//! the credentials agora writes, and reject a tampered one. Needs `node` and
//! `npm ci --prefix tests/interop`; without them each test prints SKIPPED
//! to stderr and returns, except under `CI=true`, where it fails.

mod common;
#[path = "common/js.rs"]
mod js;

use std::path::{Path, PathBuf};

use agora::endorse::data_integrity::{Cryptosuite, ProofOptions, create_proof};
use agora::endorse::presentation::{Binding, present};
use js::{ROOT, Run, js_ready};
use serde_json::{Value, json};

/// Runs the JS verifier on `files` at this suite's fixed time.
fn verify_js(files: &[PathBuf], args: &[&str]) -> Run {
    js::verify_at(files, common::now(), args)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn proofs_of(document: &Value) -> Vec<Value> {
    match &document["proof"] {
        Value::Array(proofs) => proofs.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    }
}

/// JS reported one result per proof in the file, in order, all verified.
fn assert_all_verified(run: &Run, files: &[PathBuf], expected_proofs: impl Fn(&Value) -> Vec<Value>) {
    for (line, file) in run.lines.iter().zip(files) {
        let proofs = expected_proofs(&read_json(file));
        let reported = line["proofs"].as_array().unwrap();
        let summary: Vec<String> = reported.iter().map(|r| format!("{} {}", r["purpose"], r["cryptosuite"])).collect();
        eprintln!("JS verified {}: {}", file.display(), summary.join(", "));
        assert!(!proofs.is_empty(), "{}: no proofs to verify", file.display());
        assert_eq!(reported.len(), proofs.len(), "JS reports every proof of {}: {line}", file.display());
        for (report, proof) in reported.iter().zip(&proofs) {
            assert_eq!(report["purpose"], proof["proofPurpose"], "{line}");
            assert_eq!(report["cryptosuite"], proof["cryptosuite"], "{line}");
            assert_eq!(report["verified"], json!(true), "JS rejected a proof of {}: {report}", file.display());
        }
        assert_eq!(line["ok"], json!(true), "{line}");
    }
    assert!(run.success, "the verifier exits 0 when everything verifies\n{}", run.stderr);
}

fn cosigned_files(dir: &Path) -> Vec<PathBuf> {
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let mut files = Vec::new();
    for n in 0..3 {
        let record = common::cosigned(&common::endorsement(&teacher, &learner, n), &teacher, &learner);
        files.push(write(dir, &format!("endorsement-{n}.json"), record.bytes()));
    }
    // Non-ASCII text through both canonicalizations.
    let mut endorsement = common::endorsement(&teacher, &learner, 3);
    endorsement.learner.name = "Zoë Ångström-李".into();
    endorsement.review = "Très clair — «merci» 👍".into();
    let record = common::cosigned(&endorsement, &teacher, &learner);
    files.push(write(dir, "endorsement-unicode.json", record.bytes()));
    files.push(write(dir, "endorsement-aligned.json", common::cosigned(&aligned(4), &teacher, &learner).bytes()));
    files
}

/// An endorsement for a skill from a community's curriculum: its
/// achievement carries Open Badges alignments (one with a framework and
/// code, one with neither).
fn aligned(n: u32) -> agora::endorse::Endorsement {
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let mut endorsement = common::endorsement(&teacher, &learner, n);
    endorsement.alignments = vec![
        agora::community::Alignment {
            target_name: "Rust (computer programming)".into(),
            target_url: "https://esco.example/skill/rust?lang=en".into(),
            target_framework: "ESCO".into(),
            target_code: "S1.2.3".into(),
        },
        agora::community::Alignment {
            target_name: "Rust Berlin: ownership".into(),
            target_url: "https://rust-berlin.example/curriculum#ownership".into(),
            target_framework: String::new(),
            target_code: String::new(),
        },
    ];
    endorsement
}

#[test]
fn js_verifies_every_proof_of_agora_endorsements() {
    if !js_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let files = cosigned_files(dir.path());
    let run = verify_js(&files, &[]);
    assert_all_verified(&run, &files, proofs_of);
}

#[test]
fn js_rejects_a_tampered_endorsement() {
    if !js_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let record = common::cosigned(&common::endorsement(&teacher, &learner, 0), &teacher, &learner);
    let original: Value = serde_json::from_slice(record.bytes()).unwrap();
    let mut review = original.clone();
    review["evidence"][1]["narrative"] = json!("Impatient and unclear.");
    let mut name = original.clone();
    name["credentialSubject"]["name"] = json!("Mallory");
    let files = [
        write(dir.path(), "tampered-review.json", &serde_json::to_vec(&review).unwrap()),
        write(dir.path(), "tampered-name.json", &serde_json::to_vec(&name).unwrap()),
    ];
    let run = verify_js(&files, &[]);
    assert!(!run.success, "the verifier exits non-zero on a tampered credential");
    for line in &run.lines {
        let reported = line["proofs"].as_array().unwrap();
        assert_eq!(reported.len(), proofs_of(&original).len(), "{line}");
        assert_eq!(line["ok"], json!(false), "{line}");
        for report in reported {
            assert_eq!(report["verified"], json!(false), "a proof over tampered claims verified: {line}");
            let error = report["error"].as_str().unwrap_or_default();
            assert!(error.contains("Invalid signature"), "fails on the signature, not elsewhere: {line}");
        }
    }
}

/// The proof set agora is moving to (each party adds an eddsa-jcs-2022 and
/// an eddsa-rdfc-2022 proof), made here from the library's proof function:
/// JS must agree with agora's RDF canonicalization of its own documents.
#[test]
fn js_verifies_rdfc_proofs_on_an_endorsement() {
    if !js_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let mut files = Vec::new();
    for n in [0, 3] {
        let mut endorsement = common::endorsement(&teacher, &learner, n);
        if n == 3 {
            endorsement.learner.name = "Zoë Ångström-李".into();
            endorsement.review = "Très clair — «merci» 👍\nLine two.".into();
        }
        let record = common::cosigned(&endorsement, &teacher, &learner);
        files.push(write(dir.path(), &format!("four-proofs-{n}.json"), record.bytes()));
    }
    let run = verify_js(&files, &[]);
    assert_all_verified(&run, &files, proofs_of);
}

/// Each proof is checked for the party it claims to be: a valid signature
/// by the learner does not pass as the issuer's, nor the teacher's as the
/// subject's co-signature.
#[test]
fn js_binds_each_proof_to_its_party() {
    if !js_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let endorsement = common::endorsement(&teacher, &learner, 0);
    let unsigned = endorsement.to_document();
    let mut files = Vec::new();
    for (signer, purpose, expected) in [
        (&learner, "assertionMethod", "issuer must match the verification method controller"),
        (&teacher, "authentication", "is not the credentialSubject"),
    ] {
        for cryptosuite in [Cryptosuite::Jcs, Cryptosuite::Rdfc] {
            let options = ProofOptions::new(cryptosuite, endorsement.end, purpose);
            let mut document = unsigned.clone();
            document["proof"] = json!([create_proof(&unsigned, signer, options).unwrap()]);
            let name = format!("{purpose}-by-wrong-party-{}.json", cryptosuite.name());
            files.push((write(dir.path(), &name, &serde_json::to_vec(&document).unwrap()), expected));
        }
    }
    let paths: Vec<PathBuf> = files.iter().map(|(path, _)| path.clone()).collect();
    let run = verify_js(&paths, &[]);
    assert!(!run.success);
    for (line, (_, expected)) in run.lines.iter().zip(&files) {
        assert_eq!(line["proofs"][0]["verified"], json!(false), "{line}");
        assert!(line["proofs"][0]["error"].as_str().unwrap().contains(expected), "{line}");
    }
}

/// The W3C eddsa-rdfc-2022 and eddsa-jcs-2022 signed vectors verify too,
/// so the harness demonstrably checks both suites. Their issuer is an https
/// URL, not the did:key that signed, so the test names the key as the
/// issuer's (as the issuer's controller document would).
#[test]
fn js_verifies_the_w3c_signed_vectors() {
    if !js_ready() {
        return;
    }
    let fixtures = Path::new(ROOT).join("tests/fixtures");
    let vectors = fixtures.join("w3c-vc-di-eddsa");
    let files = [vectors.join("eddsa-rdfc-2022/signedDataInt.json"), vectors.join("eddsa-jcs-2022/signedJCS.json")];
    let dir = tempfile::tempdir().unwrap();
    let vector = read_json(&files[0]);
    let controller = json!({"id": vector["issuer"], "assertionMethod": [vector["proof"]["verificationMethod"]]});
    let controller = write(dir.path(), "issuer-controller.json", &serde_json::to_vec(&controller).unwrap());
    let examples = format!(
        "https://www.w3.org/ns/credentials/examples/v2={}",
        fixtures.join("contexts/credentials-examples-v2.jsonld").display()
    );
    let args = ["--context", &examples, "--issuer-controller", controller.to_str().unwrap()];
    let run = verify_js(&files, &args);
    assert_all_verified(&run, &files, proofs_of);
    assert_eq!(run.lines[0]["proofs"][0]["cryptosuite"], "eddsa-rdfc-2022");

    // Without the issuer's controller document the issuer is not bound to the key.
    let run = verify_js(&files[..1], &args[..2]);
    assert!(run.lines[0]["proofs"][0]["error"].as_str().unwrap().contains("issuer must match"), "{:?}", run.lines);
}

/// Presentations made by `agora portfolio export`'s library call over three
/// credentials, signed with eddsa-jcs-2022 (the default) and with
/// eddsa-rdfc-2022: two of them are sessions in the same skill whose
/// criteria look alike to RDF canonicalization (N-degree hashing).
#[test]
fn js_verifies_a_presentation_of_endorsements() {
    if !js_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (teacher, learner) = (common::identity(1), common::identity(2));
    let records: Vec<_> =
        (0..3).map(|n| common::cosigned(&common::endorsement(&teacher, &learner, n), &teacher, &learner)).collect();
    let (challenge, domain) = ("c0ffee-1234", "agora:market");
    let binding = Binding { challenge: Some(challenge.into()), domain: Some(domain.into()) };
    let mut files = Vec::new();
    for (suite, records) in [(Cryptosuite::Jcs, &records[..]), (Cryptosuite::Rdfc, &records[..])] {
        let bytes = present(&learner, records, suite, &binding, common::now()).unwrap();
        files.push(write(dir.path(), &format!("presentation-{}.json", suite.name()), &bytes));
    }
    let all_proofs = |vp: &Value| {
        let mut proofs = proofs_of(vp);
        proofs.extend(vp["verifiableCredential"].as_array().unwrap().iter().flat_map(proofs_of));
        proofs
    };
    let run = verify_js(&files, &["--challenge", challenge, "--domain", domain]);
    assert_all_verified(&run, &files, all_proofs);

    // Another verifier's challenge: the presentation proof fails, the
    // credential's proofs still verify.
    let run = verify_js(&files, &["--challenge", "replayed", "--domain", domain]);
    assert!(!run.success);
    for line in &run.lines {
        let reported = line["proofs"].as_array().unwrap();
        assert_eq!(reported[0]["of"], "presentation");
        assert_eq!(reported[0]["verified"], json!(false), "{line}");
        assert!(reported[0]["error"].as_str().unwrap().contains("challenge is not as expected"), "{line}");
        assert!(reported[1..].iter().all(|r| r["verified"] == json!(true)), "{line}");
    }
}

/// A hub's validation (an Open Badges `EndorsementCredential` the hub
/// signs alone, in both cryptosuites) verifies in the reference stack, on
/// its own and presented by its learner beside the endorsements it
/// validates, under either holder proof.
#[test]
fn js_verifies_a_hubs_validation() {
    if !js_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bytes = hubs_validation();
    let files = [write(dir.path(), "validation.json", &bytes)];
    let run = verify_js(&files, &[]);
    assert_all_verified(&run, &files, proofs_of);

    let (teacher, learner) = (common::identity(1), common::identity(2));
    let records: Vec<_> =
        (0..3).map(|n| common::cosigned(&common::endorsement(&teacher, &learner, n), &teacher, &learner)).collect();
    let validated = agora::endorse::validation::verified(bytes, common::now()).unwrap();
    let binding = Binding { challenge: Some("hub-77".into()), domain: Some("school.example".into()) };
    let mut files = Vec::new();
    for suite in [Cryptosuite::Jcs, Cryptosuite::Rdfc] {
        let vp = agora::endorse::presentation::present_with(
            &learner,
            &records,
            std::slice::from_ref(&validated),
            suite,
            &binding,
            common::now(),
        )
        .unwrap();
        files.push(write(dir.path(), &format!("validated-{}.json", suite.name()), &vp));
    }
    let all_proofs = |vp: &Value| {
        let mut proofs = proofs_of(vp);
        proofs.extend(vp["verifiableCredential"].as_array().unwrap().iter().flat_map(proofs_of));
        proofs
    };
    let run = verify_js(&files, &["--challenge", "hub-77", "--domain", "school.example"]);
    assert_all_verified(&run, &files, all_proofs);
    for line in &run.lines {
        let of_validation = line["proofs"].as_array().unwrap().iter().filter(|p| p["of"] == "verifiableCredential[3]");
        assert_eq!(of_validation.count(), 2, "both of the hub's proofs were checked: {line}");
    }
}

/// The library's validation of Zoë's path, signed in both suites.
fn hubs_validation() -> Vec<u8> {
    use agora::endorse::Party;
    use agora::endorse::validation::{Validation, issue};
    let hub = common::identity(5);
    let validation = Validation {
        id: "urn:uuid:0b6cf0a6-8a8e-4f4e-9a63-1b9c5a0d2f10".into(),
        hub: Party { key: hub.public(), name: "Kreuzberg Library".into() },
        learner: Party { key: common::identity(2).public(), name: "Zoë Ångström-李".into() },
        scope: "path Rust Berlin: rust-async".into(),
        statement: "12 sessions on the path Rust Berlin: rust-async, 18 h, with 4 distinct teachers; path complete"
            .into(),
        evidence: (0..3).map(|n| format!("urn:uuid:{}", common::uuid_for(n))).collect(),
        issued: common::now(),
    };
    issue(&validation, &hub, common::now()).unwrap()
}
