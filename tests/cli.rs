//! The real `agora` binary, run as a user would, each in its own home.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use agora::market::{Id16, Price, Terms};
use agora::store::Store;
use agora::wire::seal;
use common::{cosigned, endorsement, identity};
use jiff::Timestamp;

fn agora(home: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(args)
        .env("AGORA_HOME", home)
        .env_remove("AGORA_LOG")
        .output()
        .expect("run agora");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "agora panicked: {stderr}");
    output
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The error lines on stderr (notes such as "Created a new identity" aside).
fn errors(o: &Output) -> Vec<String> {
    stderr(o).lines().filter(|l| l.starts_with("error")).map(str::to_owned).collect()
}

#[test]
fn id_creates_a_private_key_and_prints_a_did_key() {
    let home = tempfile::tempdir().unwrap();
    let first = agora(home.path(), &["id"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    assert!(out.starts_with("did          did:key:z6Mk"), "{out}");
    assert!(out.contains("fingerprint"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.path().join("identity.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The key persists: the same DID next time, and --did prints only it.
    let again = agora(home.path(), &["id", "--did"]);
    let did = stdout(&again).trim().to_owned();
    assert!(out.contains(&did));
    assert_eq!(did.lines().count(), 1);
    // The endpoint id shown is the same key as the DID.
    let key = agora::identity::public_from_did_key(&did).unwrap();
    assert!(out.contains(&key.to_hex()));
}

#[test]
fn listings_can_be_added_listed_and_removed() {
    let home = tempfile::tempdir().unwrap();
    let add = agora(
        home.path(),
        &[
            "listing",
            "add",
            "offer",
            "--skill",
            "rust",
            "--title",
            "Rust for beginners",
            "--price",
            "1 credit",
            "--when",
            "mon 18:00-20:00",
            "--tz",
            "Europe/Berlin",
        ],
    );
    assert!(add.status.success(), "{}", stderr(&add));
    let id = stdout(&add).split_whitespace().nth(2).unwrap().trim_end_matches(':').to_owned();
    let list = stdout(&agora(home.path(), &["listing", "list"]));
    assert!(list.contains("Rust for beginners") && list.contains("1 credit/h"), "{list}");
    let remove = agora(home.path(), &["listing", "remove", &id]);
    assert!(remove.status.success(), "{}", stderr(&remove));
    assert!(!stdout(&agora(home.path(), &["listing", "list"])).contains(&id));
}

#[test]
fn bad_listing_input_is_one_clear_line() {
    let home = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (vec!["listing", "add", "offer", "--skill", "rust", "--title", "x", "--price", "lots"], "is not a price"),
        (vec!["listing", "add", "offer", "--skill", "rust", "--title", "x", "--when", "someday"], "availability"),
        (vec!["listing", "add", "offer", "--skill", "rust", "--title", "x", "--tz", "Mars/Base"], "time zone"),
        (vec!["listing", "add", "offer", "--skill", "two words", "--title", "x"], "skills"),
        (vec!["listing", "remove", "ffff"], "no listing of yours"),
    ] {
        let out = agora(home.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let errs = errors(&out);
        assert_eq!(errs.len(), 1, "{args:?}: {}", stderr(&out));
        assert!(errs[0].contains(needle), "{args:?}: {}", errs[0]);
    }
}

#[test]
fn verify_accepts_a_good_file_and_rejects_a_tampered_one_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (teacher, learner) = (identity(1), identity(2));
    let record = cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner);
    let good = dir.path().join("good.json");
    std::fs::write(&good, record.bytes()).unwrap();
    let out = agora(dir.path(), &["verify", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let report = stdout(&out);
    assert!(report.contains("VALID") && report.contains("Ada Lovelace") && report.contains("90 minutes"), "{report}");
    assert_eq!(report.matches("[ok  ]").count(), 4, "{report}");

    let tampered = dir.path().join("tampered.json");
    std::fs::write(&tampered, String::from_utf8_lossy(record.bytes()).replace("\"Rating: 1/5\"", "\"Rating: 5/5\""))
        .unwrap();
    let out = agora(dir.path(), &["verify", tampered.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(report.contains("INVALID") && report.contains("signature does not verify"), "{report}");

    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, b"\x00\x01not json").unwrap();
    let out = agora(dir.path(), &["verify", garbage.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("is not JSON"), "{}", stdout(&out));

    let out = agora(dir.path(), &["verify", dir.path().join("missing.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error: cannot read"));
}

#[test]
fn endorsements_list_show_and_export_round_trip_through_verify() {
    let home = tempfile::tempdir().unwrap();
    // The learner's own home: their key, their store.
    let learner = agora::identity::Identity::from_secret_bytes(&[2; 32]);
    common::write_key(home.path(), &learner);
    let teacher = identity(1);
    let record = cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner);
    {
        let store = Store::open(&home.path().join("store.redb")).unwrap();
        store.put_endorsement(&record).unwrap();
    }
    let list = stdout(&agora(home.path(), &["endorsements", "list"]));
    assert!(list.contains("learned") && list.contains("Ada Lovelace") && list.contains("rust"), "{list}");
    let short = &record.endorsement().id["urn:uuid:".len()..][..8];
    let show = agora(home.path(), &["endorsements", "show", short]);
    assert!(show.status.success() && stdout(&show).contains("VALID"), "{}", stdout(&show));

    let file = home.path().join("export.json");
    let export = agora(home.path(), &["endorsements", "export", short, "--out", file.to_str().unwrap()]);
    assert!(export.status.success(), "{}", stderr(&export));
    assert_eq!(std::fs::read(&file).unwrap(), record.bytes(), "export writes the exact stored bytes");
    assert!(agora(home.path(), &["verify", file.to_str().unwrap()]).status.success());
    let missing = agora(home.path(), &["endorsements", "show", "nope"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn a_second_instance_on_the_same_home_is_told_it_is_in_use() {
    let home = tempfile::tempdir().unwrap();
    let _held = Store::open(&home.path().join("store.redb")).unwrap();
    let out = agora(home.path(), &["serve"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("already in use by another agora process"), "{err}");
    assert_eq!(errors(&out).len(), 1, "{err}");
    // Reading beside the writer is fine; writing needs the writer's help.
    assert!(agora(home.path(), &["listing", "list"]).status.success());
    let add = agora(home.path(), &["listing", "add", "offer", "--skill", "rust", "--title", "Rust"]);
    assert_eq!(add.status.code(), Some(2));
    assert!(stderr(&add).contains("does not answer"), "{}", stderr(&add));
}

#[test]
fn sessions_lists_negotiations_with_whose_move_it_is() {
    let home = tempfile::tempdir().unwrap();
    let teacher = agora::identity::Identity::from_secret_bytes(&[1; 32]);
    common::write_key(home.path(), &teacher);
    let learner = identity(2);
    let terms = Terms {
        start: Timestamp::now().saturating_add(jiff::SignedDuration::from_hours(24)).unwrap(),
        duration_minutes: 60,
        price: Price::Free,
        topic: "Lifetimes".into(),
    };
    let propose = common::proposal(Id16([7; 16]), &teacher.public(), &learner.public(), "rust", terms);
    {
        let store = Store::open(&home.path().join("store.redb")).unwrap();
        store
            .apply_negotiation_event(&teacher.public(), &seal(&learner, &propose, Timestamp::now()).unwrap(), None)
            .unwrap();
    }
    let table = stdout(&agora(home.path(), &["sessions"]));
    let next = "accept, counter or decline";
    assert!(table.contains("07070707") && table.contains("proposed") && table.contains(next), "{table}");
    let json = stdout(&agora(home.path(), &["sessions", "--open", "--json"]));
    let line: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(line["role"], "teach");
    assert_eq!(line["your_move"], true);
    assert_eq!(line["topic"], "Lifetimes");
    assert_eq!(line["with"], agora::identity::did_key_from_public(&learner.public()));
    assert_eq!(line["next"], next);
}

#[test]
fn credits_shows_the_balance_recomputed_from_endorsements() {
    let home = tempfile::tempdir().unwrap();
    let me = agora::identity::Identity::from_secret_bytes(&[2; 32]);
    common::write_key(home.path(), &me);
    let empty = agora(home.path(), &["credits"]);
    assert!(empty.status.success(), "{}", stderr(&empty));
    assert!(stdout(&empty).starts_with("balance   0 h\n"), "{}", stdout(&empty));
    // Learned 90 minutes from Ada, taught Alan twice 90 minutes.
    let (ada, alan) = (identity(1), identity(3));
    {
        let store = Store::open(&home.path().join("store.redb")).unwrap();
        store.put_endorsement(&cosigned(&endorsement(&ada, &me, 0), &ada, &me)).unwrap();
        for n in [1, 2] {
            store.put_endorsement(&cosigned(&endorsement(&me, &alan, n), &me, &alan)).unwrap();
        }
    }
    let table = stdout(&agora(home.path(), &["credits"]));
    assert!(table.starts_with("balance   +1.5 h\ntaught    3 h\nlearned   1.5 h\n"), "{table}");
    assert!(table.contains("\u{2212}10 h"), "the default limit: {table}");
    let alan_row = table.lines().find(|l| l.starts_with(&alan.public().fingerprint())).unwrap();
    assert!(alan_row.split_whitespace().eq([
        alan.public().fingerprint().as_str(),
        "Grace",
        "Hopper",
        "3",
        "0",
        "+3",
        "2"
    ]));
    let json = stdout(&agora(home.path(), &["credits", "--json"]));
    let v: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!((v["minutes_taught"].as_i64(), v["minutes_learned"].as_i64()), (Some(180), Some(90)));
    assert_eq!((v["balance_minutes"].as_i64(), v["debt_limit_minutes"].as_i64()), (Some(90), Some(-600)));
    assert_eq!(v["counterparts"][0]["did"], agora::identity::did_key_from_public(&alan.public()));
    assert_eq!(v["counterparts"][1]["balance_minutes"], -90);
    std::fs::write(home.path().join("config.toml"), "[credits]\nrequire_debt_limit = false\n").unwrap();
    let json = stdout(&agora(home.path(), &["credits", "--json"]));
    assert!(json.contains("\"debt_limit_minutes\":null"), "{json}");
}

#[test]
fn config_mistakes_name_the_key() {
    let home = tempfile::tempdir().unwrap();
    for (text, needle) in [
        ("[network]\ncolour = 1\n", "unknown key `network.colour`"),
        ("[network]\nport = \"x\"\n", "`network.port`"),
        ("[network]\nrelay = \"sometimes\"\n", "`network.relay`"),
        ("[tui.keys]\nquit = \"banana\"\n", "`tui.keys.quit`"),
        ("[profile]\ntime_zone = \"Nowhere/Land\"\n", "profile.time_zone"),
        ("[credits]\ndebt_limit_hours = 3\n", "`credits.debt_limit_hours`: must be"),
        ("this is = not toml", "config.toml"),
    ] {
        std::fs::write(home.path().join("config.toml"), text).unwrap();
        let out = agora(home.path(), &["id"]);
        assert_eq!(out.status.code(), Some(2), "{text}");
        let errs = errors(&out);
        assert_eq!(errs.len(), 1, "{text}: {}", stderr(&out));
        assert!(errs[0].contains(needle), "{text}: {}", errs[0]);
    }
    // A syntax mistake is shown as toml shows it: where, then the line.
    std::fs::write(home.path().join("config.toml"), "[profile]\nname = \"Ada\n").unwrap();
    let said = stderr(&agora(home.path(), &["id"]));
    let lines: Vec<&str> = said.lines().collect();
    assert!(lines[0].starts_with("error: ") && lines[0].contains("line 2, column"), "{said}");
    assert!(lines.iter().skip(1).any(|l| l.contains("name = \"Ada")), "the line itself: {said}");
    std::fs::write(home.path().join("config.toml"), "[profile]\nname = \"Ada\"\n").unwrap();
    assert!(stdout(&agora(home.path(), &["id"])).contains("name         Ada"));
}

#[test]
fn bare_agora_without_a_terminal_points_to_serve() {
    let home = tempfile::tempdir().unwrap();
    let out = agora(home.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(errors(&out).len(), 1);
    assert!(stderr(&out).contains("agora serve"), "{}", stderr(&out));
}

#[test]
fn portfolio_export_makes_a_presentation_that_verify_checks_with_its_challenge() {
    let home = tempfile::tempdir().unwrap();
    let learner = agora::identity::Identity::from_secret_bytes(&[2; 32]);
    common::write_key(home.path(), &learner);
    let teacher = identity(1);
    {
        let store = Store::open(&home.path().join("store.redb")).unwrap();
        for n in 0..4 {
            // Even n: rust, odd n: calculus; one hour apart from 2026-11-20.
            store.put_endorsement(&cosigned(&endorsement(&teacher, &learner, n), &teacher, &learner)).unwrap();
        }
    }
    let file = home.path().join("rust.json");
    let file = file.to_str().unwrap();
    let export = agora(
        home.path(),
        &["portfolio", "export", "--skill", "rust", "--since", "2026-11-01", "--challenge", "n-0nce", "--out", file],
    );
    assert!(export.status.success(), "{}", stderr(&export));
    assert!(stdout(&export).contains("2 endorsements (3.0 h)"), "{}", stdout(&export));

    let checked = agora(home.path(), &["verify", file, "--challenge", "n-0nce"]);
    let report = stdout(&checked);
    assert!(checked.status.success(), "{report}");
    assert!(report.contains("VALID: signed by the holder; all 2 credentials verify"), "{report}");
    assert!(report.contains(&learner.did()) && report.contains("holder learned"), "{report}");

    // A verifier who asked for another challenge is told why it fails.
    let stale = agora(home.path(), &["verify", file, "--challenge", "another"]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(stdout(&stale).contains("the verifier asked for challenge `another`"), "{}", stdout(&stale));

    // Machines get one JSON object with every proof's verdict.
    let json = agora(home.path(), &["verify", "--json", file, "--challenge", "n-0nce"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["kind"], "presentation");
    assert_eq!(value["valid"], true);
    assert_eq!(value["proof"]["cryptosuite"], "eddsa-jcs-2022");
    assert_eq!(value["credentials"].as_array().unwrap().len(), 2);
    for credential in value["credentials"].as_array().unwrap() {
        assert_eq!(credential["holder_role"], "learner");
        assert_eq!(credential["proofs"].as_array().unwrap().len(), 4);
        assert!(credential["proofs"].as_array().unwrap().iter().all(|p| p["verified"] == true));
    }
    let tampered = home.path().join("tampered.json");
    std::fs::write(&tampered, std::fs::read_to_string(file).unwrap().replace("\"n-0nce\"", "\"n-0nc3\"")).unwrap();
    let json = agora(home.path(), &["verify", "--json", tampered.to_str().unwrap()]);
    assert_eq!(json.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["proof"]["verified"], false);
    assert!(value["problems"][0].as_str().unwrap().contains("signature does not verify"), "{value}");

    // Nothing matches: one clear line, exit 2.
    let none = agora(home.path(), &["portfolio", "export", "--skill", "piano", "--out", file]);
    assert_eq!(none.status.code(), Some(2));
    assert_eq!(errors(&none), ["error: no endorsement of yours matches (see `agora endorsements list`)"]);
}

#[test]
fn reputation_pin_and_unpin_from_the_own_store() {
    let home = tempfile::tempdir().unwrap();
    let me = agora::identity::Identity::from_secret_bytes(&[2; 32]);
    common::write_key(home.path(), &me);
    let ada = identity(1);
    {
        let store = Store::open(&home.path().join("store.redb")).unwrap();
        store.put_endorsement(&cosigned(&endorsement(&ada, &me, 0), &ada, &me)).unwrap();
    }
    let known = agora(home.path(), &["reputation", "Ada Lovelace"]);
    assert!(known.status.success(), "{}", stderr(&known));
    let text = stdout(&known);
    assert!(text.contains("in your circle: you had sessions together"), "{text}");
    assert!(text.contains("you → Ada Lovelace (taught you rust, 1.5 h)"), "{text}");
    assert!(text.contains("taught 1 (1.5 h)") && text.contains("rated 1.0/5: 1★ 1"), "{text}");
    // A name is found whatever its case; the skill column is spaced.
    let lower = stdout(&agora(home.path(), &["reputation", " ada lovelace "]));
    assert!(lower.contains("Ada Lovelace"), "{lower}");
    assert!(lower.contains("  rust  taught 1"), "{lower}");

    let stranger = agora::identity::did_key_from_public(&identity(7).public());
    let far = stdout(&agora(home.path(), &["reputation", &stranger]));
    assert!(far.contains("no path from people you know"), "{far}");
    let pinned = agora(home.path(), &["pin", &stranger]);
    assert!(pinned.status.success(), "{}", stderr(&pinned));
    assert!(std::fs::read_to_string(home.path().join("config.toml")).unwrap().contains(&stranger));
    let json = stdout(&agora(home.path(), &["reputation", &stranger, "--json"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["summary"], "in your circle: you pinned them");
    assert_eq!(value["paths"][0]["hops"][1]["link"], "pinned");
    assert!(agora(home.path(), &["unpin", &stranger]).status.success());
    assert!(stdout(&agora(home.path(), &["reputation", &stranger])).contains("no path"));
    let nobody = agora(home.path(), &["reputation", "Nobody At All"]);
    assert_eq!(nobody.status.code(), Some(2));
}

/// Whether `text` holds a character that could drive a terminal (line
/// breaks aside): what must never reach stdout from a peer or a file.
fn reaches_the_terminal_raw(text: &str) -> bool {
    text.chars().any(|c| c != '\n' && agora::text::needs_escape(c))
}

/// Sets a JSON string at `pointer` in `document`.
fn set(document: &mut serde_json::Value, pointer: &str, value: &str) {
    *document.pointer_mut(pointer).unwrap_or_else(|| panic!("{pointer}")) = serde_json::Value::from(value);
}

#[test]
fn verify_escapes_every_field_read_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (teacher, learner) = (identity(1), identity(2));
    let record = cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner);
    let mut document: serde_json::Value = serde_json::from_slice(record.bytes()).unwrap();
    set(&mut document, "/proof/0/cryptosuite", "\x1b]0;pwned\x07");
    set(&mut document, "/proof/1/created", "\x1b[2J\x1b[H");
    set(&mut document, "/proof/2/verificationMethod", "did:key:\u{202e}z6Mk\u{9b}31m");
    set(&mut document, "/proof/3/proofPurpose", "\u{200b}assertion\x7fMethod\rVALID");
    set(&mut document, "/credentialSubject/achievement/criteria/narrative", "fine\nVALID: signed by both \u{2066}");
    let file = dir.path().join("hostile.json");
    std::fs::write(&file, serde_json::to_vec(&document).unwrap()).unwrap();

    let out = agora(dir.path(), &["verify", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(!reaches_the_terminal_raw(&report), "{report:?}");
    assert!(report.contains("\\u{1b}]0;pwned\\u{7}"), "the field is shown, escaped: {report}");
    assert!(report.contains("\\u{202e}z6Mk\\u{9b}31m"), "{report}");
    assert!(!report.lines().any(|l| l.starts_with("VALID")), "no line can be forged: {report}");

    // JSON keeps every value exactly, with DEL, C1 and bidi as \u escapes.
    let json = agora(dir.path(), &["verify", "--json", file.to_str().unwrap()]);
    let text = stdout(&json);
    assert!(!reaches_the_terminal_raw(&text), "{text:?}");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["proofs"][0]["cryptosuite"], "\x1b]0;pwned\x07");
    assert_eq!(value["proofs"][2]["verification_method"], "did:key:\u{202e}z6Mk\u{9b}31m");

    // A file that is not an endorsement at all: its words are quoted escaped.
    let odd = dir.path().join("odd.json");
    std::fs::write(&odd, "{\"\\u001b]0;pwned\\u0007\": \"\\u009b2J\"}").unwrap();
    let out = agora(dir.path(), &["verify", odd.to_str().unwrap()]);
    assert!(!reaches_the_terminal_raw(&stdout(&out)) && !reaches_the_terminal_raw(&stderr(&out)), "{out:?}");
}

#[test]
fn verify_escapes_a_presentations_fields() {
    let home = tempfile::tempdir().unwrap();
    let learner = agora::identity::Identity::from_secret_bytes(&[2; 32]);
    common::write_key(home.path(), &learner);
    let teacher = identity(1);
    {
        let store = Store::open(&home.path().join("store.redb")).unwrap();
        store.put_endorsement(&cosigned(&endorsement(&teacher, &learner, 0), &teacher, &learner)).unwrap();
    }
    let file = home.path().join("p.json");
    let export = agora(
        home.path(),
        &["portfolio", "export", "--challenge", "c", "--domain", "d", "--out", file.to_str().unwrap()],
    );
    assert!(export.status.success(), "{}", stderr(&export));
    let mut document: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    set(&mut document, "/id", "urn:\x1b]0;pwned\x07");
    set(&mut document, "/proof/challenge", "\x1b[2J");
    set(&mut document, "/proof/domain", "evil\u{202e}moc.elgoog");
    std::fs::write(&file, serde_json::to_vec(&document).unwrap()).unwrap();
    let out = agora(home.path(), &["verify", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let report = stdout(&out);
    assert!(!reaches_the_terminal_raw(&report), "{report:?}");
    assert!(report.contains("urn:\\u{1b}]0;pwned\\u{7}") && report.contains("evil\\u{202e}moc"), "{report}");
}

#[test]
fn peers_names_and_listing_titles_are_escaped_in_tables_and_json() {
    let home = tempfile::tempdir().unwrap();
    let (me, ada) = (identity(2), identity(1));
    common::write_key(home.path(), &me);
    let hostile = "Ada\x1b]0;pwned\x07\x1b[2J\u{9b}31m";
    {
        let store = Store::open(&home.path().join("store.redb")).unwrap();
        let record = agora::store::PeerRecord {
            key: ada.public(),
            name: hostile.into(),
            last_seen: Timestamp::now(),
            blocked: false,
        };
        store.put_peer(&record).unwrap();
        // Signed listings refuse control characters and bidi overrides...
        let reversed = common::offer("Rust \u{202e}rof sraey", "rust", Timestamp::now());
        assert!(seal(&ada, &reversed, Timestamp::now()).is_err(), "a bidi override is refused at signing");
        // ...but not invisible ones, which every table must still escape.
        let listing = common::offer("Rust\u{200b} for\u{feff} years", "rust", Timestamp::now());
        store.put_seen_listing(&seal(&ada, &listing, Timestamp::now()).unwrap()).unwrap();
    }
    for args in
        [&["peers"][..], &["peers", "--json"], &["listings"], &["listings", "--json"], &["listing", "list", "--all"]]
    {
        let out = agora(home.path(), args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(!reaches_the_terminal_raw(&text), "{args:?}: {text:?}");
        assert!(text.contains("Rust") || text.contains("Ada"), "{args:?}: {text}");
    }
    let json = stdout(&agora(home.path(), &["peers", "--json"]));
    let line: serde_json::Value = serde_json::from_str(json.trim()).unwrap();
    assert_eq!(line["name"], hostile, "JSON decodes to the very same name");
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn a_first_run_creates_everything_private() {
    let root = tempfile::tempdir().unwrap();
    let home = root.path().join("home");
    assert!(agora(&home, &["id"]).status.success());
    let add = agora(&home, &["listing", "add", "offer", "--skill", "rust", "--title", "Rust"]);
    assert!(add.status.success(), "{}", stderr(&add));
    let export = agora(&home, &["portfolio", "export", "--out", home.join("p.json").to_str().unwrap()]);
    assert_eq!(export.status.code(), Some(2), "nothing to export yet");
    assert_eq!(mode(&home), 0o700, "the data directory");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&home).unwrap() {
        let entry = entry.unwrap();
        files.push(entry.file_name().to_string_lossy().into_owned());
        assert_eq!(mode(&entry.path()), 0o600, "{:?}", entry.file_name());
    }
    files.sort();
    assert!(files.iter().any(|f| f.starts_with("agora.") && f.ends_with(".log")), "{files:?}");
    assert!(files.contains(&"identity.key".to_owned()) && files.contains(&"store.redb".to_owned()), "{files:?}");
    assert!(!files.contains(&"agora.log".to_owned()), "logs roll daily: {files:?}");
    assert!(files.iter().all(|f| !f.contains(".tmp") && !f.starts_with(".store")), "no leftovers: {files:?}");
}

#[cfg(unix)]
#[test]
fn a_home_open_to_others_is_made_private_and_said_so() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = agora(home.path(), &["id"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("was open to other users (mode 0755); made it private"), "{}", stderr(&out));
    assert_eq!(mode(home.path()), 0o700);
    assert!(!stderr(&agora(home.path(), &["id"])).contains("open to other users"), "said once");
}

#[cfg(unix)]
#[test]
fn a_key_others_can_read_is_refused_with_the_fix() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    assert!(agora(home.path(), &["id"]).status.success());
    let key = home.path().join("identity.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    for args in [&["id"][..], &["serve"], &["listing", "add", "offer", "--skill", "rust", "--title", "Rust"]] {
        let out = agora(home.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let errs = errors(&out);
        assert_eq!(errs.len(), 1, "{args:?}: {}", stderr(&out));
        assert!(errs[0].contains(&key.display().to_string()) && errs[0].contains("chmod 600"), "{}", errs[0]);
    }
    assert_eq!(mode(&key), 0o644, "the key is left for its owner to fix");
}

#[test]
fn an_empty_or_foreign_store_is_refused_not_recreated() {
    let home = tempfile::tempdir().unwrap();
    let store = home.path().join("store.redb");
    for contents in [&b""[..], b"SQLite format 3\0 something else"] {
        std::fs::write(&store, contents).unwrap();
        for args in [&["listing", "list"][..], &["serve"], &["listings", "--json"], &["peers"]] {
            let out = agora(home.path(), args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
            let errs = errors(&out);
            assert_eq!(errs.len(), 1, "{args:?}: {}", stderr(&out));
            assert!(errs[0].contains(&store.display().to_string()) && errs[0].contains("move it away"), "{}", errs[0]);
        }
        assert_eq!(std::fs::read(&store).unwrap(), contents, "the file is left as it was");
    }
}

#[test]
fn a_damaged_record_is_skipped_and_counted() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("store.redb");
    {
        let store = Store::open(&path).unwrap();
        for n in 3..6 {
            let record = agora::store::PeerRecord {
                key: identity(n).public(),
                name: format!("peer {n}"),
                last_seen: Timestamp::now(),
                blocked: false,
            };
            store.put_peer(&record).unwrap();
        }
    }
    {
        // The peers table as the store defines it, with a row that is not a peer.
        let peers: redb::TableDefinition<&[u8; 32], &[u8]> = redb::TableDefinition::new("peers");
        let db = redb::Database::open(&path).unwrap();
        let tx = db.begin_write().unwrap();
        tx.open_table(peers).unwrap().insert(&[0xee; 32], &[0xff, 0xff, 0xff][..]).unwrap();
        tx.commit().unwrap();
    }
    let out = agora(home.path(), &["peers"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out).lines().filter(|l| l.contains("peer ")).count(), 3, "{}", stdout(&out));
    assert!(stderr(&out).contains("note: 1 damaged record was skipped; see the log"), "{}", stderr(&out));
    let log = std::fs::read_dir(home.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "log"))
        .unwrap();
    let log = std::fs::read_to_string(log).unwrap();
    assert!(
        log.contains("skipped a damaged record") && log.contains("table=\"peers\"") && log.contains("eeee"),
        "{log}"
    );
}

#[test]
fn a_mistyped_home_on_a_reading_command_is_an_error_naming_it_not_a_new_identity() {
    let root = tempfile::tempdir().unwrap();
    let typo = root.path().join("agroa");
    for args in [&["sessions"][..], &["listings"], &["endorsements", "list"], &["peers"], &["session", "show", "abcd"]]
    {
        let out = agora(&typo, args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let said = errors(&out).join("\n");
        assert!(said.contains("no agora home at") && said.contains("agroa"), "{args:?}: {said}");
        assert!(!typo.exists(), "{args:?} made nothing");
    }
    // `id` (and adding a listing, serving) still makes a new home on purpose.
    assert!(agora(&typo, &["id"]).status.success());
    assert!(typo.join("identity.key").exists());
}

#[test]
fn verify_says_not_json_first() {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [("empty.json", &b""[..]), ("blank.json", b"  \n"), ("text.json", b"hello")] {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        let out = agora(dir.path(), &["verify", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1));
        let first = stdout(&out).lines().next().unwrap_or_default().to_owned();
        assert!(first.starts_with("INVALID:") && first.contains("is not JSON"), "{name}: {first}");
        let json = stdout(&agora(dir.path(), &["verify", "--json", file.to_str().unwrap()]));
        assert!(json.contains("\"valid\":false") && json.contains("not JSON"), "{json}");
    }
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    let home = tempfile::tempdir().unwrap();
    let me = identity(4);
    common::write_key(home.path(), &me);
    {
        let store = Store::open(&home.path().join("store.redb")).unwrap();
        for n in 0..1500u32 {
            let mut listing =
                common::offer(&format!("Listing number {n} with a long enough title"), "rust", Timestamp::now());
            listing.id.0[..4].copy_from_slice(&n.to_be_bytes());
            store.put_own_listing(&seal(&me, &listing, Timestamp::now()).unwrap()).unwrap();
        }
    }
    // `agora listing list | head -1`: the pipe closes after one line.
    let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(["listing", "list"])
        .env("AGORA_HOME", home.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut first).unwrap();
    assert!(first.starts_with("ID"), "{first}");
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("Broken pipe") && !err.contains("error"), "{err}");
    assert!(out.status.success());
}
