//! The endorsement as a W3C VC 2.0 document in the Open Badges 3.0
//! `OpenBadgeCredential` shape, and back.
//!
//! The teacher is the `issuer`; the learner is the `credentialSubject`; the
//! skill is the `achievement`; what was covered is its criteria narrative;
//! the teacher's attestation and the learner's rating and words are two
//! `evidence` entries. Reading a document back rebuilds it from the parsed
//! fields and requires equality, so agora accepts exactly the shape it
//! writes and nothing that merely resembles it.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::data_integrity::{format_date, parse_date};
use crate::community::Alignment;
use crate::community::curriculum::MAX_ALIGNMENTS;
use crate::identity::{PublicKey, did_key_from_public, key_bytes_from_did_key};
use crate::wire::{FieldError, check_tag, check_text};

pub const VC_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";
pub const OB_CONTEXT: &str = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";
pub const MAX_SESSION: SignedDuration = SignedDuration::from_hours(24);
const ATTESTATION_GENRE: &str = "Teacher attestation";
const REVIEW_GENRE: &str = "Learner review";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub key: PublicKey,
    pub name: String,
}

/// The facts both parties sign.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endorsement {
    /// `urn:uuid:…`; one endorsement per negotiation.
    pub id: String,
    pub teacher: Party,
    pub learner: Party,
    pub skill: String,
    #[serde(with = "crate::market::time_ms")]
    pub start: Timestamp,
    #[serde(with = "crate::market::time_ms")]
    pub end: Timestamp,
    /// What the session covered (written by the teacher, agreed by both).
    pub covered: String,
    /// The learner's rating of the session, 1 to 5.
    pub rating: u8,
    /// The learner's words for the teacher.
    pub review: String,
    /// The teacher's attestation of what the learner showed.
    pub attestation: String,
    /// When the credential takes effect (usually the end of the session).
    #[serde(with = "crate::market::time_ms")]
    pub issued: Timestamp,
    /// Where the skill sits in public frameworks, from a community's
    /// curriculum: the achievement's Open Badges `alignment`.
    pub alignments: Vec<Alignment>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum ShapeError {
    #[error("`{0}` is missing or has the wrong type")]
    Missing(&'static str),
    #[error("`{path}` is not what agora writes here")]
    Unexpected { path: String },
    #[error("`{0}` is not a date-time in range")]
    BadDate(&'static str),
    #[error("`{0}` is not a did:key")]
    BadDid(&'static str),
    #[error("the rating must read `Rating: N/5` with N from 1 to 5")]
    BadRating,
    #[error(transparent)]
    Invalid(#[from] FieldError),
}

impl Endorsement {
    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }

    pub fn minutes(&self) -> i64 {
        self.duration().as_mins()
    }

    pub fn validate(&self) -> Result<(), FieldError> {
        let uuid = self.id.strip_prefix("urn:uuid:").and_then(|u| uuid::Uuid::try_parse(u).ok());
        if uuid.is_none() {
            return Err(FieldError::new("id", "must be urn:uuid:…"));
        }
        if self.teacher.key == self.learner.key {
            return Err(FieldError::new("learner", "teacher and learner must be different people"));
        }
        check_text("teacher.name", &self.teacher.name, 64, false)?;
        check_text("learner.name", &self.learner.name, 64, false)?;
        check_tag("skill", &self.skill, crate::market::MAX_SKILL_CHARS)?;
        let duration = self.duration();
        if duration <= SignedDuration::ZERO || duration > MAX_SESSION {
            return Err(FieldError::new("end", "a session must end after it starts and last at most 24 hours"));
        }
        if self.issued < self.start {
            return Err(FieldError::new("validFrom", "must not be before the session started"));
        }
        check_text("covered", &self.covered, 1000, true)?;
        if !(1..=5).contains(&self.rating) {
            return Err(FieldError::new("rating", "must be 1 to 5"));
        }
        check_text("review", &self.review, 1000, true)?;
        check_text("attestation", &self.attestation, 1000, true)?;
        crate::wire::check_list("alignment", &self.alignments, 0, MAX_ALIGNMENTS)?;
        self.alignments.iter().try_for_each(Alignment::validate)
    }

    /// The achievement: the skill, what was covered, and its alignments
    /// (the `alignment` key only when there are some).
    fn achievement(&self) -> Value {
        let mut achievement = json!({
            "id": format!("urn:agora:skill:{}", self.skill),
            "type": ["Achievement"],
            "name": self.skill,
            "description": format!("A one-to-one tutoring session in {}.", self.skill),
            "criteria": { "narrative": self.covered },
        });
        if !self.alignments.is_empty() {
            let alignments: Vec<Value> = self
                .alignments
                .iter()
                .map(|a| {
                    let mut entry = json!({
                        "type": ["Alignment"],
                        "targetName": a.target_name,
                        "targetUrl": a.target_url,
                    });
                    if !a.target_framework.is_empty() {
                        entry["targetFramework"] = json!(a.target_framework);
                    }
                    if !a.target_code.is_empty() {
                        entry["targetCode"] = json!(a.target_code);
                    }
                    entry
                })
                .collect();
            achievement["alignment"] = Value::Array(alignments);
        }
        achievement
    }

    /// The unsigned credential document.
    pub fn to_document(&self) -> Value {
        let minutes = self.minutes();
        json!({
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": self.id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": format!("Tutoring session: {}", self.skill),
            "description": format!(
                "{} taught {} {} in a {minutes}-minute session arranged on agora. Both signed this record.",
                self.teacher.name, self.learner.name, self.skill
            ),
            "issuer": {
                "id": did_key_from_public(&self.teacher.key),
                "type": ["Profile"],
                "name": self.teacher.name,
            },
            "validFrom": format_date(self.issued),
            "credentialSubject": {
                "id": did_key_from_public(&self.learner.key),
                "type": ["AchievementSubject"],
                "name": self.learner.name,
                "activityStartDate": format_date(self.start),
                "activityEndDate": format_date(self.end),
                "achievement": self.achievement(),
            },
            "evidence": [
                {
                    "type": ["Evidence"],
                    "genre": ATTESTATION_GENRE,
                    "name": "What the learner showed",
                    "narrative": self.attestation,
                },
                {
                    "type": ["Evidence"],
                    "genre": REVIEW_GENRE,
                    "name": format!("Rating: {}/5", self.rating),
                    "narrative": self.review,
                },
            ],
        })
    }

    /// Reads an unsigned document (no `proof`) in exactly agora's shape.
    pub fn from_document(doc: &Value) -> Result<Self, ShapeError> {
        Self::read(doc, |_| false)
    }

    /// Reads the claims of a secured document in exactly agora's shape,
    /// leaving its `proof` aside (neither read nor checked here).
    pub fn from_secured(doc: &Value) -> Result<Self, ShapeError> {
        Self::read(doc, |key| key == "proof")
    }

    /// Reads `doc`, whose top-level keys for which `aside` holds are not
    /// part of the shape.
    fn read(doc: &Value, aside: fn(&str) -> bool) -> Result<Self, ShapeError> {
        let text = |path: &'static str| doc.pointer(path).and_then(Value::as_str).ok_or(ShapeError::Missing(path));
        let date = |path: &'static str| parse_date(text(path)?).ok_or(ShapeError::BadDate(path));
        let did = |path: &'static str| key_bytes_from_did_key(text(path)?).map_err(|_| ShapeError::BadDid(path));
        let rating = text("/evidence/1/name")?
            .strip_prefix("Rating: ")
            .and_then(|r| r.strip_suffix("/5"))
            .and_then(|r| r.parse::<u8>().ok())
            .filter(|r| (1..=5).contains(r))
            .ok_or(ShapeError::BadRating)?;
        let endorsement = Endorsement {
            id: text("/id")?.to_owned(),
            teacher: Party { key: did("/issuer/id")?, name: text("/issuer/name")?.to_owned() },
            learner: Party { key: did("/credentialSubject/id")?, name: text("/credentialSubject/name")?.to_owned() },
            skill: text("/credentialSubject/achievement/name")?.to_owned(),
            start: date("/credentialSubject/activityStartDate")?,
            end: date("/credentialSubject/activityEndDate")?,
            covered: text("/credentialSubject/achievement/criteria/narrative")?.to_owned(),
            rating,
            review: text("/evidence/1/narrative")?.to_owned(),
            attestation: text("/evidence/0/narrative")?.to_owned(),
            issued: date("/validFrom")?,
            alignments: read_alignments(doc)?,
        };
        endorsement.validate()?;
        if let Some(path) = difference(doc, &endorsement.to_document(), String::new(), aside) {
            return Err(ShapeError::Unexpected { path });
        }
        Ok(endorsement)
    }
}

/// The achievement's alignments, if it has any (at most
/// [`MAX_ALIGNMENTS`], counted before anything is read from them).
fn read_alignments(doc: &Value) -> Result<Vec<Alignment>, ShapeError> {
    const PATH: &str = "/credentialSubject/achievement/alignment";
    let Some(list) = doc.pointer(PATH) else { return Ok(Vec::new()) };
    let list =
        list.as_array().filter(|l| !l.is_empty() && l.len() <= MAX_ALIGNMENTS).ok_or(ShapeError::Missing(PATH))?;
    list.iter()
        .map(|entry| {
            let text = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_owned);
            Ok(Alignment {
                target_name: text("targetName").ok_or(ShapeError::Missing(PATH))?,
                target_url: text("targetUrl").ok_or(ShapeError::Missing(PATH))?,
                target_framework: text("targetFramework").unwrap_or_default(),
                target_code: text("targetCode").unwrap_or_default(),
            })
        })
        .collect()
}

/// The first path at which `got` differs from `want`, if any.
fn first_difference(got: &Value, want: &Value, path: String) -> Option<String> {
    difference(got, want, path, |_| false)
}

/// [`first_difference`], leaving aside the keys of `got` (at this level
/// only) for which `aside` holds.
fn difference(got: &Value, want: &Value, path: String, aside: fn(&str) -> bool) -> Option<String> {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            if let Some(extra) = g.keys().find(|k| !aside(k) && !w.contains_key(*k)) {
                return Some(join(&path, extra));
            }
            w.iter().find_map(|(k, wv)| match g.get(k) {
                None => Some(join(&path, k)),
                Some(gv) => first_difference(gv, wv, join(&path, k)),
            })
        }
        (Value::Array(g), Value::Array(w)) if g.len() == w.len() => {
            g.iter().zip(w).enumerate().find_map(|(i, (gv, wv))| first_difference(gv, wv, format!("{path}[{i}]")))
        }
        _ if got == want => None,
        _ => Some(if path.is_empty() { "(document)".into() } else { path }),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

#[cfg(test)]
mod alignment_tests {
    use super::*;
    use crate::identity::Identity;

    fn aligned() -> Endorsement {
        let at: Timestamp = "2026-11-20T17:00:00Z".parse().unwrap();
        Endorsement {
            id: "urn:uuid:6a1f1c2e-0d0b-4c53-9b59-5b1c2f0e9a11".into(),
            teacher: Party { key: Identity::from_secret_bytes(&[1; 32]).public(), name: "Ada".into() },
            learner: Party { key: Identity::from_secret_bytes(&[2; 32]).public(), name: "Bob".into() },
            skill: "rust".into(),
            start: at,
            end: at.saturating_add(SignedDuration::from_mins(60)).unwrap(),
            covered: "Ownership".into(),
            rating: 5,
            review: "Clear.".into(),
            attestation: "Wrote a parser.".into(),
            issued: at.saturating_add(SignedDuration::from_mins(60)).unwrap(),
            alignments: vec![Alignment {
                target_name: "Rust".into(),
                target_url: "https://esco.example/rust".into(),
                target_framework: "ESCO".into(),
                target_code: String::new(),
            }],
        }
    }

    #[test]
    fn alignments_round_trip_and_nothing_else_is_read_into_them() {
        let e = aligned();
        let doc = e.to_document();
        assert_eq!(doc.pointer("/credentialSubject/achievement/alignment/0/type/0"), Some(&json!("Alignment")));
        assert!(doc.pointer("/credentialSubject/achievement/alignment/0/targetCode").is_none(), "empty is left out");
        assert_eq!(Endorsement::from_document(&doc).unwrap(), e);
        let mut extra = doc.clone();
        extra["credentialSubject"]["achievement"]["alignment"][0]["targetType"] = json!("ext:Other");
        assert!(matches!(Endorsement::from_document(&extra), Err(ShapeError::Unexpected { .. })));
        let mut empty = doc.clone();
        empty["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = json!("");
        assert!(Endorsement::from_document(&empty).is_err(), "an empty code is not what agora writes");
        let mut many = doc.clone();
        let one = doc["credentialSubject"]["achievement"]["alignment"][0].clone();
        many["credentialSubject"]["achievement"]["alignment"] = Value::Array(vec![one; MAX_ALIGNMENTS + 1]);
        assert_eq!(
            Endorsement::from_document(&many),
            Err(ShapeError::Missing("/credentialSubject/achievement/alignment"))
        );
        let mut script = e.clone();
        script.alignments[0].target_url = "javascript:alert(1)".into();
        assert!(script.validate().is_err());
        let none = Endorsement { alignments: Vec::new(), ..e };
        assert!(none.to_document().pointer("/credentialSubject/achievement/alignment").is_none());
    }
}
