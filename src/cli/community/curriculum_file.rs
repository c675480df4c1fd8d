//! A curriculum written by hand, in TOML, for `agora community create` and
//! `edit --curriculum FILE`:
//!
//! ```toml
//! [[skill]]
//! id = "rust-ownership"
//! name = "Ownership and borrowing"
//! description = "Moves, borrows and lifetimes"
//! level = "intermediate"          # any, beginner, intermediate, advanced
//! requires = ["rust-basics"]
//! [[skill.alignment]]
//! name = "Rust (computer programming)"
//! url = "https://esco.ec.europa.eu/en/classification/skill?uri=..."
//! framework = "ESCO"
//! code = "S1.2.3"
//! ```

use std::path::Path;

use anyhow::Context as _;
use serde::Deserialize;

use crate::community::{Alignment, Curriculum, SkillDef};
use crate::market::Level;

/// Larger files are refused before they are read.
const MAX_FILE_BYTES: u64 = 256 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    skill: Vec<Skill>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Skill {
    id: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    level: LevelName,
    #[serde(default)]
    requires: Vec<String>,
    #[serde(default)]
    alignment: Vec<AlignmentEntry>,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum LevelName {
    #[default]
    Any,
    Beginner,
    Intermediate,
    Advanced,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlignmentEntry {
    name: String,
    url: String,
    #[serde(default)]
    framework: String,
    #[serde(default)]
    code: String,
}

/// Reads and checks a curriculum file (cycles and missing prerequisites
/// are refused here, with the skills named).
pub fn read(path: &Path) -> anyhow::Result<Curriculum> {
    let size = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?.len();
    if size > MAX_FILE_BYTES {
        anyhow::bail!("{}: {size} bytes; a curriculum file may have at most {MAX_FILE_BYTES}", path.display());
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let curriculum = parse(&text).with_context(|| format!("curriculum {}", path.display()))?;
    Ok(curriculum)
}

pub fn parse(text: &str) -> anyhow::Result<Curriculum> {
    let file: File = toml::from_str(text)?;
    let curriculum = Curriculum {
        skills: file
            .skill
            .into_iter()
            .map(|s| SkillDef {
                id: s.id,
                name: s.name,
                description: s.description,
                level: match s.level {
                    LevelName::Any => Level::Any,
                    LevelName::Beginner => Level::Beginner,
                    LevelName::Intermediate => Level::Intermediate,
                    LevelName::Advanced => Level::Advanced,
                },
                requires: s.requires,
                alignments: s
                    .alignment
                    .into_iter()
                    .map(|a| Alignment {
                        target_name: a.name,
                        target_url: a.url,
                        target_framework: a.framework,
                        target_code: a.code,
                    })
                    .collect(),
            })
            .collect(),
    };
    curriculum.validate()?;
    Ok(curriculum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_reads_into_a_checked_curriculum() {
        let c = parse(
            r#"
[[skill]]
id = "rust-basics"
name = "Rust basics"
level = "beginner"

[[skill]]
id = "rust-ownership"
name = "Ownership"
requires = ["rust-basics"]
[[skill.alignment]]
name = "Rust"
url = "https://esco.example/skill/1"
framework = "ESCO"
"#,
        )
        .unwrap();
        assert_eq!(c.skills.len(), 2);
        assert_eq!(c.skills[1].alignments[0].target_framework, "ESCO");
        let circle = "[[skill]]\nid = \"a\"\nname = \"A\"\nrequires = [\"b\"]\n[[skill]]\nid = \"b\"\nname = \"B\"\nrequires = [\"a\"]\n";
        assert!(format!("{:#}", parse(circle).unwrap_err()).contains("circle"));
        assert!(parse("[[skill]]\nid = \"a\"\nname = \"A\"\ncolour = 1\n").is_err(), "unknown fields are refused");
    }
}
