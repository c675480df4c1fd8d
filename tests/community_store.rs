//! Charters in a real redb file: a version is judged in the transaction
//! that stores it, the number of versions a community can make a node keep
//! is capped, the joined list is capped, and a damaged row is skipped.

mod common;

use agora::community::{Admission, Charter, CharterRefusal, CommunityId, Curriculum};
use agora::identity::Identity;
use agora::store::{CharterStored, MAX_CHARTER_VERSIONS_HELD, MAX_COMMUNITIES_JOINED, Store, StoreError};
use agora::wire::{Verified, seal};
use common::{identity, ts};

fn founding(founder: &Identity, nonce: u8) -> Verified<Charter> {
    let charter = Charter {
        founder: founder.public(),
        nonce: [nonce; 16],
        version: 1,
        previous: None,
        name: format!("Community {nonce}"),
        description: String::new(),
        languages: vec!["en".into()],
        rules: Vec::new(),
        maintainers: vec![founder.public()],
        admission: Admission::Open,
        curriculum: Curriculum::default(),
    };
    seal(founder, &charter, ts("2026-12-01T10:00:00Z")).unwrap()
}

#[test]
fn versions_are_judged_before_they_are_kept_and_capped_per_community() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.redb")).unwrap();
    let (ada, eve) = (identity(1), identity(2));
    let v1 = founding(&ada, 1);
    let id = v1.value().id();
    assert_eq!(store.put_charter(&id, &v1).unwrap(), CharterStored::Kept);
    // Eve is not a maintainer; her "next version" is refused, not stored.
    let hers = seal(&eve, &Charter::next_of(&v1), ts("2026-12-01T11:00:00Z")).unwrap();
    assert!(matches!(
        store.put_charter(&id, &hers).unwrap(),
        CharterStored::Refused(CharterRefusal::NotAMaintainer(_))
    ));
    assert_eq!(store.charter_versions(&id).unwrap().len(), 1);
    // Another community's charter under this id is refused too.
    let other = founding(&ada, 2);
    assert_eq!(store.put_charter(&id, &other).unwrap(), CharterStored::Refused(CharterRefusal::WrongCommunity));

    // Ada publishes until the cap; the next one is refused, the held one stays.
    let mut last = v1;
    for _ in 1..MAX_CHARTER_VERSIONS_HELD {
        let next = seal(&ada, &Charter::next_of(&last), ts("2026-12-01T12:00:00Z")).unwrap();
        assert_eq!(store.put_charter(&id, &next).unwrap(), CharterStored::Kept);
        last = next;
    }
    let over = seal(&ada, &Charter::next_of(&last), ts("2026-12-01T12:00:00Z")).unwrap();
    assert_eq!(store.put_charter(&id, &over).unwrap(), CharterStored::Full);
    assert_eq!(store.charter(&id).unwrap().unwrap().value().version as usize, MAX_CHARTER_VERSIONS_HELD);
    drop(store);
    // Reopened, the same charter holds.
    let store = Store::open(&dir.path().join("s.redb")).unwrap();
    assert_eq!(store.charter(&id).unwrap().unwrap(), last);
}

#[test]
fn a_node_joins_a_bounded_number_of_communities() {
    let store = Store::in_memory().unwrap();
    let now = ts("2026-12-01T10:00:00Z");
    for n in 0..MAX_COMMUNITIES_JOINED {
        assert!(store.join_community(&CommunityId([n as u8; 32]), now).unwrap());
    }
    assert!(!store.join_community(&CommunityId([0; 32]), now).unwrap(), "already in");
    let err = store.join_community(&CommunityId([0xee; 32]), now).unwrap_err();
    assert!(matches!(err, StoreError::Full { .. }), "{err}");
    assert!(store.leave_community(&CommunityId([0; 32])).unwrap());
    assert!(store.join_community(&CommunityId([0xee; 32]), now).unwrap());
    assert_eq!(store.joined_communities().unwrap().len(), MAX_COMMUNITIES_JOINED);
}

#[test]
fn forks_that_fill_a_community_make_room_for_the_chain_that_holds() {
    let store = Store::in_memory().unwrap();
    let (ada, mo) = (identity(1), identity(2));
    let mut founding_charter = founding(&ada, 3).value().clone();
    founding_charter.maintainers = vec![ada.public(), mo.public()];
    let v1 = seal(&ada, &founding_charter, ts("2026-12-01T10:00:00Z")).unwrap();
    let id = v1.value().id();
    assert_eq!(store.put_charter(&id, &v1).unwrap(), CharterStored::Kept);
    // Mo fills the community with versions 2 of his own, all on version 1.
    for n in 1..MAX_CHARTER_VERSIONS_HELD {
        let mut fork = Charter::next_of(&v1);
        fork.name = format!("Mo's fork {n}");
        let fork = seal(&mo, &fork, ts("2026-12-01T11:00:00Z")).unwrap();
        assert_eq!(store.put_charter(&id, &fork).unwrap(), CharterStored::Kept, "fork {n}");
    }
    assert_eq!(store.charter_versions(&id).unwrap().len(), MAX_CHARTER_VERSIONS_HELD);
    // Ada's version 2 still gets in (a fork makes room) and holds.
    let mut ours = Charter::next_of(&v1);
    ours.rules = vec!["Be kind.".into()];
    let ours = seal(&ada, &ours, ts("2026-12-01T12:00:00Z")).unwrap();
    assert_eq!(store.put_charter(&id, &ours).unwrap(), CharterStored::Kept);
    assert_eq!(store.charter(&id).unwrap().unwrap(), ours);
    assert_eq!(store.charter_versions(&id).unwrap().len(), MAX_CHARTER_VERSIONS_HELD);
    // A second founding version is refused: the history cannot be replaced.
    let mut refounded = founding_charter.clone();
    refounded.maintainers = vec![mo.public()];
    let refounded = seal(&ada, &refounded, ts("2026-12-01T13:00:00Z")).unwrap();
    assert_eq!(store.put_charter(&id, &refounded).unwrap(), CharterStored::Refused(CharterRefusal::Refounded));
}

/// A maintainer cannot make a member keep more than
/// `MAX_NOTES_PER_COMMUNITY` hide notes; an update of a note held still
/// goes in, an older copy of one does not, and leaving forgets them all.
#[test]
fn hide_notes_are_capped_per_community_and_forgotten_on_leaving() {
    use agora::community::{HideNote, Target};
    use agora::store::{MAX_NOTES_PER_COMMUNITY, NoteStored};
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("s.redb")).unwrap();
    let ada = identity(1);
    let v1 = founding(&ada, 1);
    let id = v1.value().id();
    store.put_charter(&id, &v1).unwrap();
    store.join_community(&id, ts("2026-12-01T10:00:00Z")).unwrap();
    let note = |n: u32, at: &str| {
        let mut author = [0u8; 32];
        author[..4].copy_from_slice(&n.to_be_bytes());
        let target = Target::Author(agora::identity::PublicKey::from(author));
        seal(&ada, &HideNote { community: id, target, hidden: true, reason: "spam".into() }, ts(at)).unwrap()
    };
    for n in 0..MAX_NOTES_PER_COMMUNITY as u32 {
        assert_eq!(store.put_hide_note(&note(n, "2026-12-01T11:00:00Z")).unwrap(), NoteStored::Kept);
    }
    assert_eq!(store.put_hide_note(&note(u32::MAX, "2026-12-01T11:00:00Z")).unwrap(), NoteStored::Full);
    assert_eq!(store.put_hide_note(&note(7, "2026-12-01T12:00:00Z")).unwrap(), NoteStored::Kept, "an update");
    assert_eq!(store.put_hide_note(&note(7, "2026-12-01T11:30:00Z")).unwrap(), NoteStored::NotNewer);
    assert_eq!(store.hide_notes(&id).unwrap().len(), MAX_NOTES_PER_COMMUNITY);
    store.leave_community(&id).unwrap();
    assert!(store.hide_notes(&id).unwrap().is_empty());
    assert!(store.community_items(&id).unwrap().is_empty());
}
