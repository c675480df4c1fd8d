//! What a hub checks before it validates a learner's sessions: the
//! learner's co-signed endorsements in one skill, or along a curriculum's
//! path, against the hub's policy (sessions, hours, distinct teachers; on
//! a path, at least one session in every skill of it). Pure: the caller
//! verified the endorsements (in a presentation the learner signed).

use std::collections::BTreeSet;

use crate::endorse::Endorsement;
use crate::endorse::reputation::hours;
use crate::identity::PublicKey;

/// What a hub requires.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    pub min_sessions: u32,
    pub min_hours: f64,
    pub min_teachers: u32,
}

/// What is asked to be validated.
#[derive(Clone, Debug, PartialEq)]
pub enum Scope {
    Skill(String),
    /// Every skill on the way to a goal of a community's curriculum.
    Path {
        name: String,
        skills: Vec<String>,
    },
}

impl Scope {
    /// The path to `goal` in the curriculum of the community `charter`
    /// says (named with the community's id, since names are not unique),
    /// or why there is none.
    pub fn path(charter: &super::Charter, goal: &str) -> Result<Scope, String> {
        let goal = goal.trim().to_lowercase();
        let skills: Vec<String> = charter.curriculum.path_to(&goal).iter().map(|s| s.id.clone()).collect();
        if skills.is_empty() {
            return Err(format!("{} has no skill `{goal}` in its curriculum", charter.name));
        }
        Ok(Scope::Path { name: format!("{} ({}): {goal}", charter.name, charter.id().short()), skills })
    }

    /// The skills it covers.
    pub fn skills(&self) -> Vec<String> {
        match self {
            Scope::Skill(skill) => vec![skill.clone()],
            Scope::Path { skills, .. } => skills.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Assessment {
    /// "rust", "path Rust Berlin: rust-async".
    pub scope: String,
    pub sessions: usize,
    pub minutes: i64,
    pub teachers: usize,
    /// The endorsements counted.
    pub evidence: Vec<String>,
    /// What the hub would sign, in one line.
    pub statement: String,
    /// Why the policy is not met (empty when it is).
    pub shortfalls: Vec<String>,
}

pub fn assess(learner: &PublicKey, endorsements: &[Endorsement], scope: &Scope, policy: &Policy) -> Assessment {
    let in_scope = |skill: &str| match scope {
        Scope::Skill(s) => s == skill,
        Scope::Path { skills, .. } => skills.iter().any(|s| s == skill),
    };
    let counted: Vec<&Endorsement> =
        endorsements.iter().filter(|e| e.learner.key == *learner && in_scope(&e.skill)).collect();
    let minutes: i64 = counted.iter().map(|e| e.minutes()).sum();
    let teachers: BTreeSet<PublicKey> = counted.iter().map(|e| e.teacher.key).collect();
    let mut evidence: Vec<String> = counted.iter().map(|e| e.id.clone()).collect();
    evidence.sort();
    evidence.dedup();
    let plural = |n: usize, word: &str| if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") };
    let (scope_name, mut statement) = match scope {
        Scope::Skill(skill) => (skill.clone(), format!("{} in {skill}", plural(evidence.len(), "session"))),
        Scope::Path { name, .. } => {
            (format!("path {name}"), format!("{} on the path {name}", plural(evidence.len(), "session")))
        }
    };
    statement.push_str(&format!(", {}, with {}", hours(minutes), plural(teachers.len(), "distinct teacher")));
    let mut shortfalls = Vec::new();
    if let Scope::Path { skills, .. } = scope {
        let missing: Vec<&str> =
            skills.iter().filter(|s| !counted.iter().any(|e| &e.skill == *s)).map(String::as_str).collect();
        if missing.is_empty() {
            statement.push_str("; path complete");
        } else {
            shortfalls.push(format!("no session yet in {}", missing.join(", ")));
        }
    }
    if evidence.len() < policy.min_sessions as usize {
        shortfalls.push(format!("{} of the {} required", plural(evidence.len(), "session"), policy.min_sessions));
    }
    if (minutes as f64) < policy.min_hours * 60.0 {
        shortfalls.push(format!("{} of the {} h required", hours(minutes), policy.min_hours));
    }
    if teachers.len() < policy.min_teachers as usize {
        shortfalls.push(format!("{} of the {} required", plural(teachers.len(), "teacher"), policy.min_teachers));
    }
    Assessment {
        scope: scope_name,
        sessions: evidence.len(),
        minutes,
        teachers: teachers.len(),
        evidence,
        statement,
        shortfalls,
    }
}
