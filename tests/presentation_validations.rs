//! Hubs' validations inside presentations: a learner presents a hub's
//! `EndorsementCredential` beside the endorsements it validates, in either
//! cryptosuite, and a verifier checks it there as strictly as alone: only
//! its learner may present it, its two hub proofs are screened before any
//! hashing, and a changed word breaks it.

mod common;

use agora::endorse::data_integrity::{Cryptosuite, ProofOptions, create_proof};
use agora::endorse::presentation::{
    Binding, PresentationError, PresentationReport, Selection, inspect_presentation, present_with,
};
use agora::endorse::validation::{Validation, ValidationError, VerifiedValidation, issue, verified};
use agora::endorse::{Party, ProofError, Suites, VerifiedEndorsement};
use agora::identity::Identity;
use common::{cosigned, endorsement, identity, now};
use serde_json::{Value, json};

fn records(teacher: &Identity, learner: &Identity, count: u32) -> Vec<VerifiedEndorsement> {
    (0..count).map(|n| cosigned(&endorsement(teacher, learner, n), teacher, learner)).collect()
}

/// The library's validation of `learner`'s sessions in `evidence`.
fn validation(hub: &Identity, learner: &Identity, n: u32, evidence: &[VerifiedEndorsement]) -> VerifiedValidation {
    let validation = Validation {
        id: format!("urn:uuid:{}", common::uuid_for(900 + n)),
        hub: Party { key: hub.public(), name: "Alcântara Library".into() },
        learner: Party { key: learner.public(), name: "Grace Hopper".into() },
        scope: "rust".into(),
        statement: format!("{} sessions in rust, with 1 distinct teacher", evidence.len()),
        evidence: evidence.iter().map(|e| e.endorsement().id.clone()).collect(),
        issued: now(),
    };
    verified(issue(&validation, hub, now()).unwrap(), now()).unwrap()
}

fn bound() -> Binding {
    Binding { challenge: Some("v-42".into()), domain: Some("school.example".into()) }
}

fn inspect(bytes: &[u8]) -> PresentationReport {
    inspect_presentation(bytes, now(), &bound(), Suites::All)
}

fn doc(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// The presentation `d` (its proof dropped) signed afresh by `holder`.
fn resigned(mut d: Value, holder: &Identity) -> Vec<u8> {
    d.as_object_mut().unwrap().remove("proof");
    let options = ProofOptions {
        challenge: Some("v-42"),
        domain: Some("school.example"),
        ..ProofOptions::new(Cryptosuite::Jcs, now(), "authentication")
    };
    d["proof"] = create_proof(&d, holder, options).unwrap();
    serde_json::to_vec(&d).unwrap()
}

#[test]
fn a_hubs_validation_goes_beside_what_it_validates_in_both_suites() {
    let (teacher, learner, hub) = (identity(1), identity(2), identity(5));
    let credentials = records(&teacher, &learner, 3);
    let validated = validation(&hub, &learner, 0, &credentials[..2]);
    for suite in [Cryptosuite::Jcs, Cryptosuite::Rdfc] {
        let vp =
            present_with(&learner, &credentials, std::slice::from_ref(&validated), suite, &bound(), now()).unwrap();
        for suites in [Suites::All, Suites::Only(Cryptosuite::Jcs), Suites::Only(Cryptosuite::Rdfc)] {
            let report = inspect_presentation(&vp, now(), &bound(), suites);
            assert!(report.is_valid(), "{suite:?} {suites:?}: {:?}", report.problems);
            assert_eq!(report.credentials.len(), 3);
            assert_eq!(report.validations.len(), 1);
            assert_eq!(report.validations[0].index, 3, "after the endorsements");
            assert_eq!(report.validations[0].validation.as_ref().unwrap(), validated.validation());
        }
        // It travels byte for byte as the hub signed it.
        assert_eq!(doc(&vp)["verifiableCredential"][3], doc(validated.bytes()));
    }
    // A validation alone is a presentation too.
    let vp = present_with(&learner, &[], &[validated], Cryptosuite::Rdfc, &bound(), now()).unwrap();
    let report = inspect(&vp);
    assert!(report.is_valid() && report.credentials.is_empty(), "{:?}", report.problems);
}

#[test]
fn only_the_learner_a_validation_is_about_may_present_it() {
    let (teacher, learner, hub, other) = (identity(1), identity(2), identity(5), identity(3));
    let credentials = records(&teacher, &learner, 1);
    let validated = validation(&hub, &learner, 0, &credentials);
    // The teacher may present the session, not the learner's validation.
    let refused =
        present_with(&teacher, &credentials, std::slice::from_ref(&validated), Cryptosuite::Jcs, &bound(), now());
    assert!(matches!(refused, Err(PresentationError::NotSubject { index: 1, .. })), "{refused:?}");
    // Someone else's validation slipped into a learner's presentation, and
    // the holder's proof signed over it: the holder is not its learner.
    let others = validation(&hub, &other, 1, &records(&teacher, &other, 1));
    let mut d = doc(&present_with(&learner, &credentials, &[], Cryptosuite::Jcs, &bound(), now()).unwrap());
    d["verifiableCredential"].as_array_mut().unwrap().push(doc(others.bytes()));
    let problems = inspect(&resigned(d, &learner)).problems;
    assert_eq!(problems, [PresentationError::NotSubject { index: 1, learner: other.did() }]);
}

#[test]
fn a_validation_changed_inside_a_presentation_is_refused() {
    let (teacher, learner, hub) = (identity(1), identity(2), identity(5));
    let credentials = records(&teacher, &learner, 2);
    let validated = validation(&hub, &learner, 0, &credentials);
    let vp = present_with(&learner, &credentials[..1], &[validated], Cryptosuite::Rdfc, &bound(), now()).unwrap();
    let d = doc(&vp);
    let changed = |edit: &dyn Fn(&mut Value)| {
        let mut d = d.clone();
        edit(&mut d["verifiableCredential"][1]);
        resigned(d, &learner)
    };
    let validation_problem = |problems: &[PresentationError]| match problems {
        [PresentationError::Validation { index: 1, error }] => error.clone(),
        other => panic!("expected one problem with the validation, found {other:?}"),
    };

    // What it says inflated: the hub's signatures no longer hold.
    let inflated = inspect(&changed(&|v| v["credentialSubject"]["endorsementComment"] = json!("40 sessions in rust")));
    let error = validation_problem(&inflated.problems);
    assert_eq!(error, ValidationError::Proof { index: 0, source: ProofError::BadSignature });

    // Rules that need no hashing are checked first: the holder's proof is
    // not even hashed when a validation breaks one.
    for (what, edit) in [
        ("one proof dropped", &(|v: &mut Value| drop(v["proof"].as_array_mut().unwrap().pop())) as &dyn Fn(&mut Value)),
        ("proof claims authentication", &|v| v["proof"][0]["proofPurpose"] = json!("authentication")),
        ("both proofs in one suite", &|v| v["proof"][1] = v["proof"][0].clone()),
        ("a proof expired", &|v| v["proof"][0]["expires"] = json!("2026-01-01T00:00:00Z")),
        ("a field added", &|v| v["awardedBy"] = json!("Harvard")),
        ("issued next week", &|v| v["validFrom"] = json!("2030-01-01T00:00:00Z")),
    ] {
        let report = inspect(&changed(edit));
        let error = validation_problem(&report.problems);
        assert!(!matches!(error, ValidationError::Proof { source: ProofError::BadSignature, .. }), "{what}: {error}");
        assert_eq!(report.proof.unwrap().signature, None, "{what}: the holder's proof was hashed");
    }

    // The same validation twice.
    let mut twice = d.clone();
    let copy = twice["verifiableCredential"][1].clone();
    twice["verifiableCredential"].as_array_mut().unwrap().push(copy);
    let problems = inspect(&resigned(twice, &learner)).problems;
    assert!(matches!(&problems[..], [PresentationError::Duplicate { index: 2, first: 1, .. }]), "{problems:?}");
}

/// A real store: the validations a selection picks are those naming a
/// picked endorsement as evidence, or named by id, and only when asked.
#[test]
fn a_selection_picks_the_validations_of_what_it_picks() {
    let (teacher, learner, hub) = (identity(1), identity(2), identity(5));
    let dir = tempfile::tempdir().unwrap();
    let store = agora::store::Store::open(&dir.path().join("store.redb")).unwrap();
    let credentials = records(&teacher, &learner, 3);
    for credential in &credentials {
        store.put_endorsement(credential).unwrap();
    }
    let first = validation(&hub, &learner, 0, &credentials[..1]);
    let rest = validation(&hub, &learner, 1, &credentials[1..]);
    for v in [&first, &rest] {
        store.put_validation(v.validation(), v.bytes()).unwrap();
    }
    let ids = |picked: &[&VerifiedEndorsement]| -> Vec<String> {
        picked.iter().map(|e| e.endorsement().id.clone()).collect()
    };
    let picks = |selection: &Selection, picked: &[String]| -> Vec<String> {
        let picked: Vec<&str> = picked.iter().map(String::as_str).collect();
        let chosen = store.presentable_validations(selection, &picked).unwrap();
        chosen.iter().map(|bytes| doc(bytes)["id"].as_str().unwrap().to_owned()).collect()
    };
    let (first_id, rest_id) = (first.validation().id.clone(), rest.validation().id.clone());
    let asked = Selection { validations: true, ..Default::default() };
    assert_eq!(picks(&asked, &ids(&[&credentials[0]])), [first_id]);
    assert_eq!(picks(&asked, &ids(&[&credentials[2]])), std::slice::from_ref(&rest_id));
    assert_eq!(picks(&asked, &ids(&credentials.iter().collect::<Vec<_>>())).len(), 2);
    assert!(picks(&Selection::default(), &ids(&[&credentials[0]])).is_empty(), "not unless asked");
    let named = Selection { ids: vec![rest_id.clone()], ..Default::default() };
    assert_eq!(picks(&named, &[]), [rest_id]);
}
