//! Time credits on real iroh endpoints (loopback, relays off): a teacher who
//! requires the debt limit refuses to accept a learner whose balance,
//! recomputed from co-signed endorsements (the learner's portfolio fetched
//! over the network plus what the teacher holds), would fall below it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use agora::endorse::timebank::DebtLimit;
use agora::endorse::{Endorsement, VerifiedEndorsement};
use agora::identity::Identity;
use agora::market::{Action, ListingRef, NegotiationId, Phase, Price, Profile, Terms};
use agora::node::{Clock, Node, NodeConfig, NodeError};
use agora::store::Store;
use common::identity;
use jiff::SignedDuration;

const WAIT: Duration = Duration::from_secs(15);

async fn node(seed: u8, name: &str, dir: &std::path::Path, bootstrap: Option<&Node>, limit: Option<DebtLimit>) -> Node {
    let store = Arc::new(Store::open(&dir.join("store.redb")).unwrap());
    let mut config = NodeConfig::loopback(&["agora"]);
    config.profile =
        Some(Profile { name: name.into(), bio: String::new(), languages: vec!["en".into()], time_zone: "UTC".into() });
    config.bootstrap = bootstrap.map(|b| vec![b.ticket()]).unwrap_or_default();
    config.debt_limit = limit;
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

/// A finished session `n` days ago in which `teacher` taught `learner` for
/// `minutes`, signed by both.
fn session(teacher: &Identity, learner: &Identity, n: u32, minutes: i64) -> VerifiedEndorsement {
    let start = jiff::Timestamp::now().saturating_sub(SignedDuration::from_hours(24 * i64::from(n) + 48)).unwrap();
    let end = start.saturating_add(SignedDuration::from_mins(minutes)).unwrap();
    let endorsement = Endorsement { start, end, issued: end, ..common::endorsement(teacher, learner, n) };
    common::cosigned(&endorsement, teacher, learner)
}

/// Ada (teacher, the given limit) and Grace (learner, holding `grace_holds`
/// in her store); Ada offers `price`, Grace proposes 90 minutes at that price.
struct Market {
    ada: Node,
    grace: Node,
    negotiation: NegotiationId,
    _dirs: [tempfile::TempDir; 2],
}

async fn market(limit: Option<DebtLimit>, price: Price, grace_holds: &[VerifiedEndorsement]) -> Market {
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let ada = node(1, "Ada", dirs[0].path(), None, limit).await;
    let grace = node(2, "Grace", dirs[1].path(), Some(&ada), None).await;
    grace.store().put_endorsements(grace_holds).unwrap();
    let clock = Clock::default();
    let mut listing = common::offer("Calculus", "calculus", clock.now());
    listing.price = price.clone();
    let offer = ada.publish_listing(listing).await.unwrap();
    until("the offer at Grace", || grace.store().seen_listings(clock.now()).unwrap().into_iter().next()).await;
    let start = clock.now().saturating_add(SignedDuration::from_hours(2)).unwrap();
    let terms = Terms { start, duration_minutes: 90, price, topic: "Limits".into() };
    let listing = ListingRef { author: offer.author(), id: offer.value().id };
    let negotiation = grace.propose(listing, terms).await.unwrap().id;
    until("the proposal at Ada", || ada.store().negotiation(&negotiation).unwrap()).await;
    until("Grace's signed profile at Ada", || ada.store().peer(&grace.id()).unwrap().filter(|p| p.name == "Grace"))
        .await;
    Market { ada, grace, negotiation, _dirs: dirs }
}

impl Market {
    async fn accept(&self) -> Result<agora::market::Negotiation, NodeError> {
        tokio::time::timeout(WAIT, self.ada.act(self.negotiation, Action::Accept)).await.expect("accept is bounded")
    }

    async fn shutdown(self) {
        for n in [self.ada, self.grace] {
            tokio::time::timeout(Duration::from_secs(2), n.shutdown()).await.unwrap();
        }
    }
}

/// 9.5 hours Grace learned from Carol, in three sessions.
fn grace_learned_from_carol() -> Vec<VerifiedEndorsement> {
    let (carol, grace) = (identity(3), identity(2));
    vec![session(&carol, &grace, 1, 240), session(&carol, &grace, 2, 240), session(&carol, &grace, 3, 90)]
}

fn credits() -> Price {
    Price::Credits { centi_per_hour: 100 }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_deep_in_debt_is_refused_with_the_reason() {
    let m = market(Some(DebtLimit::DEFAULT), credits(), &grace_learned_from_carol()).await;
    let refused = m.accept().await.unwrap_err();
    assert!(matches!(refused, NodeError::BelowDebtLimit(_)), "{refused:?}");
    assert_eq!(
        refused.to_string(),
        "Grace's time-credit balance is \u{2212}9.5 h; this 1.5 h session would take it below your limit of \u{2212}10 h"
    );
    let at_ada = m.ada.store().negotiation(&m.negotiation).unwrap().unwrap();
    assert!(matches!(at_ada.phase, Phase::Proposed { .. }), "nothing was signed: {:?}", at_ada.phase);
    // The teacher may still decline (or counter) as usual.
    m.ada.act(m.negotiation, Action::Decline { reason: "Not this time".into() }).await.unwrap();
    m.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_who_taught_enough_before_is_accepted() {
    let (grace, lovelace) = (identity(2), identity(4));
    let mut held = grace_learned_from_carol();
    // Grace taught 3 hours herself: −6.5 h now, −8 h after this session.
    held.extend([session(&grace, &lovelace, 4, 120), session(&grace, &lovelace, 5, 60)]);
    let m = market(Some(DebtLimit::DEFAULT), credits(), &held).await;
    let agreed = m.accept().await.unwrap();
    assert_eq!(agreed.phase, Phase::Agreed);
    until("the agreement at Grace", || {
        m.grace.store().negotiation(&m.negotiation).unwrap().filter(|n| n.phase == Phase::Agreed)
    })
    .await;
    m.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn free_listings_and_teachers_without_a_limit_do_not_check() {
    let m = market(Some(DebtLimit::DEFAULT), Price::Free, &grace_learned_from_carol()).await;
    assert_eq!(m.accept().await.unwrap().phase, Phase::Agreed, "a free listing is not a timebank listing");
    m.shutdown().await;
    let m = market(None, credits(), &grace_learned_from_carol()).await;
    assert_eq!(m.accept().await.unwrap().phase, Phase::Agreed, "this teacher does not require the limit");
    m.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_learner_is_judged_on_what_the_teacher_holds() {
    let (ada, grace) = (identity(1), identity(2));
    let m = market(Some(DebtLimit { minutes: -60 }), credits(), &[]).await;
    // Ada taught Grace an hour before; Grace then goes offline.
    m.ada.store().put_endorsement(&session(&ada, &grace, 1, 60)).unwrap();
    let Market { ada, grace, negotiation, _dirs } = m;
    tokio::time::timeout(Duration::from_secs(2), grace.shutdown()).await.unwrap();
    let started = tokio::time::Instant::now();
    let refused = tokio::time::timeout(WAIT, ada.act(negotiation, Action::Accept)).await.unwrap().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10), "bounded wait: {:?}", started.elapsed());
    assert!(refused.to_string().starts_with("Grace's time-credit balance is \u{2212}1 h;"), "{refused}");
    tokio::time::timeout(Duration::from_secs(2), ada.shutdown()).await.unwrap();
}
