//! Moderation and placement from the command line, on the real binary and
//! real stores: a listing published in a community, a maintainer's hide
//! note and what a member's `agora listings` makes of it (hidden with its
//! reason and counted, shown with `--hidden`, shown again after
//! `unfollow`), the refusals (a member hiding, publishing in a community
//! not joined, an invite-only community without an invitation), and an own
//! listing a community no longer takes once it turned invite-only.

mod common;
#[path = "common/serving.rs"]
mod serving;

use std::path::Path;

use agora::community::CommunityId;
use agora::store::{CharterStored, NoteStored, Store};
use jiff::Timestamp;
use serving::{agora, home, ok};

fn did(home: &Path) -> String {
    ok(home, &["id", "--did"]).trim().to_owned()
}

fn store(home: &Path) -> Store {
    Store::open(&home.join("store.redb")).unwrap()
}

fn refused(home: &Path, args: &[&str], says: &str) {
    let out = agora(home, args);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(says), "`{says}` in: {stderr}");
}

/// Ada founds `name`; Grace's store gets its charter (as after a sync).
fn founded_and_known(ada: &Path, grace: &Path, name: &str) -> CommunityId {
    let founded = ok(ada, &["community", "create", "--name", name]);
    let id = CommunityId::from_hex(founded.lines().find_map(|l| l.strip_prefix("id: ")).unwrap()).unwrap();
    ok(grace, &["id"]);
    handed_over(ada, grace, &id);
    id
}

/// Grace's store gets the charter Ada's holds now (as after a sync).
fn handed_over(ada: &Path, grace: &Path, id: &CommunityId) {
    let charter = store(ada).charter(id).unwrap().unwrap();
    assert_eq!(store(grace).put_charter(id, &charter).unwrap(), CharterStored::Kept);
}

#[test]
fn a_hidden_listing_is_counted_shown_on_request_and_back_after_unfollowing() {
    let (ada, grace) = (home("Ada"), home("Grace"));
    // Grace cannot publish there before she joins.
    let id = founded_and_known(ada.path(), grace.path(), "Code Commons");
    let add =
        ["listing", "add", "offer", "--skill", "rust", "--title", "Pairing on Rust", "--community", "code commons"];
    refused(grace.path(), &add, "join that community");
    ok(grace.path(), &["community", "join", &id.short()]);
    ok(grace.path(), &add);
    // Ada publishes there too, and Grace's store holds it (as after a sync).
    let add = ["listing", "add", "offer", "--skill", "rust", "--title", "Buy my course", "--community", &id.short()];
    assert!(ok(ada.path(), &add).starts_with("Added offer"));
    let theirs = store(ada.path()).own_listings().unwrap().pop().unwrap();
    assert_eq!(theirs.value().community(), Some(id));
    {
        let grace = store(grace.path());
        let batch = grace.directory_batch().unwrap();
        assert!(batch.put_seen_listing(&theirs, 1000).unwrap().is_kept());
        batch.commit().unwrap();
    }
    let listed = ok(grace.path(), &["listings", "--community", "code commons"]);
    assert!(listed.contains("Buy my course") && listed.contains("Pairing on Rust"), "{listed}");

    // Grace is no maintainer: she cannot hide anything.
    refused(grace.path(), &["community", "hide", &id.short(), &did(ada.path()), "--reason", "x"], "maintainers");
    // Ada, the maintainer, can; with a reason.
    let listing_id = theirs.value().id.to_hex();
    refused(ada.path(), &["community", "hide", &id.short(), &listing_id[..8], "--reason", " "], "say why");
    let hidden = ok(ada.path(), &["community", "hide", &id.short(), &listing_id[..8], "--reason", "Advertising"]);
    assert!(hidden.starts_with("Hidden in community"), "{hidden}");
    let note = store(ada.path()).hide_notes(&id).unwrap().pop().unwrap();
    assert_eq!(store(grace.path()).put_hide_note(&note).unwrap(), NoteStored::Kept);

    let listed = ok(grace.path(), &["listings", "--community", "code commons"]);
    assert!(!listed.contains("Buy my course") && listed.contains("Pairing on Rust"), "{listed}");
    assert!(listed.contains("(1 hidden by maintainers' notes; --hidden shows them)"), "{listed}");
    let all = ok(grace.path(), &["listings", "--community", "code commons", "--hidden"]);
    assert!(all.contains("Buy my course") && all.contains("hidden by a maintainer: Advertising"), "{all}");
    let lines: Vec<serde_json::Value> = ok(grace.path(), &["listings", "--hidden", "--json"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let course = lines.iter().find(|l| l["title"] == "Buy my course").unwrap();
    assert_eq!(course["hidden"], "Advertising");
    assert_eq!(course["community"], id.to_hex().as_str());
    // Nothing was deleted; Grace stops following Ada's notes and sees it.
    assert!(ok(grace.path(), &["community", "unfollow", &id.short(), &did(ada.path())]).starts_with("No longer"));
    let listed = ok(grace.path(), &["listings", "--community", "code commons"]);
    assert!(listed.contains("Buy my course") && !listed.contains("hidden"), "{listed}");
    ok(grace.path(), &["community", "follow", &id.short(), &did(ada.path())]);
    assert!(!ok(grace.path(), &["listings"]).contains("Buy my course"));
    // Leaving drops what others placed there; Grace's own listing stays hers.
    ok(grace.path(), &["community", "leave", &id.short()]);
    let listed = ok(grace.path(), &["listings"]);
    assert!(listed.contains("Pairing on Rust") && !listed.contains("Buy my course"), "{listed}");
}

#[test]
fn an_invite_only_community_needs_an_invitation_to_publish_in() {
    let (ada, grace) = (home("Ada"), home("Grace"));
    let founded = ok(ada.path(), &["community", "create", "--name", "Makers", "--invite-only"]);
    let id = CommunityId::from_hex(founded.lines().find_map(|l| l.strip_prefix("id: ")).unwrap()).unwrap();
    ok(ada.path(), &["listing", "add", "offer", "--skill", "solder", "--title", "Soldering", "--community", "makers"]);
    ok(grace.path(), &["id"]);
    handed_over(ada.path(), grace.path(), &id);
    ok(grace.path(), &["community", "join", "makers"]);
    let add = ["listing", "add", "offer", "--skill", "solder", "--title", "Me too", "--community", "makers"];
    refused(grace.path(), &add, "invite-only");
    // Ada's invitation of Grace (what `community ticket --invite` carries).
    let invitation = {
        let ada_store = store(ada.path());
        let home = agora::home::Home::resolve(Some(ada.path().to_path_buf())).unwrap();
        let (identity, _) = home.load_or_create_identity().unwrap();
        let grace_key = agora::identity::public_from_did_key(&did(grace.path())).unwrap();
        agora::node::community::invite(&ada_store, &identity, &id, grace_key, Timestamp::now()).unwrap()
    };
    let grace_key = agora::identity::public_from_did_key(&did(grace.path())).unwrap();
    agora::node::community::keep_invitation(&store(grace.path()), &grace_key, &invitation, Timestamp::now()).unwrap();
    assert!(ok(grace.path(), &add).starts_with("Added offer"));
    let placed = store(grace.path()).own_listings().unwrap().pop().unwrap();
    assert!(placed.value().placement.as_ref().unwrap().invitation.is_some(), "the invitation travels with it");
}

/// When a community turns invite-only, a member's own listing there is
/// no longer taken by the others: `agora listings --mine` says so (and
/// `--json` has why), until a maintainer's invitation comes.
#[test]
fn your_listing_in_a_community_turned_invite_only_says_it_is_no_longer_taken() {
    let (ada, grace) = (home("Ada"), home("Grace"));
    let id = founded_and_known(ada.path(), grace.path(), "Garden Club");
    ok(grace.path(), &["community", "join", &id.short()]);
    ok(
        grace.path(),
        &["listing", "add", "offer", "--skill", "compost", "--title", "Composting", "--community", "garden club"],
    );
    let mine = ok(grace.path(), &["listings", "--mine"]);
    assert!(mine.contains("Composting") && !mine.contains("no longer take"), "{mine}");
    // Ada makes it invite-only; Grace's store gets the new version (as after a sync).
    ok(ada.path(), &["community", "edit", &id.short(), "--invite-only"]);
    handed_over(ada.path(), grace.path(), &id);
    let mine = ok(grace.path(), &["listings", "--mine"]);
    assert!(
        mine.contains("its community's members no longer take it: the community is invite-only and the listing carries no invitation"),
        "{mine}"
    );
    let line: serde_json::Value =
        serde_json::from_str(ok(grace.path(), &["listings", "--mine", "--json"]).trim()).unwrap();
    assert!(line["not_taken"].as_str().unwrap().contains("invite-only"), "{line}");
}
