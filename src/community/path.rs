//! Learning paths: a learner's goal (a skill of a community's curriculum,
//! maybe a level and a date) and the way to it through the prerequisites.
//! What is done comes from the learner's own co-signed endorsements, what
//! is in progress from sessions agreed or under way, and what comes next
//! is every skill whose prerequisites are all done. Goals are private:
//! they stay in the learner's store.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::{CommunityId, Curriculum, SkillDef};
use crate::endorse::Endorsement;
use crate::identity::PublicKey;
use crate::market::{Level, Negotiation, Phase};

/// Goals a learner keeps at most.
pub const MAX_GOALS: usize = 64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub community: CommunityId,
    /// A skill id of that community's curriculum.
    pub skill: String,
    pub level: Option<Level>,
    /// The day the learner wants to get there by.
    pub by: Option<jiff::civil::Date>,
    #[serde(with = "crate::market::time_ms")]
    pub set_at: Timestamp,
}

/// Where one skill on the way stands.
#[derive(Clone, Debug, PartialEq)]
pub enum StepState {
    /// Learned in co-signed sessions.
    Done(Record),
    /// Sessions agreed or under way, none co-signed yet.
    InProgress { sessions: usize },
    /// Every prerequisite is done: this can be learned now.
    Next,
    /// Waiting for a prerequisite.
    Later,
}

/// What the learner's co-signed endorsements say about one skill.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    pub sessions: usize,
    pub minutes: i64,
    pub teachers: usize,
    pub average_rating: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step<'a> {
    pub skill: &'a SkillDef,
    pub state: StepState,
}

/// The way to `goal` in `curriculum` for `learner`: prerequisites first,
/// the goal last. Empty when the goal is not in the curriculum.
pub fn plan<'a>(
    curriculum: &'a Curriculum,
    goal: &str,
    learner: &PublicKey,
    endorsements: &[Endorsement],
    negotiations: &[Negotiation],
) -> Vec<Step<'a>> {
    let mut records: BTreeMap<&str, (Record, BTreeSet<PublicKey>, Vec<u8>)> = BTreeMap::new();
    for e in endorsements.iter().filter(|e| e.learner.key == *learner) {
        let (record, teachers, ratings) = records.entry(e.skill.as_str()).or_default();
        record.sessions += 1;
        record.minutes += e.minutes();
        teachers.insert(e.teacher.key);
        ratings.push(e.rating);
    }
    let mut under_way: BTreeMap<&str, usize> = BTreeMap::new();
    for n in negotiations.iter().filter(|n| n.learner == *learner) {
        if matches!(n.phase, Phase::Agreed | Phase::Rescheduling { .. } | Phase::InProgress { .. }) {
            *under_way.entry(n.skill.as_str()).or_default() += 1;
        }
    }
    let way = curriculum.path_to(goal);
    let done: BTreeSet<&str> =
        way.iter().filter(|s| records.contains_key(s.id.as_str())).map(|s| s.id.as_str()).collect();
    way.into_iter()
        .map(|skill| {
            let state = if let Some((record, teachers, ratings)) = records.get(skill.id.as_str()) {
                let mut record = record.clone();
                record.teachers = teachers.len();
                record.average_rating = (!ratings.is_empty())
                    .then(|| ratings.iter().map(|r| f64::from(*r)).sum::<f64>() / ratings.len() as f64);
                StepState::Done(record)
            } else if let Some(&sessions) = under_way.get(skill.id.as_str()) {
                StepState::InProgress { sessions }
            } else if skill.requires.iter().all(|r| done.contains(r.as_str())) {
                StepState::Next
            } else {
                StepState::Later
            };
            Step { skill, state }
        })
        .collect()
}

/// How far along the way is: skills done out of all.
pub fn progress(steps: &[Step]) -> (usize, usize) {
    (steps.iter().filter(|s| matches!(s.state, StepState::Done(_))).count(), steps.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endorse::Party;
    use crate::identity::Identity;

    fn skill(id: &str, requires: &[&str]) -> SkillDef {
        SkillDef {
            id: id.into(),
            name: id.into(),
            description: String::new(),
            level: Level::Any,
            requires: requires.iter().map(|r| r.to_string()).collect(),
            alignments: Vec::new(),
        }
    }

    fn session(teacher: u8, learner: &PublicKey, skill: &str, minutes: i64, rating: u8) -> Endorsement {
        let start: Timestamp = "2026-11-20T17:00:00Z".parse().unwrap();
        let end = start.saturating_add(jiff::SignedDuration::from_mins(minutes)).unwrap();
        Endorsement {
            id: "urn:uuid:6a1f1c2e-0d0b-4c53-9b59-5b1c2f0e9a11".into(),
            teacher: Party { key: Identity::from_secret_bytes(&[teacher; 32]).public(), name: "T".into() },
            learner: Party { key: *learner, name: "L".into() },
            skill: skill.into(),
            start,
            end,
            covered: String::new(),
            rating,
            review: String::new(),
            attestation: String::new(),
            issued: end,
            alignments: Vec::new(),
        }
    }

    #[test]
    fn done_in_progress_next_and_later_follow_the_prerequisites() {
        let me = Identity::from_secret_bytes(&[1; 32]).public();
        let c = Curriculum {
            skills: vec![
                skill("basics", &[]),
                skill("ownership", &["basics"]),
                skill("traits", &["basics"]),
                skill("async", &["ownership", "traits"]),
            ],
        };
        let mine = [session(7, &me, "basics", 60, 5), session(8, &me, "basics", 90, 4)];
        // Someone else's session in `traits` does not count for me.
        let other = Identity::from_secret_bytes(&[2; 32]).public();
        let theirs = session(7, &other, "traits", 60, 5);
        let all: Vec<_> = mine.iter().cloned().chain([theirs]).collect();
        let steps = plan(&c, "async", &me, &all, &[]);
        let states: Vec<_> = steps.iter().map(|s| (s.skill.id.as_str(), s.state.clone())).collect();
        assert_eq!(
            states[0],
            ("basics", StepState::Done(Record { sessions: 2, minutes: 150, teachers: 2, average_rating: Some(4.5) }))
        );
        assert_eq!(states[1], ("ownership", StepState::Next));
        assert_eq!(states[2], ("traits", StepState::Next));
        assert_eq!(states[3], ("async", StepState::Later));
        assert_eq!(progress(&steps), (1, 4));
        assert!(plan(&c, "cooking", &me, &all, &[]).is_empty());

        // A session agreed in `ownership` puts it under way; one the learner
        // only proposed, or one where they teach, does not.
        let session = |learner: PublicKey, teacher: PublicKey, phase: Phase| Negotiation {
            id: crate::market::Id16([3; 16]),
            listing: crate::market::ListingRef { author: teacher, id: crate::market::Id16([4; 16]) },
            skill: "ownership".into(),
            teacher,
            learner,
            phase,
            agreed: None,
            seq: 2,
            updated_at: "2026-11-21T10:00:00Z".parse().unwrap(),
        };
        let teacher = Identity::from_secret_bytes(&[7; 32]).public();
        let cancelled = Phase::Cancelled { by: crate::market::Role::Learner, reason: String::new() };
        let sessions =
            [session(me, teacher, Phase::Agreed), session(me, teacher, cancelled), session(teacher, me, Phase::Agreed)];
        let steps = plan(&c, "async", &me, &mine, &sessions);
        assert_eq!(steps[1].state, StepState::InProgress { sessions: 1 });
        assert_eq!(steps[2].state, StepState::Next, "traits is still next");
    }
}
