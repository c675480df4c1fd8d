//! `agora community …` on the real binary and a real store: founding a
//! community with a curriculum, editing its charter, showing it (escaped,
//! and as JSON), joining and leaving, and the refusals a user meets
//! (a curriculum going in circles, a non-maintainer editing, a name that
//! matches nothing).

mod common;
#[path = "common/serving.rs"]
mod serving;

use std::path::Path;

use agora::community::CommunityId;
use agora::store::{CharterStored, Store};
use serving::{Serving, agora, home, ok};

const CURRICULUM: &str = r#"
[[skill]]
id = "rust-basics"
name = "Rust basics"
level = "beginner"

[[skill]]
id = "rust-ownership"
name = "Ownership and borrowing"
description = "Moves, borrows, lifetimes"
level = "intermediate"
requires = ["rust-basics"]
[[skill.alignment]]
name = "Rust (computer programming)"
url = "https://esco.example/skill/rust"
framework = "ESCO"
code = "S1.2.3"
"#;

fn did(home: &Path) -> String {
    ok(home, &["id"]).lines().find_map(|l| l.split_whitespace().find(|w| w.starts_with("did:key:"))).unwrap().to_owned()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_community_is_founded_edited_shown_joined_and_left() {
    let (ada, mo) = (home("Ada"), home("Mo"));
    let file = ada.path().join("curriculum.toml");
    std::fs::write(&file, CURRICULUM).unwrap();
    let mo_did = did(mo.path());
    let founded = ok(
        ada.path(),
        &[
            "community",
            "create",
            "--name",
            "Rust Berlin",
            "--description",
            "Learning Rust together",
            "--language",
            "en",
            "--rule",
            "Be kind.",
            "--maintainer",
            &mo_did,
            "--curriculum",
            file.to_str().unwrap(),
        ],
    );
    assert!(founded.starts_with("Founded Rust Berlin ("), "{founded}");
    let id = founded.lines().find_map(|l| l.strip_prefix("id: ")).unwrap().to_owned();
    assert_eq!(id.len(), 64);

    let list = ok(ada.path(), &["community", "list"]);
    assert!(list.contains("Rust Berlin") && list.contains(&id[..8]) && list.contains("yes"), "{list}");
    let shown = ok(ada.path(), &["community", "show", "rust berlin"]);
    for expected in ["version 1", "rust-ownership", "after rust-basics", "ESCO S1.2.3", "1. Be kind.", "(founder)"] {
        assert!(shown.contains(expected), "`{expected}` in:\n{shown}");
    }

    let edited = ok(ada.path(), &["community", "edit", &id[..8], "--rule", "Be kind.", "--rule", "Cite sources."]);
    assert!(edited.starts_with("Published version 2"), "{edited}");
    let line = json(&ok(ada.path(), &["community", "show", &id, "--json"]));
    assert_eq!(line["version"], 2);
    assert_eq!(line["rules"][1], "Cite sources.");
    assert_eq!(line["maintainers"][1], mo_did.as_str());
    assert_eq!(line["skills"][1]["alignments"][0][2], "ESCO");
    let nothing = agora(ada.path(), &["community", "edit", &id]);
    assert_eq!(nothing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&nothing.stderr).contains("nothing to change"));

    assert!(ok(ada.path(), &["community", "leave", &id]).starts_with("Left Rust Berlin"));
    assert!(!ok(ada.path(), &["community", "list"]).contains("yes"));
    assert!(ok(ada.path(), &["community", "join", &id]).starts_with("Joined Rust Berlin"));
    let unknown = agora(ada.path(), &["community", "show", "cooking"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no community `cooking`"));
}

#[test]
fn a_curriculum_in_circles_and_an_edit_by_a_non_maintainer_are_refused() {
    let (ada, eve) = (home("Ada"), home("Eve"));
    let file = ada.path().join("circle.toml");
    std::fs::write(&file, "[[skill]]\nid = \"a\"\nname = \"A\"\nrequires = [\"b\"]\n[[skill]]\nid = \"b\"\nname = \"B\"\nrequires = [\"a\"]\n").unwrap();
    let refused =
        agora(ada.path(), &["community", "create", "--name", "Loops", "--curriculum", file.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("circle: a → b → a"), "{refused:?}");
    assert!(ok(ada.path(), &["community", "list"]).contains("no communities yet"), "nothing was founded");

    let escape = agora(ada.path(), &["community", "create", "--name", "Chess club\u{1b}[2J"]);
    assert!(String::from_utf8_lossy(&escape.stderr).contains("control character"), "{escape:?}");
    let founded = ok(ada.path(), &["community", "create", "--name", "Chess\u{200b}club"]);
    assert!(founded.contains("Chess\\u{200b}club"), "invisible characters are shown, escaped: {founded:?}");
    let id = CommunityId::from_hex(founded.lines().find_map(|l| l.strip_prefix("id: ")).unwrap()).unwrap();
    // Eve's node holds Ada's charter (as it would after a sync) and tries to edit it.
    let charter = {
        let store = Store::open(&ada.path().join("store.redb")).unwrap();
        store.charter(&id).unwrap().unwrap()
    };
    ok(eve.path(), &["id"]);
    {
        let store = Store::open(&eve.path().join("store.redb")).unwrap();
        assert_eq!(store.put_charter(&id, &charter).unwrap(), CharterStored::Kept);
    }
    let edit = agora(eve.path(), &["community", "edit", &id.short(), "--name", "Eve's chess"]);
    assert_eq!(edit.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&edit.stderr).contains("not a maintainer"), "{edit:?}");
}

#[test]
fn a_goal_shows_the_way_done_next_and_the_offers_ranked() {
    let lea = home("Lea");
    common::write_key(lea.path(), &common::identity(2));
    let file = lea.path().join("curriculum.toml");
    std::fs::write(&file, CURRICULUM).unwrap();
    let founded =
        ok(lea.path(), &["community", "create", "--name", "Rust Berlin", "--curriculum", file.to_str().unwrap()]);
    assert!(founded.starts_with("Founded"), "{founded}");
    let unknown = agora(lea.path(), &["goal", "add", "rust berlin", "cooking"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("has no skill `cooking`; it has: rust-basics"));
    let set = ok(lea.path(), &["goal", "add", "rust berlin", "rust-ownership", "--by", "2027-03-01"]);
    assert!(set.contains("Goal set: rust-ownership in Rust Berlin (2 skills on the way)"), "{set}");
    let before = ok(lea.path(), &["goal", "list"]);
    assert!(before.contains("0 of 2 skills done") && before.contains("by 2027-03-01"), "{before}");
    assert!(before.contains("→ rust-basics") && before.contains("no offer seen yet"), "{before}");
    assert!(before.contains("· rust-ownership") && before.contains("after rust-basics"), "{before}");

    // Lea learned the basics with Ada (co-signed); Ada and a stranger offer ownership.
    let (ada, lea_id, stranger) = (common::identity(1), common::identity(2), common::identity(9));
    {
        let store = Store::open(&lea.path().join("store.redb")).unwrap();
        let mut basics = common::endorsement(&ada, &lea_id, 0);
        basics.skill = "rust-basics".into();
        store.put_endorsement(&common::cosigned(&basics, &ada, &lea_id)).unwrap();
        let now = jiff::Timestamp::now();
        for (who, title) in [(&stranger, "Ownership from a stranger"), (&ada, "Ownership with Ada")] {
            let listing = agora::wire::seal(who, &common::offer(title, "rust-ownership", now), now).unwrap();
            store.put_seen_listing(&listing).unwrap();
        }
    }
    let after = ok(lea.path(), &["goal", "list"]);
    assert!(after.contains("1 of 2 skills done"), "{after}");
    assert!(after.contains("✓ rust-basics") && after.contains("1 session, 1.5 h, 1 teacher, ★"), "{after}");
    let ada_at = after.find("Ownership with Ada").expect(&after);
    let stranger_at = after.find("Ownership from a stranger").expect(&after);
    assert!(ada_at < stranger_at, "the teacher Lea knows comes first:\n{after}");
    let line = json(&ok(lea.path(), &["goal", "list", "--json"]));
    assert_eq!(line["done"], 1);
    assert_eq!(line["steps"][0]["state"], "done");
    assert_eq!(line["steps"][0]["minutes"], 90);
    assert_eq!(line["steps"][1]["state"], "next");
    assert_eq!(line["steps"][1]["offers"][0]["title"], "Ownership with Ada");
    assert!(ok(lea.path(), &["goal", "remove", "rust berlin", "rust-ownership"]).contains("dropped"));
    assert!(ok(lea.path(), &["goal", "list"]).contains("no goals yet"));
}

#[test]
fn joining_and_leaving_go_through_a_running_agora() {
    let ada = home("Ada");
    let founded = ok(ada.path(), &["community", "create", "--name", "Rust Berlin"]);
    let id = founded.lines().find_map(|l| l.strip_prefix("id: ")).unwrap().to_owned();
    let serving = Serving::start(ada.path());
    let edited = ok(ada.path(), &["community", "edit", &id, "--rule", "Be kind."]);
    assert!(edited.starts_with("Published version 2"), "through the running agora: {edited}");
    assert_eq!(ok(ada.path(), &["community", "leave", &id]).trim(), format!("Left Rust Berlin ({})", &id[..8]));
    assert!(!ok(ada.path(), &["community", "list"]).contains("yes"), "the running node's store changed");
    assert!(ok(ada.path(), &["community", "join", "rust berlin"]).starts_with("Joined Rust Berlin"));
    assert!(ok(ada.path(), &["community", "join", "rust berlin"]).starts_with("Already in Rust Berlin"));
    serving.stop("-TERM");
}

#[test]
fn a_community_ticket_brings_its_charter_to_another_agora() {
    let (ada, grace) = (home("Ada"), home("Grace"));
    let file = ada.path().join("curriculum.toml");
    std::fs::write(&file, CURRICULUM).unwrap();
    let founded =
        ok(ada.path(), &["community", "create", "--name", "Rust Berlin", "--curriculum", file.to_str().unwrap()]);
    let id = founded.lines().find_map(|l| l.strip_prefix("id: ")).unwrap().to_owned();
    let (ada_node, grace_node) = (Serving::start(ada.path()), Serving::start(grace.path()));
    let ticket = ok(ada.path(), &["community", "ticket", &id]).trim().to_owned();
    assert!(ticket.starts_with("agorac1"), "{ticket}");
    let joined = ok(grace.path(), &["community", "join", &ticket]);
    assert!(joined.starts_with(&format!("Joined community {}", &id[..8])), "{joined}");
    serving::eventually("Grace holds the charter", || {
        agora(grace.path(), &["community", "show", &id]).status.success()
    });
    let shown = ok(grace.path(), &["community", "show", &id]);
    assert!(shown.contains("Rust Berlin") && shown.contains("rust-ownership") && shown.contains("you belong to it"));
    // A new version reaches her at once: Ada's node says there is news.
    ok(ada.path(), &["community", "edit", &id, "--rule", "Cite sources."]);
    serving::eventually("Grace holds version 2", || {
        ok(grace.path(), &["community", "show", &id, "--json"]).contains("\"version\":2")
    });
    ada_node.stop("-TERM");
    grace_node.stop("-TERM");
}

#[test]
fn a_community_whose_charter_never_comes_can_be_left() {
    use agora::community::ticket::CommunityTicket;
    let grace = home("Grace");
    let node = Serving::start(grace.path());
    // A ticket whose member is nowhere to be found.
    let nobody = iroh::SecretKey::from_bytes(&[77; 32]).public();
    let ticket = CommunityTicket {
        community: CommunityId([7; 32]),
        member: agora::net::Ticket {
            addr: iroh::EndpointAddr::new(nobody).with_ip_addr("127.0.0.1:9".parse().unwrap()),
            communities: vec!["agora".into()],
        },
        invitation: None,
    };
    let joined = ok(grace.path(), &["community", "join", &ticket.to_string()]);
    assert!(joined.starts_with("Joined community 07070707"), "{joined}");
    let shown = agora(grace.path(), &["community", "show", "07070707"]);
    assert_eq!(shown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&shown.stderr).contains("has not arrived yet"), "{shown:?}");
    let left = ok(grace.path(), &["community", "leave", "07070707"]);
    assert!(left.starts_with("Left (charter not held yet) (07070707)"), "{left}");
    node.stop("-TERM");
}
