//! The demo marketplace on real nodes (loopback, relays off): a newcomer's
//! node joins it, books a session with a demo teacher, holds it with
//! fast-forwards, and ends with the same co-signed endorsement as the
//! teacher; meanwhile a demo learner asks the newcomer for a session.

mod common;
#[path = "common/js.rs"]
mod js;

use std::sync::Arc;
use std::time::Duration;

use agora::demo::{Demo, DemoOptions, MomentKind, Persona};
use agora::identity::Identity;
use agora::market::{ListingKind, ListingRef, Negotiation, Phase, Profile, Role, Terms};
use agora::node::{Clock, Node, NodeConfig};
use agora::store::Store;
use jiff::SignedDuration;

const WAIT: Duration = Duration::from_secs(20);

async fn until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Logs show up when a test fails (or with --nocapture).
fn logs() {
    let filter = tracing_subscriber::EnvFilter::new("agora::demo=info,warn");
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_test_writer().try_init();
}

fn negotiation(store: &Store, id: &agora::market::NegotiationId) -> Option<Negotiation> {
    store.negotiation(id).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newcomer_books_holds_and_cosigns_a_session_with_a_demo_teacher() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::default();
    let demo =
        tokio::time::timeout(WAIT, Demo::start_with(&dir.path().join("demo"), clock.clone(), DemoOptions::quick()))
            .await
            .expect("the demo starts in time")
            .expect("the demo starts");
    let personas = Persona::all().unwrap();
    assert_eq!(demo.peers().len(), personas.len());
    for (peer, persona) in demo.peers().iter().zip(&personas) {
        assert_eq!(peer.key, Identity::from_secret_bytes(&persona.secret()).public(), "stable keys");
        assert_eq!(peer.name, persona.name);
    }

    // The newcomer: another node on the same clock, joining through the demo.
    let store = Arc::new(Store::open(&dir.path().join("user.redb")).unwrap());
    let mut config = NodeConfig::loopback(&["agora"]);
    config.clock = demo.clock();
    config.bootstrap = demo.tickets();
    config.profile = Some(Profile {
        name: "Newcomer".into(),
        bio: String::new(),
        languages: vec!["en".into()],
        time_zone: "UTC".into(),
    });
    let user = tokio::time::timeout(WAIT, Node::spawn(common::identity(200), store, config)).await.unwrap().unwrap();
    let me = user.id();

    // Two communities, founded by demo people, with a goal to follow.
    assert_eq!(demo.communities().len(), 2);
    demo.welcome_to_communities(&user).await;
    until("both demo charters in the newcomer's store", || {
        let held = demo.communities().iter().all(|(id, _, _)| user.store().charter(id).unwrap().is_some());
        held.then_some(())
    })
    .await;
    let goals = user.store().goals().unwrap();
    assert_eq!(goals.len(), 1, "a goal to follow");
    let charter = user.store().charter(&goals[0].community).unwrap().unwrap();
    let path = charter.value().curriculum.path_to(&goals[0].skill);
    assert_eq!(path.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["rust", "ownership"]);

    // The newcomer teaches calculus, which two demo learners want.
    let mut calculus = common::offer("Calculus with coffee", "calculus", clock.now());
    calculus.expires_at = clock.now().saturating_add(SignedDuration::from_hours(24 * 30)).unwrap();
    let own_offer = user.publish_listing(calculus).await.unwrap().value().id;

    let total: usize = personas.iter().map(|p| p.listings.len()).sum();
    until("every demo listing in the newcomer's directory", || {
        (user.store().seen_listings(clock.now()).unwrap().len() >= total).then_some(())
    })
    .await;

    // A maintainer of Code Commons hid an off-topic listing there: the
    // newcomer holds it, and sees why it is hidden.
    let (title, _, reason) = agora::demo::communities::HIDDEN;
    until("the maintainer's hide note applied", || {
        let off_topic =
            user.store().seen_listings(clock.now()).unwrap().into_iter().find(|l| l.value().title == title)?;
        let community = off_topic.value().community()?;
        let view = user.store().moderation(&community).unwrap()?;
        let at = ListingRef { author: off_topic.author(), id: off_topic.value().id };
        (view.hidden(&at) == Some(reason)).then_some(())
    })
    .await;

    // A teacher who never declines, so the test does not depend on dice.
    let persona = personas.iter().find(|p| p.behaviour.decline == 0 && !p.teaches().is_empty()).unwrap();
    let teacher = demo.peers().iter().find(|p| p.name == persona.name).unwrap().key;
    let offer = user
        .store()
        .seen_listings(clock.now())
        .unwrap()
        .into_iter()
        .find(|l| l.author() == teacher && l.value().kind == ListingKind::Offer)
        .expect("the teacher's offer");
    let earliest = clock.now().saturating_add(SignedDuration::from_hours(2)).unwrap();
    let terms = Terms {
        start: agora::demo::schedule::next_slot(&offer.value().availability, earliest),
        duration_minutes: 60,
        price: offer.value().price.clone(),
        topic: offer.value().title.clone(),
    };
    let id = user.propose(ListingRef { author: teacher, id: offer.value().id }, terms).await.unwrap().id;
    user.chat(id, "Hello! Looking forward to it.".into()).await.unwrap();

    // The teacher answers by itself; a counter is accepted.
    let mut accepted_counter = false;
    loop {
        let n = until("the teacher's answer", || negotiation(user.store(), &id).filter(|n| n.seq > 1)).await;
        match &n.phase {
            Phase::Agreed => break,
            Phase::Proposed { by: Role::Teacher, .. } if !accepted_counter => {
                accepted_counter = true;
                user.act(id, agora::market::Action::Accept).await.unwrap();
            }
            Phase::Declined { reason, .. } => panic!("declined: {reason}"),
            other => panic!("unexpected answer: {other:?}"),
        }
    }
    let teacher_store = demo.store(&teacher).unwrap();
    until("agreement at the teacher", || (negotiation(&teacher_store, &id)?.phase == Phase::Agreed).then_some(()))
        .await;
    until("the teacher's line in the chat", || {
        user.store().chat(&id).unwrap().iter().any(|m| m.author() == teacher).then_some(())
    })
    .await;

    // A demo learner asks the newcomer for a calculus session.
    let request = until("a demo learner's proposal on the newcomer's offer", || {
        user.store().negotiations().unwrap().into_iter().find(|n| n.listing == ListingRef { author: me, id: own_offer })
    })
    .await;
    assert!(demo.is_demo_peer(&request.learner) && request.teacher == me);

    // Skip to the session, hold it, skip to its end.
    let skipped = demo.fast_forward_for(user.store()).expect("a session ahead");
    assert_eq!((skipped.to.negotiation, skipped.to.kind), (id, MomentKind::SessionStart));
    assert!(skipped.by > SignedDuration::ZERO);
    user.act(id, agora::market::Action::Start).await.unwrap();
    until("the start at the teacher", || {
        matches!(negotiation(&teacher_store, &id)?.phase, Phase::InProgress { .. }).then_some(())
    })
    .await;
    let skipped = demo.fast_forward_for(user.store()).expect("the session's end ahead");
    assert_eq!((skipped.to.negotiation, skipped.to.kind), (id, MomentKind::SessionEnd));
    user.act(id, agora::market::Action::Complete).await.unwrap();
    user.review(id, 5, "Warm and clear.".into()).await.unwrap();

    // The teacher attests and approves by itself; the newcomer reads the
    // draft and approves it; both keep the same co-signed record.
    let draft = until("the draft at the newcomer", || common::approvable(&user, &id)).await;
    assert_eq!(draft.record.review, "Warm and clear.");
    assert!(user.store().endorsements().unwrap().is_empty(), "nothing signed before the newcomer approves");
    user.approve(id, draft.digest).await.unwrap();
    let at_user =
        until("the endorsement at the newcomer", || user.store().endorsements().unwrap().into_iter().next()).await;
    let at_teacher = until("the endorsement at the teacher", || {
        teacher_store.endorsements().unwrap().into_iter().find(|e| e.id == at_user.id)
    })
    .await;
    let user_bytes = user.store().endorsement_bytes(&at_user.id).unwrap().unwrap();
    let teacher_bytes = teacher_store.endorsement_bytes(&at_teacher.id).unwrap().unwrap();
    assert_eq!(user_bytes, teacher_bytes, "both stores hold identical bytes");
    let verified = agora::endorse::verify(&user_bytes, clock.now()).expect("the endorsement verifies");
    // The demo runs behind today, so the record is not dated in the future:
    // it verifies right now, by today's clock, here and in the reference
    // JavaScript stack (which refuses a credential before its validFrom).
    assert!(verified.endorsement().end < jiff::Timestamp::now(), "dated before today");
    agora::endorse::verify(&user_bytes, jiff::Timestamp::now()).expect("verifies by today's clock");
    if js::js_ready() {
        let file = dir.path().join("demo-endorsement.json");
        std::fs::write(&file, &user_bytes).unwrap();
        let run = js::verify_at(std::slice::from_ref(&file), jiff::Timestamp::now(), &[]);
        assert!(
            run.success && run.lines[0]["ok"] == true,
            "the JS stack accepts it today: {:?} {}",
            run.lines,
            run.stderr
        );
    }
    assert_eq!((verified.endorsement().teacher.key, verified.endorsement().learner.key), (teacher, me));
    assert_eq!(
        (verified.endorsement().teacher.name.as_str(), verified.endorsement().rating),
        (persona.name.as_str(), 5)
    );

    // The demo's library validates it: the newcomer's agora presents the
    // session to the hub over the network and keeps what it signs.
    let skill = verified.endorsement().skill.clone();
    let hub = demo.hub_ticket().expect("the demo hub runs");
    let statement = tokio::time::timeout(WAIT, user.ask_hub(hub, agora::node::hub::Ask::Skill(skill.clone())))
        .await
        .expect("the hub answers in time")
        .expect("the hub validates one session");
    assert!(statement.starts_with(&format!("1 session in {skill}")), "{statement}");
    let kept = user.store().validations().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].0.hub.name, agora::demo::hub::HUB_NAME);
    assert_eq!(kept[0].0.evidence, [verified.endorsement().id.clone()]);

    // Presenting the session (what `n` on the Portfolio screen does) takes
    // the library's validation along, and a verifier accepts both.
    use agora::endorse::presentation::{Binding, Selection, inspect_presentation, verified as still_valid};
    let selection = Selection { validations: true, ..Default::default() };
    let (picked, _) = still_valid(user.store().presentable(&me, &selection).unwrap(), clock.now());
    let ids: Vec<&str> = picked.iter().map(|e| e.endorsement().id.as_str()).collect();
    let candidates = user.store().presentable_validations(&selection, &ids).unwrap();
    let (validations, _) = agora::endorse::presentation::verified_validations(candidates, clock.now());
    let rdfc = agora::endorse::data_integrity::Cryptosuite::Rdfc;
    let presented = user.present(picked, validations, Binding::default(), rdfc).await.unwrap();
    let report = inspect_presentation(&presented, clock.now(), &Binding::default(), agora::endorse::Suites::All);
    assert!(report.is_valid(), "{:?}", report.problems);
    assert_eq!((report.credentials.len(), report.validations.len()), (1, 1));

    tokio::time::timeout(Duration::from_secs(5), demo.shutdown()).await.expect("the demo shuts down in time");
    tokio::time::timeout(Duration::from_secs(2), user.shutdown()).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_demo_keeps_its_people_and_republishes_their_listings() {
    logs();
    let dir = tempfile::tempdir().unwrap();
    let clock = Clock::default();
    let mut options = DemoOptions::quick();
    options.proposals = false;
    let first = tokio::time::timeout(WAIT, Demo::start_with(dir.path(), clock.clone(), options.clone()))
        .await
        .unwrap()
        .unwrap();
    let peers = first.peers().to_vec();
    let key = peers[0].key;
    let versions = |demo: &Demo| -> Vec<u32> {
        demo.store(&key).unwrap().own_listings().unwrap().iter().map(|l| l.value().version).collect()
    };
    let before = versions(&first);
    assert!(before.iter().all(|v| *v <= 2), "version 1, or 2 once placed in a community");
    tokio::time::timeout(Duration::from_secs(5), first.shutdown()).await.expect("shut down in time");

    let second = tokio::time::timeout(WAIT, Demo::start_with(dir.path(), clock, options)).await.unwrap();
    let second = second.unwrap_or_else(|e| panic!("restart: {e:?}"));
    assert_eq!(second.peers(), peers.as_slice(), "same names and keys");
    let after: Vec<u32> = versions(&second);
    assert_eq!(after, before.iter().map(|v| v + 1).collect::<Vec<_>>(), "listings re-signed as a new version");
    assert_eq!(second.tickets().len(), peers.len());
    assert_eq!(second.communities().len(), 2, "the charters founded before are kept, not founded again");
    assert_eq!(second.fast_forward_to_next(), Err(agora::demo::NoSkip::NothingAhead), "nothing agreed yet");
    // The restarted marketplace works: a newcomer finds every listing.
    let store = Arc::new(Store::open(&dir.path().join("user.redb")).unwrap());
    let mut config = NodeConfig::loopback(&["agora"]);
    config.clock = second.clock();
    config.bootstrap = second.tickets();
    let user = tokio::time::timeout(WAIT, Node::spawn(common::identity(201), store, config)).await.unwrap().unwrap();
    let personas = Persona::all().unwrap();
    let total: usize = personas.iter().map(|p| p.listings.len()).sum();
    let placed = personas.iter().flat_map(|p| &p.listings).filter(|l| l.community.is_some()).count();
    assert!(placed > 0);
    let held = || user.store().seen_listings(second.clock().now()).unwrap().len();
    until("every listing of the restarted demo's open directory", || (held() == total - placed).then_some(())).await;
    // Listings placed in the demo's communities come once it joins them.
    second.welcome_to_communities(&user).await;
    until("every listing once in the demo's communities", || (held() == total).then_some(())).await;
    tokio::time::timeout(Duration::from_secs(2), user.shutdown()).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), second.shutdown()).await.expect("shut down in time");
}

#[test]
fn every_persona_parses_and_its_listings_seal() {
    let now = jiff::Timestamp::now();
    for persona in Persona::all().expect("every persona file parses") {
        let identity = Identity::from_secret_bytes(&persona.secret());
        agora::wire::seal(&identity, &persona.profile(), now).unwrap();
        for listing in persona.listings(now).unwrap() {
            agora::wire::seal(&identity, &listing, now).unwrap_or_else(|e| panic!("{}: {e}", persona.name));
        }
    }
}
