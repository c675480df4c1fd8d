//! Hostile proof sets, chains, drafts and presentations: each is refused
//! for its one reason, and before anything the rule refuses is hashed (the
//! count of canonicalizations on the test's thread tells).

mod common;

use agora::endorse::cosign::{countersign, draft};
use agora::endorse::data_integrity::{
    DocumentHashes, MAX_PREVIOUS_PROOFS, MAX_PROOFS, canonicalizations, verify_proof_in_set, verify_proof_with,
};
use agora::endorse::presentation::{
    Binding, MAX_BINDING_CHARS, PresentationError, PresentationReport, inspect_presentation, present,
};
use agora::endorse::rdfc::ContextSet;
use agora::endorse::strict_json::JsonError;
use agora::endorse::{EndorseError, MAX_ENDORSEMENT_VALUES, ProofError, Report, Suites, inspect};
use agora::market::Role;
use common::{cosigned, endorsement, identity, now};
use serde_json::{Value, json};

fn record() -> Value {
    let (teacher, learner) = (identity(1), identity(2));
    serde_json::from_slice(cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner).bytes()).unwrap()
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// The report on `document`, and how many canonicalizations it took.
fn inspected(document: &Value) -> (Report, u64) {
    let before = canonicalizations();
    let report = inspect(&bytes(document), now());
    (report, canonicalizations() - before)
}

/// What verifying a normal record costs in canonicalizations: each
/// suite's document once, and each of the four proof configurations.
fn normal_cost() -> u64 {
    let (report, cost) = inspected(&record());
    assert!(report.is_valid(), "{:?}", report.problems);
    assert_eq!(cost, 6);
    cost
}

fn proofs(document: &mut Value) -> &mut Vec<Value> {
    document["proof"].as_array_mut().unwrap()
}

#[test]
fn more_proofs_than_any_record_carries_are_refused_before_any_hashing() {
    let mut document = record();
    let first = document["proof"][0].clone();
    proofs(&mut document).extend(std::iter::repeat_n(first, MAX_PROOFS + 1 - 4));
    let (report, cost) = inspected(&document);
    assert_eq!(report.problems, [EndorseError::TooManyProofs { found: MAX_PROOFS + 1, max: MAX_PROOFS }]);
    assert_eq!(cost, 0);
}

#[test]
fn a_chained_proof_is_refused_and_nothing_it_names_is_hashed() {
    let normal = normal_cost();
    let mut document = record();
    document["proof"][2]["previousProof"] = json!(vec!["urn:uuid:0"; 100]);
    let (report, cost) = inspected(&document);
    assert_eq!(
        report.problems,
        [EndorseError::Chained(2), EndorseError::MissingProof { role: Role::Learner, suite: "eddsa-jcs-2022" }]
    );
    assert!(report.proofs[2].signature.is_none());
    assert_eq!(cost, normal - 1, "the other three proofs, each document once");
}

#[test]
fn a_proof_field_agora_does_not_write_is_refused_before_hashing() {
    let normal = normal_cost();
    let mut document = record();
    document["proof"][1]["nonce"] = json!("A".repeat(40_000));
    let (report, cost) = inspected(&document);
    assert_eq!(report.problems[0], EndorseError::ProofField { index: 1, field: "nonce".into() });
    assert!(report.problems.contains(&EndorseError::MissingProof { role: Role::Teacher, suite: "eddsa-rdfc-2022" }));
    assert_eq!(cost, normal - 1);
}

#[test]
fn strangers_wrong_purposes_unknown_suites_and_repeats_are_not_hashed() {
    let normal = normal_cost();
    let stranger = identity(3);
    let mut document = record();
    // Four more proofs: a stranger's, the teacher's as the learner would
    // sign, an unknown suite, and a second teacher jcs proof.
    let mut theirs = document["proof"][0].clone();
    let method = agora::identity::verification_method(&stranger.public());
    theirs["verificationMethod"] = json!(method);
    let mut purpose = document["proof"][0].clone();
    purpose["proofPurpose"] = json!("authentication");
    let mut suite = document["proof"][0].clone();
    suite["cryptosuite"] = json!("eddsa-2022");
    let mut again = document["proof"][0].clone();
    again["created"] = json!("2026-11-20T18:31:00Z");
    proofs(&mut document).extend([theirs, purpose, suite, again]);
    let (report, cost) = inspected(&document);
    assert_eq!(cost, normal, "only the four real proofs are hashed");
    let problems = &report.problems;
    assert_eq!(problems[0], EndorseError::ProofCount(8));
    assert!(matches!(problems[1], EndorseError::UnexpectedSigner { index: 4, .. }), "{problems:?}");
    assert!(matches!(problems[2], EndorseError::WrongPurpose { index: 5, role: Role::Teacher, .. }));
    assert!(matches!(problems[3], EndorseError::Proof { index: 6, source: ProofError::UnsupportedCryptosuite(_) }));
    assert!(problems.contains(&EndorseError::DuplicateProof { role: Role::Teacher, suite: "eddsa-jcs-2022" }));
    assert!(report.proofs[4..].iter().all(|p| !matches!(p.signature, Some(Ok(())))));
}

#[test]
fn a_document_not_in_agoras_shape_is_not_hashed_at_all() {
    let mut document = record();
    document["credentialSubject"]["grade"] = json!("A+");
    let (report, cost) = inspected(&document);
    assert!(report.claims.is_err());
    assert!(report.proofs.iter().all(|p| p.signature.is_none()));
    assert_eq!(cost, 0);
}

#[test]
fn a_record_of_more_values_than_any_record_holds_is_not_even_parsed_whole() {
    let mut document = record();
    document["proof"][0]["previousProof"] = json!(vec!["x"; MAX_ENDORSEMENT_VALUES]);
    let (report, cost) = inspected(&document);
    assert_eq!(report.problems, [EndorseError::Json(JsonError::TooManyValues { max: MAX_ENDORSEMENT_VALUES })]);
    assert_eq!(cost, 0);
}

#[test]
fn the_largest_record_the_rules_allow_holds_well_under_the_value_limit() {
    fn values(value: &Value) -> usize {
        1 + match value {
            Value::Array(items) => items.iter().map(values).sum(),
            Value::Object(map) => map.values().map(values).sum(),
            _ => 0,
        }
    }
    // The most proofs read, each as large in values as agora writes them.
    let mut document = record();
    let jcs = document["proof"][0].clone();
    proofs(&mut document).resize(MAX_PROOFS, jcs);
    assert!(values(&document) * 2 <= MAX_ENDORSEMENT_VALUES, "{}", values(&document));
}

#[test]
fn countersigning_checks_the_draft_before_hashing_it() {
    let (teacher, learner) = (identity(1), identity(2));
    let e = endorsement(&teacher, &learner, 0);
    let good: Value = serde_json::from_slice(&draft(&e, &teacher, e.end).unwrap()).unwrap();
    let refused = |document: &Value| {
        let before = canonicalizations();
        let error = countersign(&e, &bytes(document), &learner, now()).unwrap_err();
        (error, canonicalizations() - before)
    };
    let mut chained = good.clone();
    chained["proof"][1]["id"] = json!("urn:uuid:1");
    chained["proof"][0]["previousProof"] = json!(vec!["urn:uuid:1"; 100]);
    assert_eq!(refused(&chained), (EndorseError::Chained(0), 0));
    let mut other = good.clone();
    other["credentialSubject"]["achievement"]["criteria"]["narrative"] = json!("Something else");
    assert!(matches!(refused(&other), (EndorseError::Shape(_), 0)));
    let mut swapped = good.clone();
    swapped["proof"] = json!([good["proof"][1], good["proof"][0]]);
    assert_eq!(refused(&swapped), (EndorseError::MissingProof { role: Role::Teacher, suite: "eddsa-jcs-2022" }, 0));
    let mut learners = good.clone();
    learners["proof"][0]["verificationMethod"] = json!(agora::identity::verification_method(&learner.public()));
    assert!(matches!(refused(&learners), (EndorseError::WrongPurpose { index: 0, role: Role::Learner, .. }, 0)));
    let mut broken = good;
    broken["proof"][0]["created"] = json!("2026-11-20T18:31:00Z");
    assert!(
        matches!(refused(&broken), (EndorseError::Proof { index: 0, source: ProofError::BadSignature }, n) if n > 0)
    );
}

fn chain_vector() -> Value {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/w3c-vc-di-eddsa/proof-set-chain/signedProofChain2.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The error for proof `index` of `document`, and that nothing was hashed.
fn refused_unhashed(document: &Value, index: usize) -> ProofError {
    let before = canonicalizations();
    let error = verify_proof_with(document, index, ContextSet::builtin()).unwrap_err();
    assert_eq!(canonicalizations(), before, "{error}");
    error
}

#[test]
fn previous_proofs_are_counted_deduplicated_and_resolved_before_hashing() {
    let vector = chain_vector();
    let first = vector["proof"][0]["id"].as_str().unwrap().to_owned();
    let mut many = vector.clone();
    many["proof"][3]["previousProof"] = json!(vec![first.clone(); MAX_PREVIOUS_PROOFS + 1]);
    assert_eq!(
        refused_unhashed(&many, 3),
        ProofError::TooManyPreviousProofs { found: MAX_PREVIOUS_PROOFS + 1, max: MAX_PREVIOUS_PROOFS }
    );
    let mut twice = vector.clone();
    twice["proof"][3]["previousProof"] = json!([first, first]);
    assert_eq!(refused_unhashed(&twice, 3), ProofError::DuplicatePreviousProof(first.clone()));
    let mut itself = vector.clone();
    itself["proof"][3]["id"] = json!("urn:uuid:self");
    itself["proof"][3]["previousProof"] = json!("urn:uuid:self");
    assert_eq!(refused_unhashed(&itself, 3), ProofError::SelfPreviousProof("urn:uuid:self".into()));
    let mut ambiguous = vector.clone();
    ambiguous["proof"][1]["id"] = json!(first);
    assert_eq!(refused_unhashed(&ambiguous, 2), ProofError::DuplicateProofId(first.clone()));
    let mut missing = vector.clone();
    missing["proof"][2]["previousProof"] = json!("urn:uuid:nowhere");
    assert_eq!(refused_unhashed(&missing, 2), ProofError::MissingPreviousProof("urn:uuid:nowhere".into()));
    let mut crowded = vector;
    let extra = crowded["proof"][1].clone();
    crowded["proof"].as_array_mut().unwrap().extend(std::iter::repeat_n(extra, MAX_PROOFS + 1 - 4));
    assert_eq!(refused_unhashed(&crowded, 0), ProofError::TooManyProofs { found: MAX_PROOFS + 1, max: MAX_PROOFS });
}

#[test]
fn each_chained_variant_of_the_document_is_hashed_once() {
    let fixture = |name: &str| {
        let path = format!("{}/tests/fixtures/contexts/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path).unwrap()
    };
    let contexts = ContextSet::builtin()
        .with("https://www.w3.org/ns/credentials/examples/v2", &fixture("credentials-examples-v2.jsonld"));
    let mut unsecured = chain_vector();
    let proofs = unsecured.as_object_mut().unwrap().remove("proof").unwrap();
    let proofs = proofs.as_array().unwrap();
    let mut hashes = DocumentHashes::default();
    let mut cost = |index: usize| {
        let before = canonicalizations();
        verify_proof_in_set(&unsecured, proofs, index, &mut hashes, &contexts).unwrap();
        canonicalizations() - before
    };
    assert_eq!(cost(2), 2, "the document with proofs 0 and 1, and proof 2's configuration");
    assert_eq!(cost(2), 1, "the same variant again: only the configuration");
    assert_eq!(cost(3), 2, "another variant (with proof 2)");
}

fn presentation() -> Value {
    let (teacher, learner) = (identity(1), identity(2));
    let records = [cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner)];
    let binding = Binding { challenge: Some("c".into()), domain: None };
    serde_json::from_slice(
        &present(&learner, &records, agora::endorse::data_integrity::Cryptosuite::Jcs, &binding, now()).unwrap(),
    )
    .unwrap()
}

/// The report on a presentation the verifier asked to bind to `c`, and
/// how many canonicalizations it took.
fn presented(document: &Value) -> (PresentationReport, u64) {
    let before = canonicalizations();
    let request = Binding { challenge: Some("c".into()), domain: None };
    let report = inspect_presentation(&bytes(document), now(), &request, Suites::All);
    (report, canonicalizations() - before)
}

/// A presentation whose holder's proof is refused before hashing: the
/// one credential is still checked in full (a normal record's cost), the
/// presentation itself is not hashed.
fn holder_refused(document: &Value) -> PresentationError {
    let (report, cost) = presented(document);
    assert_eq!(cost, normal_cost(), "{:?}", report.problems);
    assert!(report.proof.as_ref().is_none_or(|p| p.signature.is_none()));
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    report.problems[0].clone()
}

#[test]
fn a_presentation_is_hashed_once_and_only_when_nothing_cheaper_refused_it() {
    let (report, cost) = presented(&presentation());
    assert!(report.is_valid(), "{:?}", report.problems);
    assert_eq!(cost, normal_cost() + 2, "the credential, then the presentation and the holder's configuration");
}

#[test]
fn the_holders_proof_is_checked_before_the_presentation_is_hashed() {
    let good = presentation();
    let mut chained = good.clone();
    chained["proof"]["previousProof"] = json!("urn:uuid:x");
    assert_eq!(holder_refused(&chained), PresentationError::Chained);
    let mut two = good.clone();
    two["proof"] = json!([good["proof"], good["proof"]]);
    assert_eq!(holder_refused(&two), PresentationError::ProofCount(2));
    let mut field = good.clone();
    field["proof"]["nonce"] = json!("n");
    assert_eq!(holder_refused(&field), PresentationError::UnexpectedProofField("nonce".into()));
    let mut long = good.clone();
    long["proof"]["domain"] = json!("d".repeat(MAX_BINDING_CHARS + 1));
    assert_eq!(holder_refused(&long), PresentationError::BindingTooLong { field: "domain", max: MAX_BINDING_CHARS });
    let mut stranger = good.clone();
    stranger["proof"]["verificationMethod"] = json!(agora::identity::verification_method(&identity(3).public()));
    assert_eq!(holder_refused(&stranger), PresentationError::NotHolder(identity(3).did()));
    let mut id = good;
    id["id"] = json!("x".repeat(1000));
    assert!(matches!(holder_refused(&id), PresentationError::Id(shown) if shown.len() == 100));
}

#[test]
fn a_presentation_with_a_credential_refused_before_hashing_is_not_hashed() {
    let mut document = presentation();
    document["verifiableCredential"][0]["proof"][3]["previousProof"] = json!("urn:uuid:x");
    let (report, cost) = presented(&document);
    assert_eq!(
        report.problems,
        [
            PresentationError::Credential { index: 0, error: EndorseError::Chained(3) },
            PresentationError::Credential {
                index: 0,
                error: EndorseError::MissingProof { role: Role::Learner, suite: "eddsa-rdfc-2022" }
            }
        ]
    );
    assert!(report.proof.unwrap().signature.is_none());
    assert_eq!(cost, normal_cost() - 1, "three of the credential's proofs; not the presentation");
}

#[test]
fn a_credential_larger_than_an_endorsement_file_is_not_read_in_a_presentation() {
    let mut document = presentation();
    document["verifiableCredential"][0]["credentialSubject"]["name"] = json!("A".repeat(70_000));
    let (report, cost) = presented(&document);
    assert!(
        matches!(
            &report.problems[..],
            [PresentationError::Credential {
                index: 0,
                error: EndorseError::Json(JsonError::TooLarge { max: 65536, .. })
            }]
        ),
        "{:?}",
        report.problems
    );
    assert_eq!(cost, 0);
}

#[test]
fn presenting_refuses_a_binding_it_would_not_read() {
    let (teacher, learner) = (identity(1), identity(2));
    let records = [cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner)];
    let binding = Binding { challenge: Some("c".repeat(MAX_BINDING_CHARS + 1)), domain: None };
    let error =
        present(&learner, &records, agora::endorse::data_integrity::Cryptosuite::Jcs, &binding, now()).unwrap_err();
    assert_eq!(error, PresentationError::BindingTooLong { field: "challenge", max: MAX_BINDING_CHARS });
}

#[test]
fn presentations_of_too_many_values_or_credentials_are_refused_unhashed() {
    let mut crowded = presentation();
    crowded["verifiableCredential"] = json!(vec![json!({}); agora::endorse::presentation::MAX_CREDENTIALS + 1]);
    let (report, cost) = presented(&crowded);
    assert_eq!(
        report.problems,
        [PresentationError::TooManyCredentials(agora::endorse::presentation::MAX_CREDENTIALS + 1)]
    );
    assert_eq!(cost, 0);
    let mut values = presentation();
    values["proof"]["previousProof"] = json!(vec!["x"; agora::endorse::presentation::MAX_PRESENTATION_VALUES]);
    let (report, cost) = presented(&values);
    assert!(
        matches!(&report.problems[..], [PresentationError::Json(why)] if why.contains("JSON values")),
        "{:?}",
        report.problems
    );
    assert_eq!(cost, 0);
}
