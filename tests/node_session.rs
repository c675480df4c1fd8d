//! A learner and a teacher on real iroh endpoints (loopback, relays off)
//! agree on a session, hold it, and co-sign one endorsement over the wire.

mod common;

use std::sync::Arc;
use std::time::Duration;

use agora::endorse::Suites;
use agora::endorse::cosign::Attestation;
use agora::endorse::data_integrity::Cryptosuite;
use agora::endorse::presentation::{Binding, Selection, inspect_presentation};
use agora::market::{Action, ListingRef, Phase, Price, Profile, Terms};
use agora::node::{Clock, Node, NodeConfig};
use agora::store::Store;
use common::identity;
use jiff::SignedDuration;

const WAIT: Duration = Duration::from_secs(15);

async fn node(seed: u8, name: &str, clock: &Clock, dir: &std::path::Path, bootstrap: Option<&Node>) -> Node {
    let store = Arc::new(Store::open(&dir.join("store.redb")).unwrap());
    let mut config = NodeConfig::loopback(&["agora"]);
    config.clock = clock.clone();
    config.profile =
        Some(Profile { name: name.into(), bio: String::new(), languages: vec!["en".into()], time_zone: "UTC".into() });
    config.bootstrap = bootstrap.map(|b| vec![b.ticket()]).unwrap_or_default();
    tokio::time::timeout(WAIT, Node::spawn(identity(seed), store, config)).await.unwrap().unwrap()
}

async fn until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + WAIT;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn propose_counter_accept_start_complete_cosign() {
    // The sessions happen "earlier today", so the finished record is valid now.
    let clock = Clock::default();
    clock.advance(SignedDuration::from_hours(-6));
    let (teacher_dir, learner_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let teacher = node(1, "Ada", &clock, teacher_dir.path(), None).await;
    let learner = node(2, "Grace", &clock, learner_dir.path(), Some(&teacher)).await;
    for (name, n) in [("teacher", &teacher), ("learner", &learner)] {
        let mut events = n.subscribe();
        tokio::spawn(async move {
            while let Ok(e) = events.recv().await {
                eprintln!("{name}: {e:?}");
            }
        });
    }

    let offer = teacher.publish_listing(common::offer("Rust for beginners", "rust", clock.now())).await.unwrap();
    let listing = ListingRef { author: teacher.id(), id: offer.value().id };
    until("the offer at the learner", || learner.store().seen_listings(clock.now()).unwrap().into_iter().next()).await;

    let start = clock.now().saturating_add(SignedDuration::from_hours(1)).unwrap();
    let terms =
        |start, minutes| Terms { start, duration_minutes: minutes, price: Price::Free, topic: "Ownership".into() };
    let proposed = learner.propose(listing, terms(start, 60)).await.unwrap();
    let id = proposed.id;
    until("the proposal at the teacher", || teacher.store().negotiation(&id).unwrap()).await;

    let later = start.saturating_add(SignedDuration::from_hours(1)).unwrap();
    teacher.act(id, Action::Counter { terms: terms(later, 90) }).await.unwrap();
    until("the counter at the learner", || learner.store().negotiation(&id).unwrap().filter(|n| n.seq == 2)).await;
    learner.act(id, Action::Accept).await.unwrap();
    until("agreement at the teacher", || {
        teacher.store().negotiation(&id).unwrap().filter(|n| n.phase == Phase::Agreed)
    })
    .await;

    clock.advance(SignedDuration::from_hours(2));
    teacher.act(id, Action::Start).await.unwrap();
    until("start at the learner", || learner.store().negotiation(&id).unwrap().filter(|n| n.seq == 4)).await;
    clock.advance(SignedDuration::from_mins(90));
    learner.act(id, Action::Complete).await.unwrap();
    learner.chat(id, "Thank you, that was great!".into()).await.unwrap();
    learner.review(id, 5, "Clear and patient.".into()).await.unwrap();
    until("completion at the teacher", || {
        teacher.store().negotiation(&id).unwrap().filter(|n| matches!(n.phase, Phase::Completed { .. }))
    })
    .await;
    let attestation =
        Attestation { covered: "Ownership and borrowing.".into(), showed: "Fixed three borrow errors alone.".into() };
    teacher.attest(id, attestation).await.unwrap();
    // Each reads the whole record and approves it before signing.
    let record = until("the record for the teacher", || common::approvable(&teacher, &id)).await;
    assert_eq!(record.record.review, "Clear and patient.", "the teacher reads the learner's words before signing");
    teacher.approve(id, record.digest).await.unwrap();
    let draft = until("the draft at the learner", || common::approvable(&learner, &id)).await;
    assert_eq!(draft.digest, record.digest);
    learner.approve(id, draft.digest).await.unwrap();

    let at_teacher =
        until("the endorsement at the teacher", || teacher.store().endorsements().unwrap().into_iter().next()).await;
    let at_learner =
        until("the endorsement at the learner", || learner.store().endorsements().unwrap().into_iter().next()).await;
    assert_eq!(at_teacher, at_learner);
    let teacher_bytes = teacher.store().endorsement_bytes(&at_teacher.id).unwrap().unwrap();
    let learner_bytes = learner.store().endorsement_bytes(&at_learner.id).unwrap().unwrap();
    assert_eq!(teacher_bytes, learner_bytes, "both stores hold identical bytes");
    assert_eq!((at_teacher.teacher.name.as_str(), at_teacher.learner.name.as_str()), ("Ada", "Grace"));
    assert_eq!((at_teacher.rating, at_teacher.minutes()), (5, 90));
    assert_eq!(learner.store().chat(&id).unwrap().len(), 1);
    until("the chat at the teacher", || (teacher.store().chat(&id).unwrap().len() == 1).then_some(())).await;

    // The real binary accepts the record.
    let file = teacher_dir.path().join("endorsement.json");
    std::fs::write(&file, &teacher_bytes).unwrap();
    let verify = std::process::Command::new(env!("CARGO_BIN_EXE_agora")).arg("verify").arg(&file).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
    // The learner asks for the teacher's public portfolio and verifies it.
    let portfolio = learner.fetch_portfolio(teacher.id()).await.unwrap();
    assert_eq!((portfolio.verified.len(), portfolio.refused), (1, 0));
    assert_eq!(portfolio.verified[0].bytes(), teacher_bytes.as_slice());
    teacher.store().set_endorsement_public(&at_teacher.id, false).unwrap();
    assert!(learner.fetch_portfolio(teacher.id()).await.unwrap().verified.is_empty(), "hidden stays hidden");

    // The learner presents it to a verifier who gave a challenge; the node
    // signs as the holder. The teacher's hidden copy is left out of theirs.
    let binding = Binding { challenge: Some("n-0nce".into()), domain: Some("school.example".into()) };
    let candidates = learner.store().presentable(&learner.id(), &Selection::default()).unwrap();
    let (picked, left_out) = agora::endorse::presentation::verified(candidates, clock.now());
    assert_eq!((picked.len(), left_out), (1, 0));
    let presentation = learner.present(picked, Vec::new(), binding.clone(), Cryptosuite::Jcs).await.unwrap();
    let report = inspect_presentation(&presentation, clock.now(), &binding, Suites::All);
    assert!(report.is_valid(), "{:?}", report.problems);
    assert_eq!(report.credentials[0].holder_role, Some(agora::market::Role::Learner));
    let hidden = teacher.store().presentable(&teacher.id(), &Selection::default()).unwrap();
    assert!(hidden.is_empty(), "hidden from the portfolio, so not presented unless asked for");

    until("empty outboxes", || {
        (teacher.store().outbox().unwrap().is_empty() && learner.store().outbox().unwrap().is_empty()).then_some(())
    })
    .await;

    for n in [teacher, learner] {
        tokio::time::timeout(Duration::from_secs(2), n.shutdown()).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_sent_while_the_peer_is_down_arrives_after_it_restarts() {
    let clock = Clock::default();
    let (teacher_dir, learner_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let teacher = node(1, "Ada", &clock, teacher_dir.path(), None).await;
    let learner = node(2, "Grace", &clock, learner_dir.path(), Some(&teacher)).await;
    let mut calculus = common::offer("Calculus", "calculus", clock.now());
    calculus.price = Price::Credits { centi_per_hour: 100 };
    let offer = teacher.publish_listing(calculus).await.unwrap();
    until("the offer at the learner", || learner.store().seen_listings(clock.now()).unwrap().into_iter().next()).await;
    let teacher_addr = teacher.ticket();

    // The teacher goes away; the learner proposes anyway.
    tokio::time::timeout(Duration::from_secs(2), teacher.shutdown()).await.expect("shutdown within bound");
    let start = clock.now().saturating_add(SignedDuration::from_hours(3)).unwrap();
    let terms =
        Terms { start, duration_minutes: 60, price: Price::Credits { centi_per_hour: 100 }, topic: "Limits".into() };
    let proposed = learner.propose(ListingRef { author: offer.author(), id: offer.value().id }, terms).await.unwrap();
    assert_eq!(learner.store().outbox().unwrap().len(), 1, "the proposal waits in the outbox");

    // The teacher comes back on the same home (same key, same store), at a new address.
    let teacher = node(1, "Ada", &clock, teacher_dir.path(), Some(&learner)).await;
    learner.connect(teacher.ticket()).await.unwrap();
    assert_ne!(teacher.ticket().addr, teacher_addr.addr, "a new port after the restart");
    let at_teacher =
        until("the proposal at the restarted teacher", || teacher.store().negotiation(&proposed.id).unwrap()).await;
    assert_eq!(at_teacher, proposed);
    until("the learner's outbox drained", || learner.store().outbox().unwrap().is_empty().then_some(())).await;

    for n in [teacher, learner] {
        tokio::time::timeout(Duration::from_secs(2), n.shutdown()).await.unwrap();
    }
}

#[test]
fn a_presented_portfolio_keeps_only_verified_records_naming_the_presenter() {
    let (ada, grace, mallory) = (identity(1), identity(2), identity(3));
    let own = common::cosigned(&common::endorsement(&ada, &grace, 0), &ada, &grace);
    let someone_elses = common::cosigned(&common::endorsement(&grace, &mallory, 1), &grace, &mallory);
    let mut tampered = own.bytes().to_vec();
    let at = tampered.windows(4).position(|w| w == b"Ada ").unwrap();
    tampered[at] = b'E';
    let entries = vec![own.bytes().to_vec(), someone_elses.bytes().to_vec(), tampered, b"garbage".to_vec()];
    let portfolio = agora::node::accept_portfolio(ada.public(), entries, common::now());
    assert_eq!(portfolio.verified.len(), 1);
    assert_eq!(portfolio.verified[0].bytes(), own.bytes());
    assert_eq!(portfolio.refused, 3);
}
