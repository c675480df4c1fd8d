//! Session protocol latency between two real nodes on loopback: a signed
//! negotiation step from the moment one side takes it until the other side
//! has verified and durably stored it, and until the sender holds the ack;
//! and co-signing: from the teacher's approval until the draft waits at the
//! learner, plus from the learner's approval until both stores hold the
//! endorsement (the time people take to read is left out). Prints p50/p99.
//!
//! `cargo run --release --example session_rtt`

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::endorse::cosign::Attestation;
use agora::identity::Identity;
use agora::market::{Action, ListingRef, NegotiationId, Price, Terms};
use agora::node::{Clock, Event, Node, NodeConfig};
use agora::store::Store;
use jiff::SignedDuration;
use tokio::sync::broadcast::Receiver;

const STEPS: usize = 150;
const SESSIONS: usize = 30;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let clock = Clock::default();
    clock.advance(SignedDuration::from_hours(-24 * 30));
    let node = |seed: u8, name: &str, bootstrap: Option<&Node>| {
        let mut config = NodeConfig::loopback(&["agora"]);
        config.clock = clock.clone();
        // A benchmark floods on purpose: lift the per-peer rate limit.
        config.limits.messages_per_second = 1e6;
        config.limits.burst = 1e6;
        config.profile = Some(agora::market::Profile {
            name: name.into(),
            bio: String::new(),
            languages: vec![],
            time_zone: "UTC".into(),
        });
        config.bootstrap = bootstrap.map(|b| vec![b.ticket()]).unwrap_or_default();
        let store = Store::open(&dir.path().join(format!("{name}.redb")));
        async move {
            Node::spawn(Identity::from_secret_bytes(&[seed; 32]), Arc::new(store?), config)
                .await
                .map_err(anyhow::Error::from)
        }
    };
    let teacher = node(1, "teacher", None).await?;
    let learner = node(2, "learner", Some(&teacher)).await?;
    let mut offer = common::offer("Latency lessons", "rust", clock.now());
    offer.expires_at = clock.now().saturating_add(SignedDuration::from_hours(24 * 60))?;
    let offer = teacher.publish_listing(offer).await?;
    let listing = ListingRef { author: teacher.id(), id: offer.value().id };
    while learner.store().seen_listings(clock.now())?.is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (mut at_teacher, mut at_learner) = (teacher.subscribe(), learner.subscribe());

    // Negotiation steps: both sides counter in turn.
    let terms = |hours: i64| Terms {
        start: clock.now().saturating_add(SignedDuration::from_hours(hours)).unwrap(),
        duration_minutes: 60,
        price: Price::Free,
        topic: "latency".into(),
    };
    let id = learner.propose(listing, terms(48)).await?.id;
    wait_changed(&mut at_teacher, id).await;
    let (mut one_way, mut acked) = (Vec::new(), Vec::new());
    for step in 0..STEPS {
        let (actor, other_events, actor_events) = if step % 2 == 0 {
            (&teacher, &mut at_learner, &mut at_teacher)
        } else {
            (&learner, &mut at_teacher, &mut at_learner)
        };
        drain(other_events);
        drain(actor_events);
        let t0 = Instant::now();
        actor.act(id, Action::Counter { terms: terms(48 + step as i64) }).await?;
        wait_changed(other_events, id).await;
        one_way.push(t0.elapsed());
        wait_for(actor_events, "step ack", |e| matches!(e, Event::Delivered(_))).await;
        acked.push(t0.elapsed());
    }

    // Co-signing, over fresh sessions.
    let mut cosign = Vec::new();
    for n in 0..SESSIONS {
        let start = clock.now().saturating_add(SignedDuration::from_hours(1))?;
        drain(&mut at_teacher);
        let session = learner
            .propose(listing, Terms { start, duration_minutes: 60, price: Price::Free, topic: format!("session {n}") })
            .await?
            .id;
        wait_changed(&mut at_teacher, session).await;
        drain(&mut at_learner);
        teacher.act(session, Action::Accept).await?;
        wait_changed(&mut at_learner, session).await;
        clock.advance(SignedDuration::from_hours(1));
        drain(&mut at_learner);
        teacher.act(session, Action::Start).await?;
        wait_changed(&mut at_learner, session).await;
        clock.advance(SignedDuration::from_mins(60));
        drain(&mut at_teacher);
        learner.act(session, Action::Complete).await?;
        wait_changed(&mut at_teacher, session).await;
        drain(&mut at_learner);
        learner.review(session, 5, "Great".into()).await?;
        wait_for(&mut at_learner, "review ack", |e| matches!(e, Event::Delivered(_))).await;
        drain(&mut at_teacher);
        drain(&mut at_learner);
        teacher.attest(session, Attestation { covered: "Everything".into(), showed: "Mastery".into() }).await?;
        // Each party reads the record and approves it; what is timed is
        // the machines' part: from the teacher's approval until the draft
        // waits at the learner, plus from the learner's approval until both
        // stores hold the endorsement.
        let record = common::approvable(&teacher, &session).expect("the record to read");
        let t0 = Instant::now();
        teacher.approve(session, record.digest).await?;
        let draft = loop {
            wait_changed(&mut at_learner, session).await;
            if let Some(draft) = common::approvable(&learner, &session) {
                break draft;
            }
        };
        let drafted = t0.elapsed();
        let t1 = Instant::now();
        learner.approve(session, draft.digest).await?;
        wait_for(&mut at_learner, "learner stored", |e| matches!(e, Event::EndorsementStored(_))).await;
        wait_for(&mut at_teacher, "teacher stored", |e| matches!(e, Event::EndorsementStored(_))).await;
        cosign.push(drafted + t1.elapsed());
    }
    report("negotiation step, stored at the other side", &mut one_way);
    report("negotiation step, ack back at the sender", &mut acked);
    report("co-signing, approvals to both stores", &mut cosign);
    teacher.shutdown().await;
    learner.shutdown().await;
    Ok(())
}

/// Forgets events already seen (including a node's own steps).
fn drain(events: &mut Receiver<Event>) {
    while events.try_recv().is_ok() {}
}

async fn wait_for(events: &mut Receiver<Event>, what: &str, wanted: impl Fn(&Event) -> bool) {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
            Ok(Ok(event)) if wanted(&event) => return,
            Ok(Ok(_)) => {}
            other => panic!("gave up waiting for {what}: {other:?}"),
        }
    }
}

async fn wait_changed(events: &mut Receiver<Event>, id: NegotiationId) {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
            Ok(Ok(Event::NegotiationChanged(changed))) if changed == id => return,
            Ok(Ok(_)) => {}
            other => panic!("no change for {id:?}: {other:?}"),
        }
    }
}

fn report(what: &str, samples: &mut [Duration]) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    println!("{what:<46} p50 {:>8.2?}  p99 {:>8.2?}  (n={})", at(0.5), at(0.99), samples.len());
}
