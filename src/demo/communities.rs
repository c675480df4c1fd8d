//! The demo's two communities, founded by demo people when the demo
//! starts: a programming commons with a curriculum from Python and Rust to
//! ownership and data work, and a language café for Spanish. Their
//! curricula align to the communities' own (invented) frameworks: the
//! demo names no public framework entry it cannot vouch for.

use crate::community::{Admission, Alignment, Charter, Curriculum, SkillDef};
use crate::identity::PublicKey;
use crate::market::Level;

/// Who founds which: (founder's name, co-maintainer's name, charter).
pub fn charters(key_of: impl Fn(&str) -> Option<PublicKey>) -> Vec<(PublicKey, Charter)> {
    let mut out = Vec::new();
    if let (Some(wanjiru), Some(ines)) = (key_of("Wanjiru Kamau"), key_of("Inês Carvalho")) {
        out.push((wanjiru, code_commons(wanjiru, ines)));
    }
    if let (Some(mateo), Some(ines)) = (key_of("Mateo Rincón"), key_of("Inês Carvalho")) {
        out.push((mateo, language_cafe(mateo, ines)));
    }
    out
}

/// The listing a maintainer hides: (listing title, maintainer, reason).
/// Its author placed it in a community about something else.
pub const HIDDEN: (&str, &str, &str) = (
    "Folk guitar for beginners",
    "Wanjiru Kamau",
    "Off topic here: music lessons belong in the open directory, where everyone sees them",
);

/// The skill the demo sets as the newcomer's goal: (community name, skill).
pub const NEWCOMER_GOAL: (&str, &str) = ("Code Commons", "ownership");

fn skill(id: &str, name: &str, description: &str, level: Level, requires: &[&str], framework: &str) -> SkillDef {
    let base = framework.to_lowercase().replace(' ', "-");
    SkillDef {
        id: id.into(),
        name: name.into(),
        description: description.into(),
        level,
        requires: requires.iter().map(|r| r.to_string()).collect(),
        alignments: vec![Alignment {
            target_name: name.into(),
            target_url: format!("https://{base}.example/curriculum#{id}"),
            target_framework: framework.into(),
            target_code: format!("{}-{}", framework.chars().next().unwrap_or('X'), id.to_uppercase()),
        }],
    }
}

fn code_commons(founder: PublicKey, ines: PublicKey) -> Charter {
    let f = "Code Commons";
    Charter {
        founder,
        nonce: *b"demo-code-commo1",
        version: 1,
        previous: None,
        name: "Code Commons".into(),
        description: "Programmers teaching programmers, from a first script to systems work.".into(),
        languages: vec!["en".into(), "pt".into()],
        rules: vec![
            "Be kind to beginners: everyone was one.".into(),
            "Sessions are hands-on: bring code, leave with code.".into(),
        ],
        maintainers: vec![founder, ines],
        admission: Admission::Open,
        curriculum: Curriculum {
            skills: vec![
                skill(
                    "python",
                    "Python basics",
                    "Scripts, functions and the standard library",
                    Level::Beginner,
                    &[],
                    f,
                ),
                skill("rust", "Rust basics", "Cargo, types, enums and tests", Level::Beginner, &[], f),
                skill(
                    "ownership",
                    "Ownership and borrowing",
                    "Moves, borrows, lifetimes",
                    Level::Intermediate,
                    &["rust"],
                    f,
                ),
                skill("data", "Working with data", "Tables, cleaning and plots", Level::Intermediate, &["python"], f),
            ],
        },
    }
}

fn language_cafe(founder: PublicKey, ines: PublicKey) -> Charter {
    let f = "Cafe de Idiomas";
    Charter {
        founder,
        nonce: *b"demo-lang-cafe01",
        version: 1,
        previous: None,
        name: "Café de Idiomas".into(),
        description: "A language exchange: teach yours, learn theirs, over coffee or online.".into(),
        languages: vec!["es".into(), "pt".into(), "en".into()],
        rules: vec!["Half the time in each language.".into()],
        maintainers: vec![founder, ines],
        admission: Admission::Open,
        curriculum: Curriculum {
            skills: vec![
                skill(
                    "spanish",
                    "Spanish basics",
                    "Greetings, the present tense, ordering food",
                    Level::Beginner,
                    &[],
                    f,
                ),
                skill(
                    "conversation",
                    "Conversation",
                    "An hour of talk about anything",
                    Level::Intermediate,
                    &["spanish"],
                    f,
                ),
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;
    use crate::wire::Body as _;

    #[test]
    fn both_charters_are_valid_and_name_the_newcomers_goal() {
        let key = |seed: u8| Identity::from_secret_bytes(&[seed; 32]).public();
        let all = charters(|name| match name {
            "Wanjiru Kamau" => Some(key(1)),
            "Inês Carvalho" => Some(key(2)),
            "Mateo Rincón" => Some(key(3)),
            _ => None,
        });
        assert_eq!(all.len(), 2);
        for (_, charter) in &all {
            charter.validate().unwrap();
        }
        let commons = all.iter().find(|(_, c)| c.name == NEWCOMER_GOAL.0).unwrap();
        assert_eq!(commons.1.curriculum.path_to(NEWCOMER_GOAL.1).len(), 2);
    }
}
