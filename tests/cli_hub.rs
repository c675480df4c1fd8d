//! `agora hub validate` on the real binary: a learner presents co-signed
//! endorsements bound to the hub's challenge; the hub checks them against
//! its `[hub]` policy and signs an Open Badges `EndorsementCredential`
//! that `agora verify` accepts. Refusals: a policy not met, a presentation
//! bound to another challenge, and signing without the operator's consent.

mod common;
#[path = "common/serving.rs"]
mod serving;

use std::path::Path;

use agora::store::Store;
use serving::{agora, home, ok};

fn hub_home(policy: &str) -> tempfile::TempDir {
    let dir = home("Kreuzberg Library");
    let mut config = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    config.push_str(&format!("[hub]\n{policy}\n"));
    std::fs::write(dir.path().join("config.toml"), config).unwrap();
    common::write_key(dir.path(), &common::identity(5));
    dir
}

/// Lea learned rust from Ada and from Bo (co-signed), and calculus from Ada.
fn learner() -> tempfile::TempDir {
    let lea = home("Lea");
    common::write_key(lea.path(), &common::identity(2));
    ok(lea.path(), &["id"]);
    let store = Store::open(&lea.path().join("store.redb")).unwrap();
    let (ada, lea_key, bo) = (common::identity(1), common::identity(2), common::identity(3));
    for (n, teacher) in [(0, &ada), (2, &bo), (1, &ada)] {
        store
            .put_endorsement(&common::cosigned(&common::endorsement(teacher, &lea_key, n), teacher, &lea_key))
            .unwrap();
    }
    lea
}

fn present(lea: &Path, challenge: &str) -> std::path::PathBuf {
    let file = lea.join("for-the-hub.json");
    ok(
        lea,
        &[
            "portfolio",
            "export",
            "--challenge",
            challenge,
            "--domain",
            "library.example",
            "--out",
            file.to_str().unwrap(),
        ],
    );
    file
}

#[test]
fn a_hub_validates_what_it_verified_and_the_validation_verifies() {
    let lea = learner();
    let hub = hub_home("min_sessions = 2\nmin_teachers = 2\napproval = \"automatic\"");
    let presented = present(lea.path(), "k7q2");
    let out = hub.path().join("validation.json");
    let validated = ok(
        hub.path(),
        &[
            "hub",
            "validate",
            presented.to_str().unwrap(),
            "--skill",
            "rust",
            "--challenge",
            "k7q2",
            "--domain",
            "library.example",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(validated.contains("Validated: 2 sessions in rust, 3 h, with 2 distinct teachers"), "{validated}");
    let verified = ok(lea.path(), &["verify", out.to_str().unwrap()]);
    assert!(verified.contains("VALID: signed by the hub"), "{verified}");
    assert!(
        verified.contains("hub       Kreuzberg Library") && verified.contains("learner   Grace Hopper"),
        "{verified}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(doc["type"], serde_json::json!(["VerifiableCredential", "EndorsementCredential"]));
    assert_eq!(doc["evidence"].as_array().unwrap().len(), 2, "the two rust sessions, not calculus");

    // Tampering with what it says breaks it.
    let mut inflated = doc.clone();
    inflated["credentialSubject"]["endorsementComment"] =
        serde_json::json!("20 sessions in rust, 30 h, with 9 distinct teachers");
    let forged = hub.path().join("forged.json");
    std::fs::write(&forged, serde_json::to_vec(&inflated).unwrap()).unwrap();
    let refused = agora(lea.path(), &["verify", forged.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&refused.stdout).starts_with("INVALID"));

    // Lea keeps it beside her endorsements; nobody else can, nor a forgery.
    let kept = ok(lea.path(), &["portfolio", "import", out.to_str().unwrap()]);
    assert!(kept.starts_with("Kept the validation"), "{kept}");
    assert!(ok(lea.path(), &["portfolio", "import", out.to_str().unwrap()]).starts_with("Already kept"));
    let listed = ok(lea.path(), &["portfolio", "validations"]);
    assert!(listed.contains("Kreuzberg Library: 2 sessions in rust, 3 h, with 2 distinct teachers"), "{listed}");
    let line: serde_json::Value =
        serde_json::from_str(ok(lea.path(), &["portfolio", "validations", "--json"]).trim()).unwrap();
    assert_eq!(line["evidence"].as_array().unwrap().len(), 2);
    let not_hers = agora(hub.path(), &["portfolio", "import", out.to_str().unwrap()]);
    assert_eq!(not_hers.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&not_hers.stdout).contains("about someone else"), "{not_hers:?}");
    let forged_import = agora(lea.path(), &["portfolio", "import", forged.to_str().unwrap()]);
    assert_eq!(forged_import.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&forged_import.stdout).contains("does not verify"), "{forged_import:?}");

    // She presents it with what it validates, in either cryptosuite, and a
    // verifier sees both: the endorsements and the hub's word on them.
    let id = doc["id"].as_str().unwrap().to_owned();
    for suite in ["jcs", "rdfc"] {
        let file = lea.path().join(format!("validated-{suite}.json"));
        let path = file.to_str().unwrap();
        let wrote = ok(lea.path(), &["portfolio", "export", "--with-validations", "--suite", suite, "--out", path]);
        assert!(wrote.contains("3 endorsements (4.5 h) and 1 hub's validation"), "{wrote}");
        let verified = ok(lea.path(), &["verify", path]);
        assert!(verified.contains("Hubs' validations (1)"), "{verified}");
        assert!(verified.contains("(evidence: 2 endorsements, 2 of them in this presentation)"), "{verified}");
        assert!(verified.contains("VALID: signed by the holder; all 4 credentials verify"), "{verified}");
        let json: serde_json::Value = serde_json::from_str(ok(lea.path(), &["verify", "--json", path]).trim()).unwrap();
        assert_eq!(json["valid"], true);
        assert_eq!(json["validations"][0]["id"], id.as_str());
        assert_eq!(json["validations"][0]["index"], 3, "after the three endorsements");
    }
    // Only the validations of what is picked go in: calculus has none.
    let calculus = lea.path().join("calculus.json");
    let wrote = ok(
        lea.path(),
        &["portfolio", "export", "--with-validations", "--skill", "calculus", "--out", calculus.to_str().unwrap()],
    );
    assert!(wrote.contains("1 endorsement (1.5 h), signed"), "{wrote}");
    // Named by its id, the validation goes alone.
    let alone = lea.path().join("alone.json");
    let short = &id["urn:uuid:".len().."urn:uuid:".len() + 8];
    let wrote = ok(lea.path(), &["portfolio", "export", "--id", short, "--out", alone.to_str().unwrap()]);
    assert!(wrote.contains(": 1 hub's validation, signed by you"), "{wrote}");
    let verified = ok(lea.path(), &["verify", alone.to_str().unwrap()]);
    assert!(verified.contains("(evidence: 2 endorsements, 0 of them in this presentation)"), "{verified}");
    assert!(verified.contains("VALID: signed by the holder; its credential verifies"), "{verified}");
}

#[test]
fn a_hub_refuses_a_policy_not_met_a_stale_challenge_and_signing_unseen() {
    let lea = learner();
    let presented = present(lea.path(), "k7q2");
    let args = |challenge: &'static str| {
        vec![
            "hub".to_owned(),
            "validate".into(),
            presented.to_str().unwrap().into(),
            "--skill".into(),
            "rust".into(),
            "--challenge".into(),
            challenge.into(),
            "--domain".into(),
            "library.example".into(),
        ]
    };
    let strict = hub_home("min_teachers = 3\napproval = \"automatic\"");
    let run = |home: &Path, args: Vec<String>| agora(home, &args.iter().map(String::as_str).collect::<Vec<_>>());
    let short = run(strict.path(), args("k7q2"));
    assert_eq!(short.status.code(), Some(1));
    let said = String::from_utf8_lossy(&short.stdout);
    assert!(said.contains("refused: 2 sessions in rust") && said.contains("2 teachers of the 3 required"), "{said}");

    let easy = hub_home("approval = \"automatic\"");
    let stale = run(easy.path(), args("another-challenge"));
    assert_eq!(stale.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stale.stdout).contains("does not verify"), "{stale:?}");

    // "ask" with no terminal and no --yes: nothing is signed.
    let asking = hub_home("approval = \"ask\"");
    let unseen = run(asking.path(), args("k7q2"));
    assert_eq!(unseen.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unseen.stderr).contains("approval is \"ask\""), "{unseen:?}");
    assert!(unseen.stdout.is_empty());
    let mut consented = args("k7q2");
    consented.push("--yes".into());
    let signed = run(asking.path(), consented);
    assert!(signed.status.success(), "{signed:?}");
    assert!(String::from_utf8_lossy(&signed.stdout).contains("EndorsementCredential"));
}

/// Over the network: a hub runs `agora serve --hub`; the learner's running
/// agora asks it with `agora hub ask`, and keeps what it signs.
#[test]
fn a_learner_asks_a_serving_hub_and_keeps_its_validation() {
    use serving::Serving;
    let lea = learner();
    let hub = hub_home("min_sessions = 2\nmin_teachers = 2\napproval = \"automatic\"");
    let hub_node = Serving::start_with(hub.path(), &["--hub"], &[]);
    let lea_node = Serving::start(lea.path());
    let asked = ok(lea.path(), &["hub", "ask", &hub_node.ticket, "--skill", "rust"]);
    assert!(asked.contains("2 sessions in rust, 3 h, with 2 distinct teachers"), "{asked}");
    let kept = ok(lea.path(), &["portfolio", "validations"]);
    assert!(kept.contains("Kreuzberg Library") && kept.contains("rust"), "{kept}");
    // A policy not met is refused with the reason, and nothing is kept.
    let refused = agora(lea.path(), &["hub", "ask", &hub_node.ticket, "--skill", "calculus"]);
    assert_ne!(refused.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("the hub refused") && stderr.contains("calculus"), "{stderr}");
    assert_eq!(ok(lea.path(), &["portfolio", "validations", "--json"]).lines().count(), 1);
    lea_node.stop("-TERM");
    hub_node.stop("-TERM");
}

/// A hub whose operator reads each validation does not sign over the network.
#[test]
fn a_hub_that_asks_its_operator_refuses_network_requests() {
    use serving::Serving;
    let lea = learner();
    let hub = hub_home("min_sessions = 1\napproval = \"ask\"");
    let hub_node = Serving::start_with(hub.path(), &["--hub"], &[]);
    let lea_node = Serving::start(lea.path());
    let refused = agora(lea.path(), &["hub", "ask", &hub_node.ticket, "--skill", "rust"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("operator reads each validation"), "{stderr}");
    lea_node.stop("-TERM");
    hub_node.stop("-TERM");
}
