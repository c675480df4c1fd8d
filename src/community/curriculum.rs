//! A curriculum: the skill map a community's charter may carry. Skills have
//! ids (tags, as listings use), names, short descriptions and levels,
//! prerequisites between them (a graph without cycles), and alignments to
//! public frameworks (an ESCO skill URI, an O*NET code, a school's own
//! code) that travel into the Open Badges `alignment` of an endorsement.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::market::Level;
use crate::wire::{FieldError, check_list, check_tag, check_text};

pub const MAX_SKILLS: usize = 96;
pub const MAX_PREREQUISITES: usize = 8;
pub const MAX_ALIGNMENTS: usize = 4;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Curriculum {
    pub skills: Vec<SkillDef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillDef {
    /// A tag (`rust-ownership`), what listings carry in `skills`.
    pub id: String,
    pub name: String,
    pub description: String,
    pub level: Level,
    /// Ids of skills to have before this one.
    pub requires: Vec<String>,
    pub alignments: Vec<Alignment>,
}

/// Where a skill sits in a public framework (Open Badges 3.0 `Alignment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alignment {
    pub target_name: String,
    /// An `https://` (or `http://`) URL naming the framework's entry.
    pub target_url: String,
    /// "ESCO", "O*NET-SOC", a school's name.
    pub target_framework: String,
    /// The framework's code for it, if it has one.
    pub target_code: String,
}

impl Curriculum {
    pub fn skill(&self, id: &str) -> Option<&SkillDef> {
        self.skills.iter().find(|s| s.id == id)
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        check_list("curriculum.skills", &self.skills, 0, MAX_SKILLS)?;
        let mut ids = BTreeSet::new();
        for skill in &self.skills {
            skill.validate()?;
            if !ids.insert(skill.id.as_str()) {
                return Err(FieldError::new("curriculum.skills", format!("`{}` appears twice", skill.id)));
            }
        }
        for skill in &self.skills {
            if let Some(missing) = skill.requires.iter().find(|r| !ids.contains(r.as_str())) {
                return Err(FieldError::new(
                    "curriculum.requires",
                    format!("`{}` requires `{missing}`, which is not in the curriculum", skill.id),
                ));
            }
        }
        if let Some(cycle) = self.cycle() {
            return Err(FieldError::new(
                "curriculum.requires",
                format!("prerequisites go round in a circle: {}", cycle.join(" → ")),
            ));
        }
        Ok(())
    }

    /// A circle of prerequisites, if there is one (skills in order, the
    /// first repeated at the end).
    fn cycle(&self) -> Option<Vec<String>> {
        let requires: BTreeMap<&str, &[String]> =
            self.skills.iter().map(|s| (s.id.as_str(), s.requires.as_slice())).collect();
        // 0 unseen, 1 on the current path, 2 done. Iterative, so a long
        // chain cannot exhaust the stack.
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        for start in requires.keys() {
            if state.get(start).copied().unwrap_or(0) != 0 {
                continue;
            }
            let mut path: Vec<(&str, usize)> = vec![(start, 0)];
            state.insert(start, 1);
            while let Some((node, next)) = path.last_mut() {
                let edges = requires.get(*node).copied().unwrap_or(&[]);
                if *next < edges.len() {
                    let to = edges[*next].as_str();
                    *next += 1;
                    match state.get(to).copied().unwrap_or(0) {
                        0 => {
                            state.insert(to, 1);
                            path.push((to, 0));
                        }
                        1 => {
                            let from = path.iter().position(|(n, _)| *n == to).unwrap_or(0);
                            let mut circle: Vec<String> = path[from..].iter().map(|(n, _)| n.to_string()).collect();
                            circle.push(to.to_owned());
                            return Some(circle);
                        }
                        _ => {}
                    }
                } else {
                    state.insert(node, 2);
                    path.pop();
                }
            }
        }
        None
    }

    /// Every skill `goal` needs first, nearest last, `goal` itself at the
    /// end: the order a learner can take them in.
    pub fn path_to(&self, goal: &str) -> Vec<&SkillDef> {
        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        self.visit(goal, &mut seen, &mut order);
        order
    }

    fn visit<'a>(&'a self, id: &str, seen: &mut BTreeSet<String>, order: &mut Vec<&'a SkillDef>) {
        // Depth is bounded by MAX_SKILLS (a validated curriculum has no cycle).
        if !seen.insert(id.to_owned()) {
            return;
        }
        let Some(skill) = self.skill(id) else { return };
        for required in &skill.requires {
            self.visit(required, seen, order);
        }
        order.push(skill);
    }
}

impl SkillDef {
    fn validate(&self) -> Result<(), FieldError> {
        check_tag("curriculum.id", &self.id, crate::market::MAX_SKILL_CHARS)?;
        if self.name.trim().is_empty() {
            return Err(FieldError::new("curriculum.name", format!("`{}` has no name", self.id)));
        }
        check_text("curriculum.name", &self.name, 60, false)?;
        check_text("curriculum.description", &self.description, 300, false)?;
        check_list("curriculum.requires", &self.requires, 0, MAX_PREREQUISITES)?;
        if self.requires.contains(&self.id) {
            return Err(FieldError::new("curriculum.requires", format!("`{}` requires itself", self.id)));
        }
        check_list("curriculum.alignments", &self.alignments, 0, MAX_ALIGNMENTS)?;
        self.alignments.iter().try_for_each(Alignment::validate)
    }
}

impl Alignment {
    pub fn validate(&self) -> Result<(), FieldError> {
        if self.target_name.trim().is_empty() {
            return Err(FieldError::new("alignment.target_name", "must not be empty"));
        }
        check_text("alignment.target_name", &self.target_name, 120, false)?;
        check_text("alignment.target_url", &self.target_url, 300, false)?;
        let url = url::Url::parse(&self.target_url)
            .map_err(|e| FieldError::new("alignment.target_url", format!("not a URL ({e})")))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(FieldError::new("alignment.target_url", "must be an https:// or http:// URL"));
        }
        check_text("alignment.target_framework", &self.target_framework, 60, false)?;
        check_text("alignment.target_code", &self.target_code, 60, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn skill(id: &str, requires: &[&str]) -> SkillDef {
        SkillDef {
            id: id.into(),
            name: id.to_uppercase(),
            description: String::new(),
            level: Level::Beginner,
            requires: requires.iter().map(|r| r.to_string()).collect(),
            alignments: Vec::new(),
        }
    }

    #[test]
    fn prerequisites_form_a_graph_without_circles() {
        let ok = Curriculum { skills: vec![skill("a", &[]), skill("b", &["a"]), skill("c", &["a", "b"])] };
        ok.validate().unwrap();
        let circle = Curriculum { skills: vec![skill("a", &["c"]), skill("b", &["a"]), skill("c", &["b"])] };
        let e = circle.validate().unwrap_err();
        assert!(e.reason.contains("circle") && e.reason.contains("a → c → b → a"), "{e}");
        let own = Curriculum { skills: vec![skill("a", &["a"])] };
        assert!(own.validate().unwrap_err().reason.contains("requires itself"));
        let missing = Curriculum { skills: vec![skill("a", &["ghost"])] };
        assert!(missing.validate().unwrap_err().reason.contains("`ghost`"));
        let twice = Curriculum { skills: vec![skill("a", &[]), skill("a", &[])] };
        assert!(twice.validate().unwrap_err().reason.contains("twice"));
    }

    #[test]
    fn a_long_chain_is_checked_without_deep_recursion() {
        let mut skills = vec![skill("s0", &[])];
        for i in 1..MAX_SKILLS {
            skills.push(skill(&format!("s{i}"), &[&format!("s{}", i - 1)]));
        }
        let chain = Curriculum { skills };
        chain.validate().unwrap();
        let path = chain.path_to(&format!("s{}", MAX_SKILLS - 1));
        assert_eq!(path.len(), MAX_SKILLS);
        assert_eq!(path[0].id, "s0");
    }

    #[test]
    fn the_path_to_a_goal_lists_prerequisites_first() {
        let c = Curriculum {
            skills: vec![
                skill("ownership", &["basics"]),
                skill("basics", &[]),
                skill("async", &["ownership", "basics"]),
            ],
        };
        let ids: Vec<_> = c.path_to("async").iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["basics", "ownership", "async"]);
        assert!(c.path_to("unknown").is_empty());
    }

    #[test]
    fn alignments_name_a_web_address_and_plain_text() {
        let mut s = skill("rust", &[]);
        s.alignments.push(Alignment {
            target_name: "Rust programming".into(),
            target_url: "https://esco.ec.europa.eu/en/classification/skill?uri=x".into(),
            target_framework: "ESCO".into(),
            target_code: "S1.2".into(),
        });
        Curriculum { skills: vec![s.clone()] }.validate().unwrap();
        s.alignments[0].target_url = "javascript:alert(1)".into();
        assert!(Curriculum { skills: vec![s.clone()] }.validate().is_err());
        s.alignments[0].target_url = "https://ok.example/\u{1b}[2J".into();
        assert!(Curriculum { skills: vec![s] }.validate().is_err());
    }
}
