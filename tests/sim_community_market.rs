//! Listings placed in communities, between simulated peers: each community
//! keeps its own directory, reconciled on its own, and a peer keeps only
//! the communities it joined; an invite-only community takes listings
//! from its maintainers and the people they invited only; maintainers'
//! hide notes apply only in their community, and only for members who
//! follow that maintainer.

mod common;

use std::time::Duration;

use agora::community::{Admission, Charter, CommunityId, Curriculum, HideNote, Invitation, Moderation, Target};
use agora::market::{ListingRef, Placement};
use agora::net::Frame;
use agora::node::core::{Command, GossipMessage, Input};
use agora::sim::Sim;
use agora::wire::seal;
use common::sim::{found, holds, listing_of, network};
use common::{identity, offer};

fn join(sim: &mut Sim, id: CommunityId, members: &[usize], via: usize) {
    for m in members {
        sim.command(*m, Command::JoinVia(id, sim.key(via))).unwrap();
    }
    assert!(
        sim.run_until(Duration::from_secs(60), |s| members.iter().all(|m| s.store(*m).charter(&id).unwrap().is_some())),
        "members get the charter"
    );
}

/// Peer `by` publishes an offer placed in `community` (none: the open directory).
fn publish_in(sim: &mut Sim, by: usize, title: &str, community: Option<CommunityId>) -> ListingRef {
    let mut listing = offer(title, "rust", sim.now());
    let digest = <sha2::Sha256 as sha2::Digest>::digest(format!("{by} {title}"));
    listing.id = agora::market::Id16(digest[..16].try_into().unwrap());
    listing.placement = community.map(|community| Placement { community, invitation: None });
    let signed = listing_of(sim.command(by, Command::Publish(listing)).unwrap());
    ListingRef { author: sim.key(by), id: signed.value().id }
}

#[test]
fn a_listing_in_a_community_reaches_its_members_and_never_anyone_else() {
    let mut sim = network(301, 8);
    sim.run_for(Duration::from_secs(5));
    let a = found(&mut sim, 0, "Code Commons", Admission::Open);
    let b = found(&mut sim, 4, "Café de Idiomas", Admission::Open);
    join(&mut sim, a, &[1, 2, 3], 0);
    join(&mut sim, b, &[3, 5, 6], 4);
    sim.run_for(Duration::from_secs(5));
    sim.watch_broadcasts();
    let in_a = publish_in(&mut sim, 1, "Ownership in A", Some(a));
    let in_b = publish_in(&mut sim, 5, "Portuguese in B", Some(b));
    let open = publish_in(&mut sim, 7, "Open to all", None);
    assert!(
        sim.run_until(Duration::from_secs(120), |s| {
            [0, 2, 3].iter().all(|p| holds(s, *p, &in_a))
                && [3, 4, 6].iter().all(|p| holds(s, *p, &in_b))
                && (0..7).all(|p| holds(s, p, &open))
        }),
        "each listing reaches its community's members, the open one everyone"
    );
    // Gossip carried each placed listing on its community's own topic: to
    // the other members, never to anyone else (the open one: to everyone).
    let reached = |origin: usize| sim.spreads().iter().filter(|s| s.origin == origin).map(|s| s.reached).max();
    assert_eq!(reached(1), Some(3), "A's listing reached A's three other members only");
    assert_eq!(reached(5), Some(3), "B's listing reached B's three other members only");
    assert_eq!(reached(7), Some(7), "the open listing reached everyone");
    // Several directory rounds later, nothing crossed over.
    sim.run_for(Duration::from_secs(300));
    for p in [4, 5, 6, 7] {
        assert!(!holds(&sim, p, &in_a), "peer {p} is not in A");
    }
    for p in [0, 1, 2, 7] {
        assert!(!holds(&sim, p, &in_b), "peer {p} is not in B");
    }
    // Peer 7 joins A late: reconciliation of A's own set brings what it
    // missed (the broadcast is long gone).
    join(&mut sim, a, &[7], 2);
    assert!(sim.run_until(Duration::from_secs(180), |s| holds(s, 7, &in_a)), "a late member catches up");
    assert!(!holds(&sim, 7, &in_b));
    // Leaving drops what others placed there; the open listing stays.
    sim.command(3, Command::SetJoined(a, false)).unwrap();
    assert!(!holds(&sim, 3, &in_a), "leaving A drops its listings");
    assert!(holds(&sim, 3, &in_b) && holds(&sim, 3, &open));
    // Publishing in a community not joined is refused at home.
    let mut listing = offer("Not mine to place", "rust", sim.now());
    listing.placement = Some(Placement { community: b, invitation: None });
    assert!(sim.command(0, Command::Publish(listing)).is_err());
}

#[test]
fn an_invite_only_community_takes_listings_from_invited_members_only() {
    let mut sim = network(302, 5);
    sim.run_for(Duration::from_secs(5));
    let club = found(&mut sim, 0, "Makers' Circle", Admission::InviteOnly);
    join(&mut sim, club, &[1, 2, 3], 0);
    // The maintainer invites peer 1; peer 2 joined but holds no invitation.
    let invitation =
        seal(&identity(1), &Invitation { community: club, invitee: sim.key(1) }, sim.now()).unwrap().bytes().to_vec();
    sim.command(1, Command::KeepInvitation(invitation.clone())).unwrap();
    assert!(sim.command(2, Command::KeepInvitation(invitation.clone())).is_err(), "someone else's invitation");
    let invited = publish_in(&mut sim, 1, "Soldering basics", Some(club));
    let by_maintainer = publish_in(&mut sim, 0, "Laser cutting", Some(club));
    let mut uninvited = offer("Sneaking in", "rust", sim.now());
    uninvited.placement = Some(Placement { community: club, invitation: None });
    assert!(sim.command(2, Command::Publish(uninvited.clone())).is_err(), "its own node refuses to place it");

    // A hostile peer 2 signs such listings anyway and gossips them to 3:
    // with no invitation, with peer 1's invitation, and with one it signed
    // itself.
    let hostile = identity(3);
    let self_signed =
        seal(&hostile, &Invitation { community: club, invitee: sim.key(2) }, sim.now()).unwrap().bytes().to_vec();
    let mut forged = Vec::new();
    for (n, invitation) in [None, Some(invitation), Some(self_signed)].into_iter().enumerate() {
        let mut listing = uninvited.clone();
        listing.id = agora::market::Id16([n as u8 + 1; 16]);
        listing.placement = Some(Placement { community: club, invitation });
        let signed = seal(&hostile, &listing, sim.now()).unwrap();
        forged.push(ListingRef { author: sim.key(2), id: listing.id });
        let frame = Frame::Listing(signed.bytes().to_vec()).encode().unwrap();
        sim.inject(3, Input::Gossip(vec![GossipMessage { content: frame, delivered_from: sim.key(2) }]));
    }
    assert!(
        sim.run_until(Duration::from_secs(120), |s| [0, 2, 3].iter().all(|p| holds(s, *p, &invited))
            && [1, 2, 3].iter().all(|p| holds(s, *p, &by_maintainer))),
        "listings by the maintainer and the invited member reach members"
    );
    sim.run_for(Duration::from_secs(120));
    for listing in &forged {
        for p in [0, 1, 3] {
            assert!(!holds(&sim, p, listing), "peer {p} refused the uninvited listing");
        }
    }
}

#[test]
fn hide_notes_apply_in_their_community_for_members_who_follow_the_maintainer() {
    let mut sim = network(303, 6);
    sim.run_for(Duration::from_secs(5));
    let a = found(&mut sim, 0, "Code Commons", Admission::Open);
    let b = found(&mut sim, 4, "Café de Idiomas", Admission::Open);
    join(&mut sim, a, &[1, 2, 3], 0);
    join(&mut sim, b, &[1, 3, 5], 4);
    let spam_a = publish_in(&mut sim, 1, "Buy my course", Some(a));
    let fine_b = publish_in(&mut sim, 1, "Conversation hour", Some(b));
    assert!(sim.run_until(Duration::from_secs(120), |s| holds(s, 3, &spam_a) && holds(s, 3, &fine_b)));

    // The maintainer of A hides peer 1 in A.
    let note = HideNote { community: a, target: Target::Author(sim.key(1)), hidden: true, reason: "Spam".into() };
    sim.command(0, Command::Hide(note.clone())).unwrap();
    // A member who is not a maintainer cannot, not even by signing one.
    assert!(sim.command(2, Command::Hide(note.clone())).is_err());
    let forged = seal(&identity(3), &note, sim.now()).unwrap();
    let frame = Frame::HideNote(forged.bytes().to_vec()).encode().unwrap();
    sim.inject(3, Input::Gossip(vec![GossipMessage { content: frame, delivered_from: sim.key(2) }]));

    let hidden_for = |s: &Sim, p: usize, community: CommunityId, listing: &ListingRef| {
        let store = s.store(p);
        let charter = store.charter(&community).unwrap().unwrap();
        let view = Moderation::new(
            &store.hide_notes(&community).unwrap(),
            charter.value(),
            &store.unfollowed(&community).unwrap(),
        );
        view.hidden(listing).map(str::to_owned)
    };
    assert!(
        sim.run_until(Duration::from_secs(120), |s| [2, 3].iter().all(|p| hidden_for(s, *p, a, &spam_a).is_some())),
        "members of A see the listing hidden"
    );
    assert_eq!(hidden_for(&sim, 3, a, &spam_a).as_deref(), Some("Spam"));
    // Only the maintainer's note is held: the forged one was refused.
    assert_eq!(sim.store(3).hide_notes(&a).unwrap().len(), 1);
    // In B, the same author is not hidden, and B's members hold no note of A.
    assert_eq!(hidden_for(&sim, 3, b, &fine_b), None);
    assert!(sim.store(5).hide_notes(&a).unwrap().is_empty());
    // Nothing was deleted: the hidden listing is still in every member's store.
    assert!([2, 3].iter().all(|p| holds(&sim, *p, &spam_a)));
    // A member who stops following the maintainer sees it again.
    sim.command(3, Command::Follow(a, sim.key(0), false)).unwrap();
    assert_eq!(hidden_for(&sim, 3, a, &spam_a), None);
    assert!(hidden_for(&sim, 2, a, &spam_a).is_some(), "others still follow");
    // The maintainer lifts the note; members show it again.
    let lifted = HideNote { hidden: false, reason: String::new(), ..note };
    sim.run_for(Duration::from_millis(10));
    sim.command(0, Command::Hide(lifted)).unwrap();
    assert!(sim.run_until(Duration::from_secs(120), |s| hidden_for(s, 2, a, &spam_a).is_none()), "the lift spreads");
}

#[test]
fn a_listing_moved_into_a_community_leaves_everyone_else() {
    let mut sim = network(304, 5);
    sim.run_for(Duration::from_secs(5));
    let a = found(&mut sim, 0, "Code Commons", Admission::Open);
    join(&mut sim, a, &[1, 2], 0);
    let open = publish_in(&mut sim, 1, "Ownership, openly", None);
    assert!(sim.run_until(Duration::from_secs(120), |s| [0, 2, 3, 4].iter().all(|p| holds(s, *p, &open))));
    // Peer 1 places its next version in A.
    let mut next = sim.store(1).own_listing(&open.id).unwrap().unwrap().value().clone();
    next.version += 1;
    next.placement = Some(Placement { community: a, invitation: None });
    sim.command(1, Command::Publish(next)).unwrap();
    let version = |s: &Sim, p: usize| {
        s.store(p).seen_listing(&open.author, &open.id, s.now()).unwrap().map(|l| l.value().version)
    };
    assert!(
        sim.run_until(Duration::from_secs(180), |s| [3, 4].iter().all(|p| !holds(s, *p, &open))
            && [0, 2].iter().all(|p| version(s, *p) == Some(2))),
        "outside A the old copy goes; members hold the new one"
    );
    sim.run_for(Duration::from_secs(300));
    assert!([3, 4].iter().all(|p| !holds(&sim, *p, &open)), "and it does not come back");
}

#[test]
fn a_session_on_a_curriculum_skill_carries_its_alignment_into_the_credential() {
    use agora::community::{Alignment, SkillDef};
    let mut sim = network(305, 3);
    sim.run_for(Duration::from_secs(5));
    let alignment = Alignment {
        target_name: "Rust (computer programming)".into(),
        target_url: "https://esco.example/skill/rust".into(),
        target_framework: "ESCO".into(),
        target_code: "S1.2.3".into(),
    };
    let mut charter = Charter {
        founder: sim.key(0),
        nonce: [5; 16],
        version: 1,
        previous: None,
        name: "Code Commons".into(),
        description: String::new(),
        languages: vec![],
        rules: vec![],
        maintainers: vec![sim.key(0)],
        admission: Admission::Open,
        curriculum: Curriculum::default(),
    };
    charter.curriculum.skills.push(SkillDef {
        id: "rust".into(),
        name: "Rust basics".into(),
        description: String::new(),
        level: agora::market::Level::Beginner,
        requires: vec![],
        alignments: vec![alignment.clone()],
    });
    let a = charter.id();
    sim.command(0, Command::PublishCharter(charter)).unwrap();
    join(&mut sim, a, &[1, 2], 0);
    let listing = publish_in(&mut sim, 1, "Rust, hands on", Some(a));
    let negotiation = common::sim::play_session(&mut sim, 2, 1, listing);
    let id = agora::endorse::cosign::endorsement_id(&negotiation.id);
    for who in [1, 2] {
        let bytes = sim.store(who).endorsement_bytes(&id).unwrap().expect("held");
        let verified = agora::endorse::verify(&bytes, sim.now()).expect("both proofs of both parties hold");
        assert_eq!(verified.endorsement().alignments, std::slice::from_ref(&alignment), "peer {who}");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("\"targetFramework\": \"ESCO\""), "in the achievement: {text}");
    }
}

#[test]
fn reconciling_made_up_communities_costs_the_responder_nothing_kept() {
    use agora::net::{DirectoryReply, DirectoryRequest};
    let mut sim = network(306, 2);
    sim.run_for(Duration::from_secs(5));
    let a = found(&mut sim, 0, "Code Commons", Admission::Open);
    publish_in(&mut sim, 0, "Ownership in A", Some(a));
    let stranger = identity(99).public();
    // An empty negentropy message is enough to ask about a set.
    for n in 0..30u32 {
        let mut id = [0u8; 32];
        id[..4].copy_from_slice(&n.to_be_bytes());
        let request = postcard::to_stdvec(&DirectoryRequest::ReconcileIn(id, vec![0x61])).unwrap();
        let answer = sim.ask_directory(stranger, 0, request).expect("an answer");
        let reply: DirectoryReply = postcard::from_bytes(&answer).unwrap();
        assert!(
            matches!(reply, DirectoryReply::Reconcile(_) | DirectoryReply::Refused(_) | DirectoryReply::Busy(_)),
            "{reply:?}"
        );
        sim.run_for(Duration::from_millis(300));
    }
    let kept = sim.peer(0).core().unwrap().stats().directory_sets;
    assert!(kept <= 2, "the open set and A's at most, not one per made-up community: {kept}");
}

/// A charter that turns a community invite-only applies to what members
/// already keep: the listings of people without an invitation leave every
/// member's store (the maintainer's stay), and come back once their author
/// is invited and publishes again.
#[test]
fn a_community_turning_invite_only_drops_the_listings_it_no_longer_admits() {
    let mut sim = network(307, 4);
    sim.run_for(Duration::from_secs(5));
    let club = found(&mut sim, 0, "Garden Club", Admission::Open);
    join(&mut sim, club, &[1, 2, 3], 0);
    sim.run_for(Duration::from_secs(5));
    let by_maintainer = publish_in(&mut sim, 0, "Pruning, from the maintainer", Some(club));
    let by_one = publish_in(&mut sim, 1, "Composting", Some(club));
    let by_two = publish_in(&mut sim, 2, "Seed saving", Some(club));
    let all = [(0, by_maintainer), (1, by_one), (2, by_two)];
    // Everyone else's copy (an author's own listing is not a copy).
    let elsewhere = |s: &Sim, author: usize, l: &ListingRef| (0..4).filter(|p| *p != author).all(|p| holds(s, p, l));
    let nowhere = |s: &Sim, author: usize, l: &ListingRef| (0..4).filter(|p| *p != author).all(|p| !holds(s, p, l));
    assert!(
        sim.run_until(Duration::from_secs(120), |s| all.iter().all(|(author, l)| elsewhere(s, *author, l))),
        "every member holds the three listings"
    );
    // The maintainer turns the club invite-only.
    let held = sim.store(0).charter(&club).unwrap().unwrap();
    let mut next = Charter::next_of(&held);
    next.admission = Admission::InviteOnly;
    sim.command(0, Command::PublishCharter(next)).unwrap();
    let turned = |s: &Sim, p: usize| {
        s.store(p).charter(&club).unwrap().is_some_and(|c| c.value().admission == Admission::InviteOnly)
    };
    assert!(
        sim.run_until(Duration::from_secs(300), |s| (0..4).all(|p| turned(s, p))
            && nowhere(s, 1, &by_one)
            && nowhere(s, 2, &by_two)),
        "the uninvited listings leave every member's store (their authors keep their own)"
    );
    assert!(elsewhere(&sim, 0, &by_maintainer), "the maintainer's listing stays");
    // Peer 1 is invited and publishes again: back everywhere; peer 2's is not.
    let invitation =
        seal(&identity(1), &Invitation { community: club, invitee: sim.key(1) }, sim.now()).unwrap().bytes().to_vec();
    sim.command(1, Command::KeepInvitation(invitation)).unwrap();
    let again = publish_in(&mut sim, 1, "Composting, invited", Some(club));
    assert!(
        sim.run_until(Duration::from_secs(300), |s| elsewhere(s, 1, &again)),
        "an invited member's listing is taken again"
    );
    sim.run_for(Duration::from_secs(120));
    assert!(nowhere(&sim, 2, &by_two), "peer 2's stays out");
}
