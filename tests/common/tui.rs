//! The fixed state every terminal-client screen test draws from (fixed
//! clock, seeded keys), real key events through the keymap and the update
//! function, and drawing at a size.
#![allow(dead_code)]

use std::collections::BTreeSet;

use crate::common::{endorsement, identity, now, ts};
use agora::app::{Action, AppState, ListingItem, NetworkView, SessionItem, Snapshot, TrackRecord, update};
use agora::config::Config;
use agora::market::{
    Availability, Format, Id16, Level, Listing, ListingKind, ListingRef, Negotiation, Phase, Price, Role, Terms, Window,
};
use agora::node::RelayStatus;
use agora::node::record::{Progress, Stage};
use agora::store::PeerRecord;
use agora::tui::{Keymap, Screen, Theme};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::SignedDuration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

pub const PEOPLE: [&str; 5] = ["You", "Ada Lovelace", "Grace Hopper", "Alan Turing", "Emmy Noether"];

pub fn listing(n: u8, kind: ListingKind, title: &str, skills: &[&str], price: Price) -> Listing {
    Listing {
        id: Id16([n; 16]),
        version: 1,
        kind,
        title: title.into(),
        skills: skills.iter().map(|s| s.to_string()).collect(),
        level: Level::Beginner,
        description: "Small steps, real exercises, questions welcome.".into(),
        format: Format::Online,
        price,
        availability: Availability {
            time_zone: "Europe/Lisbon".into(),
            windows: vec![Window::parse("mon 18:00-20:00").unwrap()],
        },
        expires_at: ts("2026-12-20T00:00:00Z"),
        placement: None,
    }
}

pub fn item(author: u8, listing: Listing) -> ListingItem {
    let author_name = PEOPLE[author as usize - 1].to_owned();
    let haystack = format!("{} {} {}", listing.title, listing.skills.join(" "), author_name).to_lowercase();
    let languages = if author.is_multiple_of(2) { vec!["en".into(), "pt".into()] } else { vec!["en".into()] };
    ListingItem {
        listing,
        author: identity(author).public(),
        author_name,
        languages,
        haystack,
        community: None,
        hidden: None,
    }
}

pub fn session(n: u8, with: u8, me_teaches: bool, phase: Phase, title: &str) -> SessionItem {
    let me = identity(1).public();
    let other = identity(with).public();
    let terms = Terms {
        start: now().saturating_add(SignedDuration::from_hours(i64::from(n) * 5)).unwrap(),
        duration_minutes: 60,
        price: Price::Free,
        topic: "Lifetimes".into(),
    };
    let (teacher, learner) = if me_teaches { (me, other) } else { (other, me) };
    let agreed =
        matches!(phase, Phase::Agreed | Phase::InProgress { .. } | Phase::Completed { .. }).then(|| terms.clone());
    // A completed session waits for this user's part.
    let progress =
        matches!(phase, Phase::Completed { .. }).then_some(Progress { stage: Stage::GiveYourPart, declined: None });
    let phase = match phase {
        Phase::Proposed { by, .. } => Phase::Proposed { by, terms },
        other => other,
    };
    SessionItem {
        negotiation: Negotiation {
            id: Id16([n; 16]),
            listing: ListingRef { author: teacher, id: Id16([n; 16]) },
            skill: "rust".into(),
            teacher,
            learner,
            phase,
            agreed,
            seq: 1,
            updated_at: now(),
        },
        with: other,
        with_name: PEOPLE[with as usize - 1].to_owned(),
        title: title.into(),
        chat: vec![(other, now(), "Hello! Is Monday good for you?".into())],
        chat_waiting: 0,
        progress,
    }
}

pub fn fixture() -> AppState {
    let me = identity(1).public();
    let listings = vec![
        item(
            2,
            listing(2, ListingKind::Offer, "Rust for beginners", &["rust"], Price::Credits { centi_per_hour: 100 }),
        ),
        item(3, listing(3, ListingKind::Offer, "Compilers, gently", &["compilers", "rust"], Price::Free)),
        item(4, listing(4, ListingKind::Request, "Help me with calculus", &["calculus"], Price::Free)),
        item(
            5,
            listing(
                5,
                ListingKind::Offer,
                "Abstract algebra",
                &["algebra"],
                Price::Money { centi_per_hour: 2500, currency: "EUR".into() },
            ),
        ),
    ];
    let sessions = vec![
        session(1, 2, false, Phase::Proposed { by: Role::Teacher, terms: dummy_terms() }, "Rust for beginners"),
        session(2, 4, true, Phase::Agreed, "Help me with calculus"),
        session(
            3,
            3,
            false,
            Phase::Completed {
                started_at: now().saturating_sub(SignedDuration::from_mins(90)).unwrap(),
                ended_at: now().saturating_sub(SignedDuration::from_mins(30)).unwrap(),
            },
            "Compilers, gently",
        ),
    ];
    let endorsements = vec![endorsement(&identity(2), &identity(1), 0), endorsement(&identity(1), &identity(4), 1)];
    let peers = (2..=5)
        .map(|n| PeerRecord {
            key: identity(n).public(),
            name: PEOPLE[n as usize - 1].into(),
            last_seen: now(),
            blocked: n == 5,
        })
        .collect();
    let validation = hub_validation(&endorsements[0].id);
    let snapshot = Snapshot {
        me,
        profile: Some(agora::market::Profile {
            name: "You".into(),
            bio: String::new(),
            languages: vec!["en".into()],
            time_zone: "Europe/London".into(),
        }),
        listings,
        own: vec![listing(9, ListingKind::Offer, "Guitar for grown-ups", &["guitar"], Price::Free)],
        paused: vec![listing(8, ListingKind::Request, "Piano, someday", &["piano"], Price::Free)],
        sessions,
        endorsements,
        peers,
        profiles: [(
            identity(2).public(),
            agora::market::Profile {
                name: "Ada Lovelace".into(),
                bio: "Poetical science, one note at a time.".into(),
                languages: vec!["en".into(), "pt".into()],
                time_zone: "Europe/London".into(),
            },
        )]
        .into(),
        communities: communities(),
        validations: vec![validation],
    };
    let network = NetworkView {
        relays: RelayStatus::Off,
        lan_discovery: false,
        neighbors: BTreeSet::from([identity(2).public(), identity(3).public()]),
        ticket: "agora1ExampleTicketForSnapshotsOnly".into(),
        communities: vec!["agora".into()],
    };
    let mut state = AppState::new(snapshot, network, now(), jiff::tz::TimeZone::UTC, false);
    let record = TrackRecord::of(&identity(2).public(), &[endorsement(&identity(2), &identity(1), 0)], 0);
    update(&mut state, Action::TrackRecord(identity(2).public(), Ok(record)));
    state
}

/// A library's validation of the learner's rust sessions.
pub fn hub_validation(evidence: &str) -> agora::endorse::validation::Validation {
    agora::endorse::validation::Validation {
        id: "urn:uuid:2f1c9a4e-7b3d-4c8e-9a1f-5d6e7f809a1b".into(),
        hub: agora::endorse::Party { key: identity(7).public(), name: "Biblioteca de Lisboa".into() },
        learner: agora::endorse::Party { key: identity(1).public(), name: "You".into() },
        scope: "rust".into(),
        statement: "1 session in rust, 1.5 h, with 1 distinct teacher".into(),
        evidence: vec![evidence.to_owned()],
        issued: now(),
    }
}

/// Two communities: Rust Berlin (joined, a curriculum aligned to ESCO, a
/// goal set in it) and a language exchange (invite-only, no curriculum).
pub fn communities() -> Vec<agora::app::snapshot::CommunityItem> {
    use agora::community::{Admission, Alignment, Charter, Curriculum, Goal, SkillDef};
    let skill = |id: &str, name: &str, level: Level, requires: &[&str]| SkillDef {
        id: id.into(),
        name: name.into(),
        description: String::new(),
        level,
        requires: requires.iter().map(|r| r.to_string()).collect(),
        alignments: Vec::new(),
    };
    let mut basics = skill("rust", "Rust basics", Level::Beginner, &[]);
    basics.alignments.push(Alignment {
        target_name: "Rust (computer programming)".into(),
        target_url: "https://esco.example/skill/rust".into(),
        target_framework: "ESCO".into(),
        target_code: "S1.2.3".into(),
    });
    let charter = |founder: u8, name: &str, admission, skills: Vec<SkillDef>, rules: Vec<String>| Charter {
        founder: identity(founder).public(),
        nonce: [founder; 16],
        version: 2,
        previous: Some([7; 32]),
        name: name.into(),
        description: "Learning together, in person and online.".into(),
        languages: vec!["en".into(), "de".into()],
        rules,
        maintainers: vec![identity(founder).public(), identity(1).public()],
        admission,
        curriculum: Curriculum { skills },
    };
    let rust = charter(
        2,
        "Rust Berlin",
        Admission::Open,
        vec![
            basics,
            skill("rust-ownership", "Ownership and borrowing", Level::Intermediate, &["rust"]),
            skill("rust-async", "Async Rust", Level::Advanced, &["rust-ownership"]),
        ],
        vec!["Be kind.".into(), "Share what you learn.".into()],
    );
    let lisboa = charter(3, "Lisboa Language Exchange", Admission::InviteOnly, Vec::new(), Vec::new());
    let rust_id = rust.id();
    vec![
        agora::app::snapshot::CommunityItem {
            id: rust_id,
            charter: rust,
            joined: true,
            goals: vec![Goal {
                community: rust_id,
                skill: "rust-async".into(),
                level: None,
                by: Some(jiff::civil::date(2027, 3, 1)),
                set_at: now(),
            }],
            listings_in_skills: 2,
            listings: 3,
            people: 2,
            hidden: 1,
        },
        agora::app::snapshot::CommunityItem {
            id: lisboa.id(),
            charter: lisboa,
            joined: false,
            goals: Vec::new(),
            listings_in_skills: 0,
            listings: 0,
            people: 0,
            hidden: 0,
        },
    ]
}

/// Feeds key presses through the configured keymap and the update.
/// One key, as the runtime would take it; what the client asks the node.
pub fn key(state: &mut AppState, c: char) -> Option<agora::app::Effect> {
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let modifiers = if c.is_ascii_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
    let action = keymap.action(KeyEvent::new(KeyCode::Char(c), modifiers), &state.mode)?;
    update(state, action)
}

pub fn press(state: &mut AppState, keys: &[KeyCode]) {
    let keymap = Keymap::new(Config::defaults().tui.keys);
    for code in keys {
        let modifiers = match code {
            KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
            _ => KeyModifiers::NONE,
        };
        if let Some(action) = keymap.action(KeyEvent::new(*code, modifiers), &state.mode) {
            update(state, action);
        }
    }
}

pub fn typed(text: &str) -> Vec<KeyCode> {
    text.chars().map(KeyCode::Char).collect()
}

pub fn draw(state: &AppState, width: u16, height: u16) -> String {
    let keys = Keymap::new(Config::defaults().tui.keys);
    let theme = Theme::new(agora::config::Theme::Mono);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| frame.render_widget(&Screen { state, keys: &keys, theme: &theme }, frame.area())).unwrap();
    terminal.backend().to_string()
}

/// Snapshots a state at both sizes.
#[allow(unused_macros)]
macro_rules! screens {
    ($name:literal, $state:expr) => {
        let state = $state;
        insta::assert_snapshot!(concat!($name, "_80x24"), crate::tui::draw(&state, 80, 24));
        insta::assert_snapshot!(concat!($name, "_120x40"), crate::tui::draw(&state, 120, 40));
    };
}

/// Enter on an open form, as the runtime takes it.
pub fn submit(state: &mut AppState) -> Option<agora::app::Effect> {
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let action = keymap.action(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), &state.mode)?;
    update(state, action)
}

/// Presses `keys` then Enter, handing the effect Enter produced to `check`.
pub fn keymap_submit(state: &mut AppState, keys: Vec<KeyCode>, check: impl FnOnce(Option<agora::app::Effect>)) {
    press(state, &keys);
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let action = keymap.action(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), &state.mode).unwrap();
    check(update(state, action));
}

pub fn dummy_terms() -> Terms {
    Terms { start: now(), duration_minutes: 60, price: Price::Free, topic: String::new() }
}
