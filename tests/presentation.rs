//! Presentations: the holder's signed selection of endorsements, and every
//! way one can be wrong, stale, replayed or not what it seems.

mod common;

use agora::endorse::data_integrity::{Cryptosuite, ProofOptions, create_proof};
use agora::endorse::presentation::{Binding, PresentationError, inspect_presentation, present};
use agora::endorse::{EndorseError, Suites, VerifiedEndorsement};
use agora::identity::Identity;
use agora::market::Role;
use common::{cosigned, endorsement, identity, now};
use serde_json::{Value, json};

fn records(teacher: &Identity, learner: &Identity, count: u32) -> Vec<VerifiedEndorsement> {
    (0..count).map(|n| cosigned(&endorsement(teacher, learner, n), teacher, learner)).collect()
}

fn bound(challenge: &str) -> Binding {
    Binding { challenge: Some(challenge.into()), domain: Some("school.example".into()) }
}

fn check(bytes: &[u8], request: &Binding) -> Vec<PresentationError> {
    inspect_presentation(bytes, now(), request, Suites::All).problems
}

fn doc(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

fn bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap()
}

#[test]
fn a_learners_presentation_round_trips_in_both_suites() {
    let (teacher, learner) = (identity(1), identity(2));
    let credentials = records(&teacher, &learner, 3);
    for (suite, credentials) in [(Cryptosuite::Jcs, &credentials[..]), (Cryptosuite::Rdfc, &credentials[..2])] {
        let vp = present(&learner, credentials, suite, &bound("abc"), now()).unwrap();
        let report = inspect_presentation(&vp, now(), &bound("abc"), Suites::All);
        assert!(report.is_valid(), "{suite:?}: {:?}", report.problems);
        assert_eq!(report.holder, Some(learner.public()));
        assert_eq!(report.proof.as_ref().unwrap().cryptosuite, suite.name());
        assert_eq!(report.credentials.len(), credentials.len());
        assert!(report.credentials.iter().all(|c| c.holder_role == Some(Role::Learner) && c.report.wallet_ready()));
        let d = doc(&vp);
        assert_eq!(d["type"], json!(["VerifiablePresentation"]));
        assert_eq!(d["proof"]["proofPurpose"], "authentication");
        assert_eq!(d["proof"]["challenge"], "abc");
        // The credentials travel byte-for-byte as signed.
        assert_eq!(d["verifiableCredential"][1], doc(credentials[1].bytes()));
    }
    // Two sessions in the same skill that covered the same ground look alike
    // to RDF canonicalization (their criteria), which then needs N-degree
    // hashing: signed and verified all the same.
    let alike = [credentials[0].clone(), credentials[2].clone()];
    let vp = present(&learner, &alike, Cryptosuite::Rdfc, &bound("abc"), now()).unwrap();
    let report = inspect_presentation(&vp, now(), &bound("abc"), Suites::All);
    assert!(report.is_valid(), "{:?}", report.problems);
    assert_eq!(report.proof.as_ref().unwrap().cryptosuite, "eddsa-rdfc-2022");
    // A teacher presents the sessions they taught the same way.
    let vp = present(&teacher, &credentials, Cryptosuite::Jcs, &Binding::default(), now()).unwrap();
    let report = inspect_presentation(&vp, now(), &Binding::default(), Suites::All);
    assert!(report.is_valid() && report.credentials.iter().all(|c| c.holder_role == Some(Role::Teacher)));
}

#[test]
fn the_challenge_and_domain_must_be_the_ones_the_verifier_asked_for() {
    let (teacher, learner) = (identity(1), identity(2));
    let vp = present(&learner, &records(&teacher, &learner, 1), Cryptosuite::Jcs, &bound("abc"), now()).unwrap();
    assert!(check(&vp, &bound("abc")).is_empty());
    let stale = check(&vp, &bound("fresh"));
    assert_eq!(stale, [PresentationError::Challenge { expected: "fresh".into(), found: "`abc`".into() }]);
    let elsewhere = Binding { domain: Some("other.example".into()), ..bound("abc") };
    assert!(matches!(check(&vp, &elsewhere)[..], [PresentationError::Domain { .. }]));
    // Made without a challenge: a verifier who asks for one refuses it.
    let unbound = present(&learner, &records(&teacher, &learner, 1), Cryptosuite::Jcs, &Binding::default(), now());
    assert!(matches!(check(&unbound.unwrap(), &bound("abc"))[0], PresentationError::Challenge { .. }));
}

#[test]
fn presenting_someone_elses_credentials_is_refused() {
    let (teacher, learner, thief) = (identity(1), identity(2), identity(3));
    let credentials = records(&teacher, &learner, 2);
    // The thief signs a presentation of the learner's records as their own.
    let vp = present(&thief, &credentials, Cryptosuite::Jcs, &bound("abc"), now()).unwrap();
    let problems = check(&vp, &bound("abc"));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| matches!(p, PresentationError::NotHolders { .. })));
    // Or takes the learner's presentation and names themselves holder.
    let mut d = doc(&present(&learner, &credentials, Cryptosuite::Jcs, &bound("abc"), now()).unwrap());
    d["holder"] = json!(thief.did());
    let problems = check(&bytes(&d), &bound("abc"));
    assert!(problems.contains(&PresentationError::NotHolder(learner.did())), "{problems:?}");
    assert!(problems.iter().any(|p| matches!(p, PresentationError::NotHolders { .. })));
    // Or signs it with their own key while leaving the learner as holder.
    let mut d = doc(&present(&learner, &credentials, Cryptosuite::Jcs, &bound("abc"), now()).unwrap());
    d.as_object_mut().unwrap().remove("proof");
    let options =
        ProofOptions { challenge: Some("abc"), ..ProofOptions::new(Cryptosuite::Jcs, now(), "authentication") };
    d["proof"] = create_proof(&d, &thief, options).unwrap();
    let problems = check(&bytes(&d), &Binding { challenge: Some("abc".into()), domain: None });
    assert_eq!(problems, [PresentationError::NotHolder(thief.did())]);
}

#[test]
fn tampering_anywhere_breaks_the_holders_proof_or_a_credential() {
    let (teacher, learner) = (identity(1), identity(2));
    let vp = present(&learner, &records(&teacher, &learner, 2), Cryptosuite::Rdfc, &bound("abc"), now()).unwrap();
    let d = doc(&vp);
    // A credential's rating raised inside the presentation.
    let mut bad = d.clone();
    bad["verifiableCredential"][0]["evidence"][1]["name"] = json!("Rating: 5/5");
    let problems = check(&bytes(&bad), &bound("abc"));
    assert!(problems.contains(&PresentationError::Proof(agora::endorse::ProofError::BadSignature)), "{problems:?}");
    assert!(problems.iter().any(|p| matches!(p, PresentationError::Credential { index: 0, .. })));
    // One credential dropped, or one added twice.
    let mut fewer = d.clone();
    fewer["verifiableCredential"].as_array_mut().unwrap().pop();
    assert_eq!(
        check(&bytes(&fewer), &bound("abc")),
        [PresentationError::Proof(agora::endorse::ProofError::BadSignature)]
    );
    let mut twice = d.clone();
    let first = twice["verifiableCredential"][0].clone();
    twice["verifiableCredential"][1] = first;
    let problems = check(&bytes(&twice), &bound("abc"));
    assert!(problems.iter().any(|p| matches!(p, PresentationError::Duplicate { index: 1, first: 0, .. })));
    // The holder's proof purpose changed to claim issuance.
    let mut purpose = d.clone();
    purpose["proof"]["proofPurpose"] = json!("assertionMethod");
    assert!(
        check(&bytes(&purpose), &bound("abc")).contains(&PresentationError::WrongPurpose("assertionMethod".into()))
    );
}

#[test]
fn contexts_that_are_not_bundled_or_read_differently_are_refused_without_fetching() {
    let (teacher, learner) = (identity(1), identity(2));
    let vp = present(&learner, &records(&teacher, &learner, 1), Cryptosuite::Rdfc, &bound("abc"), now()).unwrap();
    let d = doc(&vp);
    for context in [
        json!(["https://www.w3.org/ns/credentials/v2", "https://evil.example/context.jsonld"]),
        json!(["https://www.w3.org/ns/credentials/v2", {"@vocab": "https://evil.example/"}]),
        json!("https://www.w3.org/2018/credentials/v1"),
    ] {
        let mut bad = d.clone();
        bad["@context"] = context.clone();
        let problems = check(&bytes(&bad), &bound("abc"));
        assert!(matches!(problems[0], PresentationError::Context(_)), "{context}: {problems:?}");
    }
    // Inside a credential: a term redefined so `name` means something else.
    let mut bad = d.clone();
    bad["verifiableCredential"][0]["@context"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "https://evil.example/secretlyNotAName"}));
    let problems = check(&bytes(&bad), &bound("abc"));
    assert!(
        problems.iter().any(|p| matches!(p, PresentationError::Credential { index: 0, error: EndorseError::Shape(_) })),
        "{problems:?}"
    );
    // An unexpected field in the envelope, even one JSON-LD would drop.
    let mut extra = d.clone();
    extra["unmapped"] = json!("ignored by JSON-LD, read by some JSON reader");
    assert!(check(&bytes(&extra), &bound("abc")).contains(&PresentationError::UnexpectedField("unmapped".into())));
}

#[test]
fn a_strangers_proof_in_a_credential_is_refused_inside_a_presentation() {
    let (teacher, learner, stranger) = (identity(1), identity(2), identity(3));
    let e = endorsement(&teacher, &learner, 0);
    let mut credential = doc(cosigned(&e, &teacher, &learner).bytes());
    let extra = create_proof(&e.to_document(), &stranger, ProofOptions::jcs(e.end, "authentication")).unwrap();
    credential["proof"].as_array_mut().unwrap().push(extra);
    let mut d = doc(&present(&learner, &records(&teacher, &learner, 1), Cryptosuite::Jcs, &bound("a"), now()).unwrap());
    d["verifiableCredential"][0] = credential;
    let problems = check(&bytes(&d), &bound("a"));
    assert!(problems.iter().any(|p| matches!(
        p,
        PresentationError::Credential { index: 0, error: EndorseError::UnexpectedSigner { index: 4, .. } }
    )));
}

#[test]
fn dates_the_holder_or_the_credentials_are_not_valid_at_are_refused() {
    let (teacher, learner) = (identity(1), identity(2));
    let credentials = records(&teacher, &learner, 1);
    // Signed "tomorrow": not yet valid.
    let tomorrow = now().saturating_add(jiff::SignedDuration::from_hours(24)).unwrap();
    let vp = present(&learner, &credentials, Cryptosuite::Jcs, &bound("a"), tomorrow).unwrap();
    assert!(check(&vp, &bound("a")).iter().any(|p| matches!(p, PresentationError::NotYetValid(_))));
    // A holder proof that says it expired.
    let mut d = doc(&present(&learner, &credentials, Cryptosuite::Jcs, &bound("a"), now()).unwrap());
    d["proof"]["expires"] = json!("2026-11-24T00:00:00Z");
    assert!(check(&bytes(&d), &bound("a")).iter().any(|p| matches!(p, PresentationError::Expired(_))));
    // A credential read before its session ended is not valid yet.
    let early = common::ts("2026-11-01T00:00:00Z");
    let vp = present(&learner, &credentials, Cryptosuite::Jcs, &bound("a"), early).unwrap();
    let problems = inspect_presentation(&vp, early, &bound("a"), Suites::All).problems;
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, PresentationError::Credential { index: 0, error: EndorseError::NotYetValid(_) }))
    );
    // A credential with a validUntil in the past says it expired.
    let mut d = doc(&present(&learner, &credentials, Cryptosuite::Jcs, &bound("a"), now()).unwrap());
    d["verifiableCredential"][0]["validUntil"] = json!("2026-11-21T00:00:00Z");
    let problems = check(&bytes(&d), &bound("a"));
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, PresentationError::Credential { index: 0, error: EndorseError::Expired(_) }))
    );
}

#[test]
fn garbage_and_empty_presentations_fail_cleanly() {
    let learner = identity(2);
    assert!(matches!(check(b"\xff", &Binding::default())[..], [PresentationError::Json(_)]));
    assert!(matches!(check(b"[]", &Binding::default())[..], [PresentationError::NotAnObject]));
    let empty = present(&learner, &[], Cryptosuite::Jcs, &Binding::default(), now()).unwrap();
    assert_eq!(check(&empty, &Binding::default()), [PresentationError::Empty]);
    let mut d = doc(&empty);
    d["verifiableCredential"] = json!("not a list");
    assert!(check(&bytes(&d), &Binding::default()).contains(&PresentationError::Credentials));
}
