//! Forms: a few labelled fields, one with focus, each checked on submit
//! with the error shown under the field it belongs to. Text is capped per
//! field, so a huge paste cannot grow without bound.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

mod listing;

use super::Effect;
use crate::endorse::cosign::Attestation;
use crate::market::{Action as Step, Listing, ListingRef, NegotiationId, Price, Terms};

#[derive(Clone, Debug, PartialEq)]
pub enum FieldKind {
    Text {
        max_chars: usize,
    },
    /// A local date and time, `YYYY-MM-DD HH:MM`, in the user's zone.
    DateTime,
    Number {
        min: u32,
        max: u32,
    },
    Choice {
        options: Vec<String>,
        selected: usize,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    pub kind: FieldKind,
    pub hint: &'static str,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FormKind {
    Propose {
        listing: ListingRef,
        title: String,
        /// What the time is checked against, for warnings.
        fit: Box<super::Fit>,
    },
    Counter(NegotiationId),
    Reschedule(NegotiationId),
    Decline(NegotiationId),
    Cancel(NegotiationId),
    /// The learner turns the record with this digest down.
    DeclineRecord(NegotiationId, crate::endorse::consent::RecordDigest),
    Review(NegotiationId),
    Attest(NegotiationId),
    Chat(NegotiationId),
    /// A new listing; the communities it may be placed in (the "Community"
    /// choice's options after the open directory).
    NewListing(Vec<crate::community::CommunityId>),
    /// Editing an own listing: same id, the next version.
    EditListing(Box<Listing>, Vec<crate::community::CommunityId>),
    Connect,
    /// A presentation of one's endorsements, signed for a verifier.
    Present,
    /// First run, or editing one's profile later.
    Profile,
    /// Found a community (the charter's first version).
    NewCommunity,
    /// Join a community by its ticket.
    JoinCommunity,
    /// Ask a hub to validate a path (or a skill) of this community.
    AskHub(crate::community::CommunityId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    pub kind: FormKind,
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The field a submit refused, and why.
    pub error: Option<(usize, String)>,
}

fn text(label: &'static str, value: impl Into<String>, max_chars: usize, hint: &'static str) -> Field {
    Field { label, value: value.into(), kind: FieldKind::Text { max_chars }, hint }
}

fn when(value: String) -> Field {
    Field {
        label: "When",
        value,
        kind: FieldKind::DateTime,
        hint: "your time; ←/→ 15 min, PgUp/PgDn a day, or type YYYY-MM-DD HH:MM",
    }
}

fn minutes(value: u16) -> Field {
    Field {
        label: "Minutes",
        value: value.to_string(),
        kind: FieldKind::Number { min: 15, max: 480 },
        hint: "15 to 480",
    }
}

fn choice(label: &'static str, options: Vec<&str>, selected: usize) -> Field {
    let options = options.into_iter().map(str::to_owned).collect();
    Field { label, value: String::new(), kind: FieldKind::Choice { options, selected }, hint: "←/→ to choose" }
}

/// Shows `at` as the date-time fields take it, in `tz`.
pub fn local_text(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned_datetime(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

impl Form {
    fn new(kind: FormKind, title: impl Into<String>, fields: Vec<Field>) -> Self {
        Self { kind, title: title.into(), fields, focus: 0, error: None }
    }

    /// Proposing on someone's listing: by default the first hour inside
    /// the listing's weekly times, at least an hour from now (without
    /// weekly times, tomorrow at the next full hour).
    pub fn propose(
        listing: ListingRef,
        title: &str,
        price: &Price,
        fit: super::Fit,
        now: Timestamp,
        tz: &TimeZone,
    ) -> Self {
        let soonest = now.saturating_add(SignedDuration::from_hours(1)).unwrap_or(now);
        let start = fit
            .availability
            .as_ref()
            .and_then(|a| a.next_start(soonest, 60))
            .unwrap_or_else(|| next_hour(now).saturating_add(SignedDuration::from_hours(24)).unwrap_or(now));
        Self::new(
            FormKind::Propose { listing, title: title.to_owned(), fit: Box::new(fit) },
            format!("Propose a session: {title}"),
            vec![
                when(local_text(start, tz)),
                minutes(60),
                text("Price", price.to_string().trim_end_matches("/h"), 24, "free, 1 credit, 25 EUR (per hour)"),
                text("Topic", "", 200, "what you would like to cover"),
            ],
        )
    }

    pub fn counter(id: NegotiationId, terms: &Terms, tz: &TimeZone, reschedule: bool) -> Self {
        let kind = if reschedule { FormKind::Reschedule(id) } else { FormKind::Counter(id) };
        let title = if reschedule { "Reschedule the session" } else { "Counter with other terms" };
        Self::new(
            kind,
            title,
            vec![
                when(local_text(terms.start, tz)),
                minutes(terms.duration_minutes),
                text("Price", terms.price.to_string().trim_end_matches("/h"), 24, "free, 1 credit, 25 EUR (per hour)"),
                text("Topic", terms.topic.clone(), 200, "what to cover"),
            ],
        )
    }

    pub fn reason(kind: FormKind) -> Self {
        if matches!(kind, FormKind::DeclineRecord(..)) {
            let why = text("Reason", "", 200, "what should change, for the teacher to revise");
            return Self::new(kind, "Decline the record", vec![why]);
        }
        let title = if matches!(kind, FormKind::Decline(_)) { "Decline" } else { "Cancel the session" };
        Self::new(kind, title, vec![text("Reason", "", 200, "a few words for the other side (optional)")])
    }

    pub fn review(id: NegotiationId) -> Self {
        Self::new(
            FormKind::Review(id),
            "Endorse the session: your review",
            vec![
                choice("Rating", vec!["1", "2", "3", "4", "5"], 4),
                text("Words", "", 600, "what you would tell the next learner"),
            ],
        )
    }

    pub fn attest(id: NegotiationId) -> Self {
        Self::new(
            FormKind::Attest(id),
            "Endorse the session: your attestation",
            vec![
                text("Covered", "", 600, "what the session covered"),
                text("Showed", "", 600, "what the learner showed they can do"),
            ],
        )
    }

    pub fn chat(id: NegotiationId) -> Self {
        Self::new(FormKind::Chat(id), "Message", vec![text("Message", "", 1000, "Enter sends")])
    }

    /// Who you are, what you teach and want to learn, where you gather.
    pub fn profile(name: &str, zone: &str, languages: &[String], communities: &[String], first_run: bool) -> Self {
        let title = if first_run { "Welcome to agora: who are you? (esc to skip)" } else { "Your profile" };
        let mut fields = vec![
            text("Name", name, 64, "how others see you"),
            text("Time zone", zone, 64, "IANA name, e.g. Europe/Lisbon (detected)"),
            text("Languages", languages.join(", "), 80, "e.g. en, pt-BR"),
        ];
        if first_run {
            fields.push(text("I can teach", "", 120, "skills, comma separated (a first offer each)"));
            fields.push(text("I want to learn", "", 120, "skills, comma separated (a first request each)"));
        }
        fields.push(text("Communities", communities.join(", "), 200, "which to join (from the next start)"));
        Self::new(FormKind::Profile, title, fields)
    }

    /// A community's charter, first version: the user founds it and keeps
    /// it (a curriculum comes with `agora community edit --curriculum`).
    pub fn new_community() -> Self {
        Self::new(
            FormKind::NewCommunity,
            "Found a community (a curriculum: agora community edit --curriculum FILE)",
            vec![
                text("Name", "", 60, "what it is called (others may share it: its id is yours)"),
                text("Description", "", 1000, "what it is for, in a sentence or two"),
                text("Languages", "", 80, "e.g. en, pt-br"),
                text("Rules", "", 1000, "rules in plain words, separated by |"),
                choice("Who publishes", vec!["anyone", "invited members only"], 0),
            ],
        )
    }

    /// Ask a hub to validate the user's learning in community `id`: the
    /// path to `goal` (or that skill alone).
    pub fn ask_hub(id: crate::community::CommunityId, goal: &str, hub: &str) -> Self {
        Self::new(
            FormKind::AskHub(id),
            "Ask a hub to validate what you learned",
            vec![
                text("Hub ticket", hub, 2048, "the agora1… ticket of a hub running agora serve --hub"),
                text("Skill", goal, 64, "a skill of this community's curriculum"),
                choice("Validate", vec!["the path to it", "this skill only"], 0),
            ],
        )
    }

    pub fn join_community() -> Self {
        Self::new(
            FormKind::JoinCommunity,
            "Join a community",
            vec![text("Ticket", "", 2048, "paste an agorac1… community ticket")],
        )
    }

    pub fn connect() -> Self {
        Self::new(FormKind::Connect, "Connect with a ticket", vec![text("Ticket", "", 2048, "paste an agora1… ticket")])
    }

    pub fn present() -> Self {
        Self::new(
            FormKind::Present,
            "Present your endorsements",
            vec![
                text("Skill", "", 64, "only this skill (empty: all)"),
                text("Since", "", 10, "only sessions from YYYY-MM-DD on (empty: all)"),
                text("Challenge", "", 200, "the verifier's challenge, if they gave one"),
                text("Domain", "", 200, "the verifier's domain, if they gave one"),
                choice("Hub validations", vec!["add those of these endorsements", "leave out"], 0),
            ],
        )
    }

    /// What the time as typed does not fit (outside the listing's weekly
    /// times, over another of the user's sessions): shown, not refused.
    pub fn warnings(&self, tz: &TimeZone) -> Vec<String> {
        let FormKind::Propose { fit, .. } = &self.kind else { return Vec::new() };
        let (Ok(start), Ok(minutes)) = (parse_local(self.value(0), tz), self.value(1).parse::<u16>()) else {
            return Vec::new();
        };
        fit.warnings(start, minutes, tz)
    }

    pub fn focused(&mut self) -> &mut Field {
        let focus = self.focus.min(self.fields.len().saturating_sub(1));
        &mut self.fields[focus]
    }

    pub fn type_char(&mut self, c: char) {
        let field = self.focused();
        match &field.kind {
            FieldKind::Text { max_chars } if field.value.chars().count() < *max_chars && !c.is_control() => {
                field.value.push(c)
            }
            FieldKind::DateTime if field.value.len() < 16 && (c.is_ascii_digit() || "-: ".contains(c)) => {
                field.value.push(c)
            }
            FieldKind::Number { .. } if field.value.len() < 4 && c.is_ascii_digit() => field.value.push(c),
            _ => {}
        }
    }

    /// Pastes what fits; newlines become spaces.
    pub fn paste(&mut self, text: &str) {
        for c in text.chars().take(4096) {
            self.type_char(if c == '\n' || c == '\r' { ' ' } else { c });
        }
    }

    pub fn backspace(&mut self) {
        self.focused().value.pop();
    }

    pub fn next_field(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len().max(1);
    }

    pub fn prev_field(&mut self) {
        self.focus = (self.focus + self.fields.len().max(1) - 1) % self.fields.len().max(1);
    }

    /// ←/→ on a choice picks the previous or next option; on a date-time
    /// it moves 15 minutes earlier or later.
    pub fn shift_choice(&mut self, right: bool, tz: &TimeZone) {
        if matches!(self.focused().kind, FieldKind::DateTime) {
            return self.shift_time(SignedDuration::from_mins(if right { 15 } else { -15 }), tz);
        }
        if let FieldKind::Choice { options, selected } = &mut self.focused().kind {
            *selected =
                if right { (*selected + 1) % options.len() } else { (*selected + options.len() - 1) % options.len() };
        }
    }

    /// Moves a date-time field by `by` (PageUp/PageDown: a day), keeping
    /// the wall-clock time across daylight-saving changes.
    pub fn shift_time(&mut self, by: SignedDuration, tz: &TimeZone) {
        let field = self.focused();
        if !matches!(field.kind, FieldKind::DateTime) {
            return;
        }
        let Ok(civil) = field.value.replace(' ', "T").parse::<DateTime>() else { return };
        let Ok(moved) = civil.checked_add(by) else { return };
        if moved.to_zoned_datetime(tz.clone()).is_ok() {
            field.value = moved.strftime("%Y-%m-%d %H:%M").to_string();
        }
    }

    fn value(&self, i: usize) -> &str {
        self.fields.get(i).map(|f| f.value.trim()).unwrap_or("")
    }

    fn selected(&self, i: usize) -> usize {
        match self.fields.get(i).map(|f| &f.kind) {
            Some(FieldKind::Choice { selected, .. }) => *selected,
            _ => 0,
        }
    }

    /// Checks the fields and builds what to ask the node; on a mistake,
    /// records it on the field and returns `None`.
    pub fn submit(&mut self, now: Timestamp, tz: &TimeZone) -> Option<Effect> {
        match self.build(now, tz) {
            Ok(effect) => {
                self.error = None;
                Some(effect)
            }
            Err((field, message)) => {
                self.focus = field;
                self.error = Some((field, message));
                None
            }
        }
    }

    fn build(&self, now: Timestamp, tz: &TimeZone) -> Result<Effect, (usize, String)> {
        Ok(match &self.kind {
            FormKind::Propose { listing, .. } => Effect::Propose(*listing, self.terms(now, tz)?),
            FormKind::Counter(id) => Effect::Act(*id, Step::Counter { terms: self.terms(now, tz)? }),
            FormKind::Reschedule(id) => Effect::Act(*id, Step::Reschedule { terms: self.terms(now, tz)? }),
            FormKind::Decline(id) => Effect::Act(*id, Step::Decline { reason: self.value(0).to_owned() }),
            FormKind::Cancel(id) => Effect::Act(*id, Step::Cancel { reason: self.value(0).to_owned() }),
            FormKind::DeclineRecord(id, seen) => {
                if self.value(0).trim().is_empty() {
                    return Err((0, "say what should change".into()));
                }
                Effect::DeclineRecord(*id, *seen, self.value(0).to_owned())
            }
            FormKind::Review(id) => {
                let rating = self.selected(0) as u8 + 1;
                Effect::Review(*id, rating, self.value(1).to_owned())
            }
            FormKind::Attest(id) => {
                if self.value(0).is_empty() {
                    return Err((0, "say what the session covered".into()));
                }
                let attestation = Attestation { covered: self.value(0).to_owned(), showed: self.value(1).to_owned() };
                Effect::Attest(*id, attestation)
            }
            FormKind::Chat(id) => {
                if self.value(0).is_empty() {
                    return Err((0, "write something first".into()));
                }
                Effect::Chat(*id, self.value(0).to_owned())
            }
            FormKind::Connect => {
                let ticket = self.value(0);
                if let Err(e) = ticket.parse::<crate::net::Ticket>() {
                    return Err((0, e.to_string()));
                }
                Effect::Connect(ticket.to_owned())
            }
            FormKind::NewListing(places) => Effect::Publish(self.listing(now, tz, places)?),
            FormKind::EditListing(before, places) => {
                let mut listing = self.listing(now, tz, places)?;
                listing.id = before.id;
                listing.version = before.version.saturating_add(1);
                listing.availability = before.availability.clone();
                listing.expires_at = listing.expires_at.max(before.expires_at);
                Effect::Publish(listing)
            }
            FormKind::Profile => Effect::Onboard(self.onboarding()?),
            FormKind::AskHub(community) => {
                let ticket = self.value(0).trim();
                if let Err(e) = ticket.parse::<crate::net::Ticket>() {
                    return Err((0, e.to_string()));
                }
                let skill = self.value(1).trim().to_lowercase();
                if skill.is_empty() {
                    return Err((1, "a skill of the curriculum, like `ownership`".into()));
                }
                let ask = if self.selected(2) == 0 {
                    crate::node::hub::Ask::Path(*community, skill)
                } else {
                    crate::node::hub::Ask::Skill(skill)
                };
                Effect::AskHub(ticket.to_owned(), ask)
            }
            FormKind::NewCommunity => {
                if self.value(0).trim().is_empty() {
                    return Err((0, "give it a name".into()));
                }
                let list = |i: usize, separator: char| -> Vec<String> {
                    self.value(i).split(separator).map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
                };
                let languages: Vec<String> = list(2, ',').into_iter().map(|l| l.to_lowercase()).collect();
                let founding = super::effect::Founding {
                    name: self.value(0).trim().to_owned(),
                    description: self.value(1).trim().to_owned(),
                    languages,
                    rules: list(3, '|'),
                    invite_only: self.selected(4) == 1,
                };
                founding.check()?;
                Effect::FoundCommunity(founding)
            }
            FormKind::JoinCommunity => {
                let ticket = self.value(0).trim();
                if let Err(e) = ticket.parse::<crate::community::ticket::CommunityTicket>() {
                    return Err((0, e.to_string()));
                }
                Effect::JoinCommunity(ticket.to_owned())
            }
            FormKind::Present => {
                let since = match self.value(1) {
                    "" => None,
                    text => Some(
                        text.parse::<jiff::civil::Date>()
                            .ok()
                            .and_then(|d| tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight())).ok())
                            .ok_or((1, "a date like 2026-01-31".to_owned()))?,
                    ),
                };
                let optional = |i: usize| Some(self.value(i).to_owned()).filter(|v| !v.is_empty());
                let selection = crate::endorse::presentation::Selection {
                    skill: optional(0),
                    since,
                    validations: self.selected(4) == 0,
                    ..Default::default()
                };
                let binding = crate::endorse::presentation::Binding { challenge: optional(2), domain: optional(3) };
                Effect::Present(selection, binding)
            }
        })
    }

    fn terms(&self, now: Timestamp, tz: &TimeZone) -> Result<Terms, (usize, String)> {
        let start = parse_local(self.value(0), tz).map_err(|e| (0, e))?;
        if start <= now {
            return Err((0, "pick a time in the future".into()));
        }
        let duration_minutes = self.value(1).parse::<u16>().map_err(|_| (1, "a number of minutes".to_owned()))?;
        let price = self.value(2).parse::<Price>().map_err(|e| (2, e.to_string()))?;
        let terms = Terms { start, duration_minutes, price, topic: self.value(3).to_owned() };
        terms.validate().map_err(|e| {
            let field = match e.field {
                "duration" => 1,
                "price" => 2,
                _ => 3,
            };
            (field, e.to_string())
        })?;
        Ok(terms)
    }
}

impl Form {
    fn onboarding(&self) -> Result<super::Onboarding, (usize, String)> {
        let list = |i: usize| -> Vec<String> {
            self.value(i).split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect()
        };
        let name = self.value(0).to_owned();
        if name.is_empty() {
            return Err((0, "a name, so others know whom they meet".into()));
        }
        crate::wire::check_text("name", &name, 64, false).map_err(|e| (0, e.to_string()))?;
        let zone = self.value(1).to_owned();
        if jiff::tz::TimeZone::get(&zone).is_err() {
            return Err((1, format!("`{zone}` is not a time zone name like Europe/Lisbon")));
        }
        let languages = list(2);
        let first_run = self.fields.len() == 6;
        let (teach, learn, communities_field) = if first_run { (list(3), list(4), 5) } else { (vec![], vec![], 3) };
        let skills = |field: usize, items: &[String]| -> Result<Vec<String>, (usize, String)> {
            items
                .iter()
                .map(|s| {
                    let tag = s.to_lowercase();
                    crate::wire::check_tag("skill", &tag, crate::market::MAX_SKILL_CHARS)
                        .map_err(|e| (field, e.to_string()))?;
                    Ok(tag)
                })
                .collect()
        };
        let teach = skills(3, &teach)?;
        let learn = skills(4, &learn)?;
        let communities = list(communities_field);
        if communities.is_empty() {
            return Err((communities_field, "at least one community, like `agora`".into()));
        }
        let profile = crate::market::Profile {
            name: name.clone(),
            bio: String::new(),
            languages: languages.clone(),
            time_zone: zone.clone(),
        };
        use crate::wire::Body as _;
        profile.validate().map_err(|e| (if e.field == "languages" { 2 } else { 0 }, e.to_string()))?;
        let choice = crate::config::ProfileChoice { name, time_zone: zone, languages, communities };
        Ok(super::Onboarding { choice, teach, learn })
    }
}

/// Parses `YYYY-MM-DD HH:MM` as a time in `tz`.
/// A time as people type it (`2026-12-01 18:00`), in `tz`.
pub fn parse_local(text: &str, tz: &TimeZone) -> Result<Timestamp, String> {
    let civil: DateTime =
        text.replace(' ', "T").parse().map_err(|_| format!("`{text}` is not like 2026-12-01 18:00"))?;
    civil.to_zoned_datetime(tz.clone()).map(|z| z.timestamp()).map_err(|e| e.to_string())
}

fn next_hour(now: Timestamp) -> Timestamp {
    let secs = now.as_second();
    Timestamp::from_second(secs - secs.rem_euclid(3600) + 3600).unwrap_or(now)
}
