//! Demo personas: invented people read from `assets/personas/*.toml`
//! (compiled in), turned into a profile, listings and behaviour traits.

use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;

use super::DemoError;
use crate::market::{Availability, Format, Id16, Level, Listing, ListingKind, Price, Profile, Window};

/// The persona files, by slug (which also names the peer's store folder and
/// seeds its key).
pub const PERSONA_FILES: &[(&str, &str)] = &[
    ("ines", include_str!("../../assets/personas/ines.toml")),
    ("mateo", include_str!("../../assets/personas/mateo.toml")),
    ("haruka", include_str!("../../assets/personas/haruka.toml")),
    ("wanjiru", include_str!("../../assets/personas/wanjiru.toml")),
    ("lukas", include_str!("../../assets/personas/lukas.toml")),
    ("priya", include_str!("../../assets/personas/priya.toml")),
    ("tomas", include_str!("../../assets/personas/tomas.toml")),
    ("aroha", include_str!("../../assets/personas/aroha.toml")),
];

/// Demo listings stay up this long after the demo starts.
const LISTING_LIFETIME: SignedDuration = SignedDuration::from_hours(30 * 24);

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Persona {
    #[serde(skip)]
    pub slug: String,
    pub name: String,
    pub bio: String,
    pub languages: Vec<String>,
    pub time_zone: String,
    pub behaviour: Behaviour,
    pub listings: Vec<PersonaListing>,
}

/// How a persona acts: how fast it answers, how it tends to answer, what it says.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    /// A reply comes after a delay drawn from this range (seconds).
    pub reply_delay_secs: [u32; 2],
    /// Relative weights of the answers to a proposal.
    pub accept: u32,
    pub counter: u32,
    pub decline: u32,
    /// How many sessions this persona proposes on its own, per run.
    pub proposals: u32,
    /// Chance (0 to 1) of answering a newcomer's listing.
    pub curiosity: f64,
    /// Lines; `{skill}` and `{time}` are filled in.
    pub say_propose: String,
    pub say_accept: String,
    pub say_counter: String,
    pub say_decline: String,
    /// Short replies when chatted to, used in turn (when no line for the
    /// persona's role in the session is given).
    pub chat: Vec<String>,
    /// Replies when teaching, and when learning (default: `chat`).
    #[serde(default)]
    pub chat_teaching: Vec<String>,
    #[serde(default)]
    pub chat_learning: Vec<String>,
    /// Replies to a question, when teaching and when learning (`{topic}` is
    /// filled in): a question is never answered "Sounds good!".
    #[serde(default = "default_answer_teaching")]
    pub answer_teaching: Vec<String>,
    #[serde(default = "default_answer_learning")]
    pub answer_learning: Vec<String>,
    /// As a learner, after the session.
    #[serde(default = "default_rating")]
    pub rating: u8,
    #[serde(default = "default_review")]
    pub review: String,
    /// As a teacher, after the session (`{topic}` is filled in).
    #[serde(default = "default_covered")]
    pub covered: String,
    #[serde(default = "default_showed")]
    pub showed: String,
}

fn default_answer_teaching() -> Vec<String> {
    vec![
        "Good question. Let us start with {topic} and go where you need.".into(),
        "Yes. Bring whatever you have tried so far, and we take it from there.".into(),
    ]
}
fn default_answer_learning() -> Vec<String> {
    vec!["Mostly {topic}, if that works for you.".into(), "Yes, that works for me.".into()]
}

impl Behaviour {
    /// The persona's `turn`-th reply in a session where it has `role`, to a
    /// message that is a `question` or not; `topic` fills `{topic}`.
    pub fn reply(&self, role: crate::market::Role, question: bool, turn: usize, topic: &str) -> String {
        let teaching = role == crate::market::Role::Teacher;
        let lines = match (question, teaching) {
            (true, true) => &self.answer_teaching,
            (true, false) => &self.answer_learning,
            (false, true) if !self.chat_teaching.is_empty() => &self.chat_teaching,
            (false, false) if !self.chat_learning.is_empty() => &self.chat_learning,
            _ => &self.chat,
        };
        match lines.get(turn % lines.len().max(1)) {
            Some(line) => line.replace("{topic}", topic),
            None => "Thank you!".into(),
        }
    }
}

fn default_rating() -> u8 {
    5
}
fn default_review() -> String {
    "Thank you, that was a good session.".into()
}
fn default_covered() -> String {
    "{topic}".into()
}
fn default_showed() -> String {
    "Followed along well and asked good questions.".into()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonaKind {
    Offer,
    Request,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PersonaLevel {
    Any,
    Beginner,
    Intermediate,
    Advanced,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonaFormat {
    #[default]
    Online,
    InPerson,
    Either,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaListing {
    pub kind: PersonaKind,
    pub title: String,
    pub skills: Vec<String>,
    pub level: PersonaLevel,
    pub description: String,
    /// `free`, `1 credit`, `12 USD`.
    pub price: String,
    #[serde(default)]
    pub format: PersonaFormat,
    /// Where, for in-person sessions.
    #[serde(default)]
    pub area: Option<String>,
    /// Weekly windows like `mon 18:00-20:00`, in the persona's time zone.
    pub availability: Vec<String>,
    /// The demo community (by name) it is placed in once the persona
    /// joined it; none: the open directory.
    #[serde(default)]
    pub community: Option<String>,
}

impl Persona {
    /// Parses one persona file.
    pub fn parse(slug: &str, text: &str) -> Result<Self, DemoError> {
        let bad = |reason: String| DemoError::Persona { slug: slug.to_owned(), reason };
        let mut persona: Persona = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        persona.slug = slug.to_owned();
        let [low, high] = persona.behaviour.reply_delay_secs;
        if low > high {
            return Err(bad("reply_delay_secs must be [low, high]".into()));
        }
        let b = &persona.behaviour;
        if b.accept + b.counter + b.decline == 0 {
            return Err(bad("at least one of accept, counter, decline must be above 0".into()));
        }
        if !(0.0..=1.0).contains(&b.curiosity) {
            return Err(bad("curiosity must be between 0 and 1".into()));
        }
        if b.chat.is_empty() {
            return Err(bad("chat needs at least one line".into()));
        }
        Ok(persona)
    }

    /// All compiled-in personas.
    pub fn all() -> Result<Vec<Persona>, DemoError> {
        PERSONA_FILES.iter().map(|(slug, text)| Persona::parse(slug, text)).collect()
    }

    pub fn profile(&self) -> Profile {
        Profile {
            name: self.name.clone(),
            bio: self.bio.clone(),
            languages: self.languages.clone(),
            time_zone: self.time_zone.clone(),
        }
    }

    /// The persona's listings as of `now`, with ids stable between runs.
    pub fn listings(&self, now: Timestamp) -> Result<Vec<Listing>, DemoError> {
        self.listings.iter().enumerate().map(|(i, l)| self.listing(i, l, now)).collect()
    }

    fn listing(&self, index: usize, listing: &PersonaListing, now: Timestamp) -> Result<Listing, DemoError> {
        let bad = |reason: String| DemoError::Persona { slug: self.slug.clone(), reason };
        let price: Price = listing.price.parse().map_err(|e: crate::market::PriceParseError| bad(e.to_string()))?;
        let windows = listing
            .availability
            .iter()
            .map(|w| Window::parse(w).map_err(|e| bad(e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let area = || listing.area.clone().ok_or_else(|| bad(format!("`{}` needs an area", listing.title)));
        let format = match listing.format {
            PersonaFormat::Online => Format::Online,
            PersonaFormat::InPerson => Format::InPerson { area: area()? },
            PersonaFormat::Either => Format::Either { area: area()? },
        };
        Ok(Listing {
            id: listing_id(&self.slug, index),
            version: 1,
            kind: match listing.kind {
                PersonaKind::Offer => ListingKind::Offer,
                PersonaKind::Request => ListingKind::Request,
            },
            title: listing.title.clone(),
            skills: listing.skills.clone(),
            level: match listing.level {
                PersonaLevel::Any => Level::Any,
                PersonaLevel::Beginner => Level::Beginner,
                PersonaLevel::Intermediate => Level::Intermediate,
                PersonaLevel::Advanced => Level::Advanced,
            },
            description: listing.description.clone(),
            format,
            price,
            availability: Availability { time_zone: self.time_zone.clone(), windows },
            expires_at: now.saturating_add(LISTING_LIFETIME).unwrap_or(now),
            placement: None,
        })
    }

    /// Skills this persona teaches (from its offers).
    pub fn teaches(&self) -> Vec<String> {
        self.skills_of(PersonaKind::Offer)
    }

    /// Skills this persona wants to learn (from its requests).
    pub fn learns(&self) -> Vec<String> {
        self.skills_of(PersonaKind::Request)
    }

    fn skills_of(&self, kind: PersonaKind) -> Vec<String> {
        let mut skills: Vec<String> = Vec::new();
        for skill in self.listings.iter().filter(|l| l.kind == kind).flat_map(|l| &l.skills) {
            if !skills.contains(skill) {
                skills.push(skill.clone());
            }
        }
        skills
    }

    /// The persona's 32-byte secret: derived from its slug, so its key (and
    /// name on the network) is the same in every run.
    pub fn secret(&self) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        Sha256::digest(format!("agora demo persona {}", self.slug)).into()
    }
}

/// A listing id derived from the persona and the listing's position.
fn listing_id(slug: &str, index: usize) -> Id16 {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(format!("agora demo listing {slug} {index}"));
    let mut id = [0u8; 16];
    id.copy_from_slice(&hash[..16]);
    Id16(id)
}

/// Fills `{skill}`, `{time}` and `{topic}` in a line.
pub fn fill(line: &str, skill: &str, time: &str, topic: &str) -> String {
    line.replace("{skill}", skill).replace("{time}", time).replace("{topic}", topic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;
    use crate::market::{ChatMessage, MAX_CHAT_CHARS};
    use crate::wire::{check_text, seal};

    #[test]
    fn every_persona_parses_and_every_listing_is_valid() {
        let now = Timestamp::now();
        let personas = Persona::all().expect("every persona file parses");
        assert!((6..=8).contains(&personas.len()));
        for persona in &personas {
            let identity = Identity::from_secret_bytes(&persona.secret());
            seal(&identity, &persona.profile(), now).unwrap_or_else(|e| panic!("{}: profile: {e}", persona.slug));
            let listings = persona.listings(now).unwrap_or_else(|e| panic!("{e}"));
            assert!((1..=3).contains(&listings.len()), "{}: 1 to 3 listings", persona.slug);
            for listing in &listings {
                seal(&identity, listing, now).unwrap_or_else(|e| panic!("{}: {}: {e}", persona.slug, listing.title));
                assert!(!listing.availability.windows.is_empty(), "{}: {} has no windows", persona.slug, listing.title);
            }
            let b = &persona.behaviour;
            for line in [&b.say_propose, &b.say_accept, &b.say_counter, &b.say_decline] {
                let filled = fill(line, "calculus", "Wed 18:00 (America/Argentina/Buenos_Aires)", "x");
                check_text("line", &filled, 200, false).unwrap_or_else(|e| panic!("{}: {e}", persona.slug));
            }
            for line in &b.chat {
                let chat = ChatMessage { negotiation: Id16::default(), id: Id16::default(), text: line.clone() };
                assert!(line.chars().count() <= MAX_CHAT_CHARS);
                seal(&identity, &chat, now).unwrap_or_else(|e| panic!("{}: chat: {e}", persona.slug));
            }
            assert!((1..=5).contains(&b.rating), "{}: rating", persona.slug);
            let attestation =
                crate::endorse::cosign::Attestation { covered: b.covered.clone(), showed: b.showed.clone() };
            attestation.validate().unwrap_or_else(|e| panic!("{}: {e}", persona.slug));
        }
        let keys: std::collections::HashSet<_> = personas.iter().map(|p| p.secret()).collect();
        assert_eq!(keys.len(), personas.len(), "distinct keys");
    }

    #[test]
    fn a_bad_persona_is_an_error_not_a_panic() {
        assert!(Persona::parse("x", "name = 3").is_err());
        let (_, good) = PERSONA_FILES[0];
        let mut persona = Persona::parse("x", good).unwrap();
        persona.listings[0].price = "lots of money".into();
        assert!(persona.listings(Timestamp::now()).is_err());
        persona.listings[0].price = "free".into();
        persona.listings[0].availability = vec!["someday".into()];
        assert!(persona.listings(Timestamp::now()).is_err());
        let no_answers = good.replace("accept = 3", "accept = 0").replace("counter = 1", "counter = 0");
        assert!(Persona::parse("x", &no_answers).is_err());
    }
}

#[cfg(test)]
mod in_character {
    use super::Persona;
    use crate::market::Role;

    #[test]
    fn a_persona_answers_a_question_and_speaks_as_its_role() {
        for persona in Persona::all().unwrap() {
            let b = &persona.behaviour;
            for turn in 0..4 {
                for role in [Role::Teacher, Role::Learner] {
                    let answer = b.reply(role, true, turn, "lifetimes");
                    assert!(!answer.contains("Sounds good"), "{}: a question answered {answer:?}", persona.name);
                    assert!(!answer.contains("{topic}"), "{}: {answer:?}", persona.name);
                }
                // A teacher does not ask what to prepare; a learner does not
                // tell the teacher what to bring.
                let teaching = b.reply(Role::Teacher, false, turn, "x");
                assert!(
                    !teaching.contains("should I") && !teaching.contains("I should"),
                    "{}: {teaching}",
                    persona.name
                );
                let learning = b.reply(Role::Learner, false, turn, "x");
                assert!(
                    !learning.starts_with("Bring") && !learning.contains("Please bring"),
                    "{}: {learning}",
                    persona.name
                );
            }
            assert!(b.say_decline.len() > 30, "{}: a decline says why: {:?}", persona.name, b.say_decline);
        }
    }
}
