//! Consent on the simulator: nothing goes out under someone's key that
//! they have not read and approved. The teacher's node drafts only the
//! record its owner approved, the learner's countersigns only the draft
//! its owner approved, an approval of a record that changed since is
//! refused, and a "no" to a draft comes only from the learner and only
//! about the draft that is out.

mod common;

use std::time::Duration;

use agora::endorse::consent::{DraftDeclined, RecordDigest};
use agora::endorse::cosign::Attestation;
use agora::market::{Action, NegotiationId};
use agora::net::{Ack, SessionMessage};
use agora::node::core::Command;
use agora::node::record::Stage;
use agora::sim::Sim;
use agora::wire::seal;
use common::identity;
use common::sim::{agreed, approve, holds, negotiation_of, network, publish_offer, seq, terms, to_approve};
use jiff::SignedDuration;

const TEACHER: usize = 0;
const LEARNER: usize = 1;

/// A completed session where both parts are given; nothing signed yet.
fn both_parts_given(seed: u64) -> (Sim, NegotiationId) {
    let mut sim = network(seed, 2);
    sim.run_for(Duration::from_secs(3));
    let listing = publish_offer(&mut sim, TEACHER, "Rust for beginners", "rust");
    assert!(sim.run_until(Duration::from_secs(60), |s| holds(s, LEARNER, &listing)));
    let start = sim.now().saturating_add(SignedDuration::from_hours(1)).unwrap();
    let id = negotiation_of(sim.command(LEARNER, Command::Propose(listing, terms(start, 60))).unwrap()).id;
    assert!(sim.run_until(Duration::from_secs(60), |s| seq(s, TEACHER, &id) == 1));
    sim.command(TEACHER, Command::Act(id, Action::Accept)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| agreed(s, LEARNER, &id)));
    sim.run_for(Duration::from_secs(3600));
    sim.command(TEACHER, Command::Act(id, Action::Start)).unwrap();
    sim.run_for(Duration::from_secs(3600));
    sim.command(LEARNER, Command::Act(id, Action::Complete)).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| seq(s, TEACHER, &id) == 4));
    sim.command(LEARNER, Command::Review(id, 5, "Clear and patient.".into())).unwrap();
    let attestation = Attestation { covered: "Ownership.".into(), showed: "A borrow-checked list.".into() };
    sim.command(TEACHER, Command::Attest(id, attestation)).unwrap();
    sim.run_for(Duration::from_secs(60));
    (sim, id)
}

fn stage(sim: &Sim, who: usize, id: &NegotiationId) -> Stage {
    let n = sim.store(who).negotiation(id).unwrap().unwrap();
    agora::node::record::progress(sim.store(who), &sim.key(who), &n, sim.now()).unwrap().stage
}

#[test]
fn nothing_is_signed_until_each_party_approves_the_record_they_read() {
    let (mut sim, id) = both_parts_given(51);
    // Both parts are in, an hour passes: the teacher's node signed nothing.
    sim.run_for(Duration::from_secs(3600));
    assert!(sim.store(TEACHER).cosign_state(&id).unwrap().draft.is_none(), "no draft without the teacher's approval");
    let record = to_approve(&sim, TEACHER, &id).expect("the teacher reads the whole record");
    assert_eq!((record.record.rating, record.record.review.as_str()), (5, "Clear and patient."));
    assert!(matches!(stage(&sim, LEARNER, &id), Stage::WaitingForTheirPart));
    approve(&mut sim, TEACHER, &id);
    assert!(sim.run_until(Duration::from_secs(60), |s| to_approve(s, LEARNER, &id).is_some()), "the draft arrives");
    // The draft waits for the learner; another hour, nothing countersigned.
    sim.run_for(Duration::from_secs(3600));
    assert!(
        sim.store(LEARNER).endorsements().unwrap().is_empty(),
        "no countersignature without the learner's approval"
    );
    assert!(matches!(stage(&sim, TEACHER, &id), Stage::WaitingForTheirSignature));
    let learners = to_approve(&sim, LEARNER, &id).unwrap();
    assert_eq!(learners.digest, record.digest, "both read the same record");
    approve(&mut sim, LEARNER, &id);
    assert!(sim.run_until(Duration::from_secs(60), |s| !s.store(TEACHER).endorsements().unwrap().is_empty()));
    assert!(
        matches!(stage(&sim, LEARNER, &id), Stage::Endorsed) && matches!(stage(&sim, TEACHER, &id), Stage::Endorsed)
    );
    let held = |p: usize| sim.store(p).endorsement_bytes(&record.record.id).unwrap().unwrap();
    assert_eq!(held(TEACHER), held(LEARNER), "both hold the same bytes");
}

#[test]
fn an_approval_of_a_record_that_changed_since_is_refused() {
    let (mut sim, id) = both_parts_given(52);
    let read = to_approve(&sim, TEACHER, &id).unwrap();
    // The teacher's part is revised after the record was read.
    let revised = Attestation { covered: "Ownership and lifetimes.".into(), showed: "A list.".into() };
    sim.command(TEACHER, Command::Attest(id, revised)).unwrap();
    let refused = sim.command(TEACHER, Command::Approve(id, read.digest)).unwrap_err();
    assert!(refused.to_string().contains("changed since you read it"), "{refused}");
    assert!(sim.store(TEACHER).cosign_state(&id).unwrap().draft.is_none());
    // A digest nobody was shown is refused the same way.
    assert!(sim.command(TEACHER, Command::Approve(id, RecordDigest([0; 32]))).is_err());
    approve(&mut sim, TEACHER, &id);
    assert!(sim.run_until(Duration::from_secs(60), |s| to_approve(s, LEARNER, &id).is_some()));
    let draft = to_approve(&sim, LEARNER, &id).unwrap();
    assert_eq!(draft.record.covered, "Ownership and lifetimes.", "the learner reads the revision");
    let refused = sim.command(LEARNER, Command::Approve(id, read.digest)).unwrap_err();
    assert!(refused.to_string().contains("changed since you read it"), "{refused}");
    assert!(sim.store(LEARNER).endorsements().unwrap().is_empty());
}

#[test]
fn only_the_learner_can_turn_a_draft_down_and_only_the_draft_that_is_out() {
    let (mut sim, id) = both_parts_given(53);
    approve(&mut sim, TEACHER, &id);
    assert!(sim.run_until(Duration::from_secs(60), |s| to_approve(s, LEARNER, &id).is_some()));
    let out = to_approve(&sim, LEARNER, &id).unwrap().digest;
    let send = |sim: &mut Sim, who: &agora::identity::Identity, no: DraftDeclined| -> Ack {
        let now = sim.now();
        let message = SessionMessage::Declined(seal(who, &no, now).unwrap().bytes().to_vec());
        let answer = sim.ask_session(who.public(), TEACHER, postcard::to_stdvec(&message).unwrap()).unwrap();
        postcard::from_bytes(&answer).unwrap()
    };
    // A stranger's "no" is refused; the draft stays out.
    let stranger = identity(9);
    let no = DraftDeclined { negotiation: id, record: out, reason: "Redo it".into() };
    assert!(matches!(send(&mut sim, &stranger, no), Ack::Refused(_)));
    // The learner's "no" to a record that is not the one out changes nothing.
    let learner = identity(2);
    let stale = DraftDeclined { negotiation: id, record: RecordDigest([1; 32]), reason: "Old".into() };
    assert!(matches!(send(&mut sim, &learner, stale), Ack::Taken));
    assert!(sim.store(TEACHER).cosign_state(&id).unwrap().draft.is_some(), "the draft stays out");
    // An empty reason is refused at signing.
    let empty = DraftDeclined { negotiation: id, record: out, reason: " ".into() };
    assert!(seal(&learner, &empty, sim.now()).is_err());
    // The learner declines through its node; the teacher reads why.
    sim.command(LEARNER, Command::DeclineRecord(id, out, "You misspelled my name".into())).unwrap();
    assert!(sim.run_until(Duration::from_secs(60), |s| s.store(TEACHER).cosign_state(&id).unwrap().declined.is_some()));
    let cosign = sim.store(TEACHER).cosign_state(&id).unwrap();
    assert_eq!(cosign.declined.unwrap().1, "You misspelled my name");
    assert!(cosign.draft.is_none() && cosign.approved.is_none());
    assert!(
        sim.store(TEACHER).endorsements().unwrap().is_empty() && sim.store(LEARNER).endorsements().unwrap().is_empty()
    );
    // The teacher cannot decline: they revise instead.
    assert!(sim.command(TEACHER, Command::DeclineRecord(id, out, "no".into())).is_err());
}
