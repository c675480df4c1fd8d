//! Every screen of the terminal client, drawn from a fixed state (fixed
//! clock, seeded keys) at 80×24 and 120×40, driven by real key events
//! through the keymap and the update function, compared with snapshots.

mod common;

use std::collections::BTreeSet;

use agora::app::{Action, AppState, ListingItem, NetworkView, SessionItem, Snapshot, TrackRecord, update};
use agora::config::Config;
use agora::market::{
    Availability, Format, Id16, Level, Listing, ListingKind, ListingRef, Negotiation, Phase, Price, Role, Terms, Window,
};
use agora::node::RelayStatus;
use agora::node::record::{Progress, Stage};
use agora::store::PeerRecord;
use agora::tui::{Keymap, Screen, Theme};
use common::{endorsement, identity, now, ts};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::SignedDuration;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const PEOPLE: [&str; 5] = ["You", "Ada Lovelace", "Grace Hopper", "Alan Turing", "Emmy Noether"];

fn listing(n: u8, kind: ListingKind, title: &str, skills: &[&str], price: Price) -> Listing {
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

fn item(author: u8, listing: Listing) -> ListingItem {
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

fn session(n: u8, with: u8, me_teaches: bool, phase: Phase, title: &str) -> SessionItem {
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

fn fixture() -> AppState {
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
fn hub_validation(evidence: &str) -> agora::endorse::validation::Validation {
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
fn communities() -> Vec<agora::app::snapshot::CommunityItem> {
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

/// The fixture with Grace's and Emmy's portfolios fetched: Grace taught
/// Ada (who taught you), so a path leads to her; Emmy only ever signed
/// sessions with two strangers, so none does.
fn with_portfolios() -> AppState {
    let mut state = fixture();
    let (ada, grace, emmy) = (identity(2), identity(3), identity(5));
    let graces = vec![endorsement(&grace, &ada, 10), endorsement(&grace, &ada, 12), endorsement(&ada, &grace, 13)];
    let record = TrackRecord::of(&grace.public(), &graces, 1);
    update(&mut state, Action::TrackRecord(grace.public(), Ok(record)));
    let (s1, s2) = (identity(20), identity(21));
    let ring = vec![
        endorsement(&emmy, &s1, 20),
        endorsement(&s1, &emmy, 22),
        endorsement(&emmy, &s2, 24),
        endorsement(&s2, &s1, 26),
    ];
    let record = TrackRecord::of(&emmy.public(), &ring, 0);
    update(&mut state, Action::TrackRecord(emmy.public(), Ok(record)));
    state
}

fn dummy_terms() -> Terms {
    Terms { start: now(), duration_minutes: 60, price: Price::Free, topic: String::new() }
}

/// Feeds key presses through the configured keymap and the update.
/// One key, as the runtime would take it; what the client asks the node.
fn key(state: &mut AppState, c: char) -> Option<agora::app::Effect> {
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let modifiers = if c.is_ascii_uppercase() { KeyModifiers::SHIFT } else { KeyModifiers::NONE };
    let action = keymap.action(KeyEvent::new(KeyCode::Char(c), modifiers), &state.mode)?;
    update(state, action)
}

fn press(state: &mut AppState, keys: &[KeyCode]) {
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

fn typed(text: &str) -> Vec<KeyCode> {
    text.chars().map(KeyCode::Char).collect()
}

fn draw(state: &AppState, width: u16, height: u16) -> String {
    let keys = Keymap::new(Config::defaults().tui.keys);
    let theme = Theme::new(agora::config::Theme::Mono);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| frame.render_widget(&Screen { state, keys: &keys, theme: &theme }, frame.area())).unwrap();
    terminal.backend().to_string()
}

/// Snapshots a state at both sizes.
macro_rules! screens {
    ($name:literal, $state:expr) => {
        let state = $state;
        insta::assert_snapshot!(concat!($name, "_80x24"), draw(&state, 80, 24));
        insta::assert_snapshot!(concat!($name, "_120x40"), draw(&state, 120, 40));
    };
}

#[test]
fn discover() {
    screens!("discover", fixture());
}

#[test]
fn discover_explains_trust_by_paths() {
    let mut state = with_portfolios();
    press(&mut state, &[KeyCode::Char('j')]);
    assert_eq!(state.selected_listing().unwrap().author, identity(3).public(), "Grace");
    let explained = state.trust.explained(&identity(3).public()).unwrap();
    assert_eq!(explained.standing.rank, Some(1));
    assert!(explained.paths[0].starts_with("you → Ada Lovelace (taught you rust, 1.5 h) → Grace Hopper"));
    screens!("discover_trust_paths", state);
}

#[test]
fn discover_a_closed_ring_is_out_of_reach() {
    let mut state = with_portfolios();
    press(&mut state, &[KeyCode::Char('j'), KeyCode::Char('j'), KeyCode::Char('j')]);
    assert_eq!(state.selected_listing().unwrap().author, identity(5).public(), "Emmy");
    let explained = state.trust.explained(&identity(5).public()).unwrap();
    assert_eq!((explained.standing.score, explained.paths.len()), (0.0, 0));
    screens!("discover_ring_unreachable", state.clone());
    // Pinning her brings her in: her sessions now count from your circle.
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let pin = keymap.action(KeyEvent::new(KeyCode::Char('P'), KeyModifiers::SHIFT), &state.mode).unwrap();
    assert_eq!(update(&mut state, pin), Some(agora::app::Effect::Pin(identity(5).public(), true)));
    let explained = state.trust.explained(&identity(5).public()).unwrap();
    assert!(explained.standing.score > 0.0);
    assert_eq!(explained.standing.summary(), "in your circle: you pinned them");
    screens!("discover_ring_pinned", state);
}

#[test]
fn discover_searching() {
    let mut state = fixture();
    let mut keys = vec![KeyCode::Char('/')];
    keys.extend(typed("rust"));
    press(&mut state, &keys);
    assert_eq!(state.visible.len(), 2, "two listings mention rust");
    // No listing has these words as written: the letters match fuzzily.
    press(&mut state, &[KeyCode::Esc, KeyCode::Char('/'), KeyCode::Char('r'), KeyCode::Char('s'), KeyCode::Char('t')]);
    assert!(!state.visible.is_empty(), "`rst` still finds something");
    press(&mut state, &[KeyCode::Esc, KeyCode::Char('/')]);
    press(&mut state, &typed("rust"));
    screens!("discover_search", state.clone());
    // Adding a filter never widens a search: `calc` finds the calculus
    // request; with "money only" nothing is left, rather than a fuzzy
    // match of something else.
    let mut calc = fixture();
    // Its letters spell c…a…l…c, but it is not about calculus.
    let money = Price::Money { centi_per_hour: 2000, currency: "EUR".into() };
    let mut more = calc.snapshot.clone();
    more.listings.push(item(5, listing(7, ListingKind::Offer, "Calligraphy club", &["lettering"], money)));
    update(&mut calc, Action::Loaded(Box::new(more)));
    let mut keys = vec![KeyCode::Char('/')];
    keys.extend(typed("calc"));
    keys.push(KeyCode::Enter);
    press(&mut calc, &keys);
    assert_eq!(calc.visible.len(), 1);
    for _ in 0..3 {
        let before = calc.visible.clone();
        press(&mut calc, &[KeyCode::Char('$')]);
        assert!(
            calc.visible.iter().all(|i| before.contains(i)) || before.is_empty(),
            "{before:?} → {:?}",
            calc.visible
        );
        assert!(calc.visible.iter().all(|&i| calc.snapshot.listings[i].haystack.contains("calc")), "only calculus");
    }
}

#[test]
fn discover_filters_by_kind_and_price() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('t'), KeyCode::Char('t')]);
    assert_eq!(state.visible.len(), 1, "requests only");
    press(&mut state, &[KeyCode::Char('t'), KeyCode::Char('$'), KeyCode::Char('$'), KeyCode::Char('$')]);
    assert_eq!(state.visible.len(), 1, "money only");
}

#[test]
fn propose_form_and_its_errors() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('p')]);
    screens!("propose_form", state.clone());
    // The picker: a day later, then 30 minutes earlier.
    let mut picked = state.clone();
    press(&mut picked, &[KeyCode::PageDown, KeyCode::Left, KeyCode::Left]);
    let agora::app::Mode::Form(form) = &picked.mode else { panic!("the form is open") };
    // The suggestion is the first time inside Ada's weekly times (Monday
    // 18:00 in Lisbon, UTC+0 in winter), and it fits.
    let agora::app::Mode::Form(suggested) = &state.mode else { panic!("the form is open") };
    assert_eq!(suggested.fields[0].value, "2026-11-30 18:00");
    assert!(suggested.warnings(&state.tz).is_empty());
    assert_eq!(form.fields[0].value, "2026-12-01 17:30", "the suggestion, plus a day, minus 30 min");
    // Tuesday is outside her weekly times: said, not refused.
    let warnings = form.warnings(&picked.tz);
    assert!(warnings.iter().any(|w| w.contains("outside Ada Lovelace's weekly times")), "{warnings:?}");
    assert!(draw(&picked, 80, 24).contains("⚠ outside Ada Lovelace's weekly times"));
    // Clear the date and type a bad one: the error sits under the field.
    let mut keys = vec![KeyCode::Backspace; 16];
    keys.extend(typed("2020-01-01 10:00"));
    keys.push(KeyCode::Enter);
    press(&mut state, &keys);
    screens!("propose_form_error", state);
}

#[test]
fn sessions_inbox() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('2')]);
    screens!("sessions", state);
}

/// The fixture with its completed session (Grace taught "you") waiting
/// for "you" to read and sign the record, selected on the Sessions tab.
fn record_to_sign(
    state: &mut AppState,
    teacher_side: bool,
    declined: Option<&str>,
) -> agora::endorse::consent::RecordDigest {
    let (me, grace) = (identity(1), identity(3));
    let record = if teacher_side { endorsement(&me, &grace, 3) } else { endorsement(&grace, &me, 3) };
    let digest = agora::endorse::consent::RecordDigest::of(&record);
    let i = state.snapshot.sessions.iter().position(|s| s.title == "Compilers, gently").unwrap();
    let item = &mut state.snapshot.sessions[i];
    if teacher_side {
        std::mem::swap(&mut item.negotiation.teacher, &mut item.negotiation.learner);
    }
    let to_approve = agora::node::record::ToApprove { record, digest };
    item.progress = Some(Progress { stage: Stage::Approve(Box::new(to_approve)), declined: declined.map(Into::into) });
    update(state, Action::Loaded(Box::new(state.snapshot.clone())));
    press(state, &[KeyCode::Char('2')]);
    while state.selected_session().is_some_and(|s| s.title != "Compilers, gently") {
        press(state, &[KeyCode::Char('j')]);
    }
    digest
}

#[test]
fn sessions_the_learner_reads_the_record_before_signing_it() {
    let mut state = fixture();
    let digest = record_to_sign(&mut state, false, None);
    screens!("sessions_record_to_sign", state.clone());
    let id = state.selected_session().unwrap().negotiation.id;
    // Signing asks first, showing the whole record; yes signs that digest.
    let mut asked = state.clone();
    assert_eq!(update(&mut asked, Action::Accept), None, "nothing is signed on one key");
    screens!("sessions_sign_the_record", asked.clone());
    let mut no = asked.clone();
    assert_eq!(update(&mut no, Action::Back), None);
    assert!(matches!(no.mode, agora::app::Mode::Normal));
    assert_eq!(update(&mut asked, Action::Open), Some(agora::app::Effect::Approve(id, digest)));
    // Declining asks why; an empty reason is refused under the field.
    press(&mut state, &[KeyCode::Char('x')]);
    assert!(update(&mut state, Action::Open).is_none());
    screens!("sessions_decline_the_record", state.clone());
    for c in "Spell my name Grace".chars() {
        update(&mut state, Action::Input(c));
    }
    let effect = update(&mut state, Action::Open);
    assert_eq!(effect, Some(agora::app::Effect::DeclineRecord(id, digest, "Spell my name Grace".into())));
}

#[test]
fn a_record_longer_than_the_screen_scrolls_and_the_question_stays_in_view() {
    let mut state = fixture();
    record_to_sign(&mut state, false, None);
    let i = state.snapshot.sessions.iter().position(|s| s.title == "Compilers, gently").unwrap();
    let Some(Progress { stage: Stage::Approve(record), .. }) = &mut state.snapshot.sessions[i].progress else {
        unreachable!()
    };
    record.record.covered = format!("{} THE-LAST-WORD", "borrowing ".repeat(90));
    record.digest = agora::endorse::consent::RecordDigest::of(&record.record);
    update(&mut state, Action::Accept);
    let first = draw(&state, 80, 24);
    assert!(first.contains("Your signature goes on exactly") && first.contains("↑↓ scroll"), "{first}");
    assert!(!first.contains("THE-LAST-WORD"), "the end is below at first");
    for _ in 0..30 {
        update(&mut state, Action::Down);
    }
    let scrolled = draw(&state, 80, 24);
    assert!(scrolled.contains("THE-LAST-WORD") && scrolled.contains("Your signature goes on exactly"), "{scrolled}");
}

#[test]
fn blocking_asks_first_and_can_be_undone_from_the_network_tab() {
    let mut state = fixture();
    let author = state.selected_listing().unwrap().author;
    assert_eq!(update(&mut state, Action::Block), None, "one key blocks no one");
    screens!("discover_block_asks", state.clone());
    let mut no = state.clone();
    press(&mut no, &[KeyCode::Char('n')]);
    assert!(matches!(no.mode, agora::app::Mode::Normal));
    assert_eq!(update(&mut state, Action::Input('y')), Some(agora::app::Effect::Block(author)));
    // On the Network tab, B on someone blocked unblocks them at once.
    press(&mut state, &[KeyCode::Char('5')]);
    let blocked = state.snapshot.peers.iter().position(|p| p.blocked).unwrap();
    while state.selected[agora::app::Tab::Network.index()] != blocked {
        press(&mut state, &[KeyCode::Char('j')]);
    }
    assert!(draw(&state, 120, 40).contains("B unblock"));
    let key = state.snapshot.peers[blocked].key;
    assert_eq!(update(&mut state, Action::Block), Some(agora::app::Effect::Unblock(key)));
}

#[test]
fn the_selection_follows_the_item_when_the_list_re_sorts() {
    let mut state = fixture();
    // Two proposals wait for "you": accepting the first must not leave the
    // highlight on the second, where a second `a` would accept it too.
    let second = session(4, 5, true, Phase::Proposed { by: Role::Learner, terms: dummy_terms() }, "Algebra");
    let mut more = state.snapshot.clone();
    more.sessions.push(second);
    update(&mut state, Action::Loaded(Box::new(more)));
    press(&mut state, &[KeyCode::Char('2')]);
    let first = state.selected_session().unwrap().negotiation.clone();
    assert!(matches!(first.phase, Phase::Proposed { .. }));
    assert_eq!(
        update(&mut state, Action::Accept),
        Some(agora::app::Effect::Act(first.id, agora::market::Action::Accept))
    );
    // The node answers with the agreed negotiation; the inbox re-sorts.
    let agreed = Negotiation { phase: Phase::Agreed, agreed: first.current_terms().cloned(), ..first.clone() };
    update(&mut state, Action::Negotiation(Box::new(agreed)));
    assert_eq!(state.selected_session().unwrap().negotiation.id, first.id, "still the one accepted");
    assert_eq!(update(&mut state, Action::Accept), None, "a second `a` accepts no one else");
    // A reload that puts other rows first keeps it too.
    let mut reloaded = state.snapshot.clone();
    reloaded.sessions.reverse();
    update(&mut state, Action::Loaded(Box::new(reloaded)));
    assert_eq!(state.selected_session().unwrap().negotiation.id, first.id);
    // So do own listings, when one moves to the paused ones.
    press(&mut state, &[KeyCode::Char('3')]);
    let own = state.selected_own().unwrap().0.id;
    let mut paused = state.snapshot.clone();
    let listing = paused.own.remove(0);
    paused.paused.push(listing);
    update(&mut state, Action::Loaded(Box::new(paused)));
    assert_eq!(state.selected_own().map(|(l, p)| (l.id, p)), Some((own, true)));
}

#[test]
fn a_first_proposal_or_endorsement_asks_for_the_name_first() {
    let mut state = fixture();
    state.snapshot.profile = None;
    press(&mut state, &[KeyCode::Char('p')]);
    let agora::app::Mode::Form(form) = &state.mode else { panic!("{:?}", state.mode) };
    assert_eq!(form.title, "First, the name you sign with");
    screens!("discover_name_first", state.clone());
    // Signing a record asks the same.
    let mut signing = fixture();
    record_to_sign(&mut signing, false, None);
    signing.snapshot.profile = None;
    assert_eq!(update(&mut signing, Action::Accept), None);
    assert!(matches!(&signing.mode, agora::app::Mode::Form(f) if f.title == "First, the name you sign with"));
    // Once a name is given, the next proposal opens at once.
    for c in "Sam".chars() {
        update(&mut state, Action::Input(c));
    }
    assert!(matches!(update(&mut state, Action::Open), Some(agora::app::Effect::Onboard(_))));
    press(&mut state, &[KeyCode::Char('p')]);
    assert!(matches!(&state.mode, agora::app::Mode::Form(f) if f.title != "First, the name you sign with"));
    // With a name, proposing opens the proposal.
    let mut named = fixture();
    press(&mut named, &[KeyCode::Char('p')]);
    assert!(matches!(&named.mode, agora::app::Mode::Form(f) if f.title != "First, the name you sign with"));
}

#[test]
fn the_help_scrolls_so_every_key_can_be_read_at_80x24() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('?')]);
    let top = draw(&state, 80, 24);
    assert!(top.contains("Everywhere") && !top.contains("block / unblock a peer"), "{top}");
    press(&mut state, &[KeyCode::PageDown; 6]);
    let bottom = draw(&state, 80, 24);
    assert!(bottom.contains("block / unblock a peer") && bottom.contains("pin a peer"), "{bottom}");
    screens!("help_scrolled", state.clone());
    // Any other key closes it.
    press(&mut state, &[KeyCode::Char('x')]);
    assert!(matches!(state.mode, agora::app::Mode::Normal));
}

#[test]
fn a_time_that_does_not_fit_is_shown_beside_the_session() {
    let mut state = fixture();
    // "You" proposed on Ada's Rust offer (Mondays 18:00-20:00 in Lisbon)
    // for Wednesday 22:30, over the calculus session agreed with Alan.
    let calculus = state.snapshot.sessions.iter().find(|s| s.title == "Help me with calculus").unwrap();
    let agreed = calculus.negotiation.agreed.clone().unwrap();
    let start = agreed.start.saturating_add(SignedDuration::from_mins(30)).unwrap();
    let mut proposal = session(6, 2, false, Phase::Proposed { by: Role::Learner, terms: dummy_terms() }, "Rust, again");
    proposal.negotiation.listing = ListingRef { author: identity(2).public(), id: Id16([2; 16]) };
    let Phase::Proposed { terms, .. } = &mut proposal.negotiation.phase else { unreachable!() };
    terms.start = start;
    let mut more = state.snapshot.clone();
    more.sessions.push(proposal);
    update(&mut state, Action::Loaded(Box::new(more)));
    press(&mut state, &[KeyCode::Char('2')]);
    while state.selected_session().is_some_and(|s| s.title != "Rust, again") {
        press(&mut state, &[KeyCode::Char('j')]);
    }
    let screen = draw(&state, 120, 40);
    assert!(screen.contains("⚠ outside Ada Lovelace's weekly times"), "{screen}");
    assert!(screen.contains("⚠ overlaps your session with Alan Turing"), "{screen}");
}

#[test]
fn weekly_times_are_set_in_the_listing_form() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('3'), KeyCode::Char('n')]);
    let mut keys = vec![KeyCode::Tab];
    keys.extend(typed("Welsh for walkers"));
    keys.push(KeyCode::Tab);
    keys.extend(typed("welsh"));
    keys.extend([KeyCode::Tab, KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    keys.extend(typed("someday 10-11"));
    press(&mut state, &keys);
    assert_eq!(update(&mut state, Action::Open), None, "a time not like `mon 18:00-20:00` is refused");
    let agora::app::Mode::Form(form) = &state.mode else { panic!() };
    assert_eq!(form.error.as_ref().map(|(field, _)| *field), Some(6), "under the weekly times");
    press(&mut state, &[KeyCode::Backspace; 13]);
    press(&mut state, &typed("mon 18:00-20:00, sat 10:00-12:00"));
    let Some(agora::app::Effect::Publish(listing)) = update(&mut state, Action::Open) else { panic!("published") };
    let windows: Vec<String> = listing.availability.windows.iter().map(|w| w.to_string()).collect();
    assert_eq!(windows, ["Mon 18:00-20:00", "Sat 10:00-12:00"]);
    assert_eq!(listing.availability.time_zone, "UTC", "in the user's zone");
}

#[test]
fn sessions_the_teacher_reads_why_the_record_was_declined() {
    let mut state = fixture();
    record_to_sign(&mut state, true, Some("Please say we also covered traits"));
    screens!("sessions_record_declined", state);
}

#[test]
fn my_listings_portfolio_network_and_help() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('3')]);
    screens!("listings", state.clone());
    press(&mut state, &[KeyCode::Char('4')]);
    // What the runtime reports after verifying the selected record again.
    let id = state.snapshot.endorsements[0].id.clone();
    let checks = vec![
        ("teacher's eddsa-jcs-2022 proof: valid".to_owned(), true),
        ("teacher's eddsa-rdfc-2022 proof: valid".to_owned(), true),
        ("learner's eddsa-jcs-2022 proof: valid".to_owned(), true),
        ("learner's eddsa-rdfc-2022 proof: valid".to_owned(), true),
        ("VALID: signed by both, verified just now".to_owned(), true),
    ];
    update(&mut state, Action::Inspected(id, checks));
    screens!("portfolio", state.clone());
    press(&mut state, &[KeyCode::Char('5')]);
    screens!("network", state.clone());
    press(&mut state, &[KeyCode::Char('?')]);
    screens!("help", state);
}

/// An own listing placed in a community that has since turned
/// invite-only: My listings says its members no longer take it, and how
/// to publish it there again.
#[test]
fn an_own_listing_its_community_no_longer_takes() {
    let mut state = fixture();
    let lisboa = state.snapshot.communities[1].id;
    state.snapshot.communities[1].joined = true;
    state.snapshot.communities[1].charter.maintainers = vec![identity(3).public()];
    state.snapshot.own[0].placement = Some(agora::market::Placement { community: lisboa, invitation: None });
    press(&mut state, &[KeyCode::Char('3')]);
    screens!("listings_not_admitted", state.clone());
    // In an open community, or with no community, all is well.
    state.snapshot.own[0].placement = None;
    let plain = draw(&state, 120, 40);
    assert!(plain.contains("published") && !plain.contains("no longer takes it"));
}

#[test]
fn communities_their_page_curriculum_and_your_path() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('6')]);
    screens!("communities", state.clone());
    let rust = state.snapshot.communities[0].id;
    assert_eq!(key(&mut state, 'J'), Some(agora::app::Effect::SetJoined(rust, false)), "J leaves one you are in");
    press(&mut state, &[KeyCode::Down]);
    let lisboa = state.snapshot.communities[1].id;
    screens!("communities_not_joined", state.clone());
    assert_eq!(key(&mut state, 'J'), Some(agora::app::Effect::SetJoined(lisboa, true)), "J joins one you are not");
}

#[test]
fn founding_and_joining_a_community_from_the_client() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('6'), KeyCode::Char('n')]);
    press(&mut state, &typed("Chess in the park"));
    press(&mut state, &[KeyCode::Tab]);
    press(&mut state, &typed("Saturdays, all levels"));
    press(&mut state, &[KeyCode::Tab]);
    press(&mut state, &typed("en, DE"));
    press(&mut state, &[KeyCode::Tab]);
    press(&mut state, &typed("Touch move. | Be a good sport."));
    screens!("communities_found_form", state.clone());
    let effect = submit(&mut state);
    let Some(agora::app::Effect::FoundCommunity(founding)) = effect else { panic!("{effect:?}") };
    assert_eq!(founding.name, "Chess in the park");
    assert_eq!(founding.languages, ["en", "de"]);
    assert_eq!(founding.rules, ["Touch move.", "Be a good sport."]);
    assert!(!founding.invite_only);
    // A name a terminal would misread is refused on its field.
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('6'), KeyCode::Char('n')]);
    press(&mut state, &typed("Chess \u{202e}krap"));
    assert_eq!(submit(&mut state), None);
    let agora::app::Mode::Form(form) = &state.mode else { panic!("the form stays open") };
    assert!(
        form.error.as_ref().is_some_and(|(field, e)| *field == 0 && e.contains("bidirectional")),
        "{:?}",
        form.error
    );
    // + on Communities asks for a community ticket, and checks it.
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('6'), KeyCode::Char('+')]);
    press(&mut state, &typed("agora1notacommunityticket"));
    assert_eq!(submit(&mut state), None);
    let agora::app::Mode::Form(form) = &state.mode else { panic!("the form stays open") };
    assert!(form.error.as_ref().is_some_and(|(_, e)| e.contains("not a community ticket")), "{:?}", form.error);
}

/// Enter on an open form, as the runtime takes it.
fn submit(state: &mut AppState) -> Option<agora::app::Effect> {
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let action = keymap.action(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), &state.mode)?;
    update(state, action)
}

#[test]
fn an_accept_refused_by_the_debt_limit_says_why_in_the_status_line() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('2')]);
    let refused = agora::endorse::timebank::DebtLimit::DEFAULT.check("Grace Hopper", -570, 90).unwrap_err();
    // What the runtime sends back when `Node::act` refuses the accept.
    let said = agora::node::NodeError::from(refused).to_string();
    update(&mut state, Action::Done(Err(said.clone())));
    let screen = draw(&state, 120, 40);
    let status = screen.lines().nth(39).unwrap();
    assert!(status.contains(&said), "{status}");
    // On a narrow terminal the reason wraps onto the lines above, whole.
    let screen = draw(&state, 60, 24);
    let bottom: Vec<&str> = screen.lines().skip(22).map(|l| l.trim_matches('"').trim()).collect();
    assert_eq!(bottom.join(" "), said, "{screen}");
}

#[test]
fn a_huge_paste_and_tiny_terminals_do_not_panic() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('p'), KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    update(&mut state, Action::Paste("x".repeat(1 << 20)));
    let agora::app::Mode::Form(form) = &state.mode else { panic!("the form is open") };
    assert!(form.fields[3].value.len() <= 200, "the topic is capped");
    for (w, h) in [(1, 1), (10, 3), (40, 10), (80, 24), (300, 100), (79, 23)] {
        for tab in 1..=5 {
            press(&mut state, &[KeyCode::Esc, KeyCode::Char(char::from_digit(tab, 10).unwrap())]);
            draw(&state, w, h);
        }
    }
}

#[test]
fn first_run_welcome_and_its_checks() {
    let mut state = fixture();
    let form = agora::app::Form::profile("", "Europe/Lisbon", &[], &["agora".to_owned()], true);
    state.mode = agora::app::Mode::Form(Box::new(form));
    screens!("welcome", state.clone());
    press(&mut state, &[KeyCode::Enter]);
    let agora::app::Mode::Form(form) = &state.mode else { panic!("still open") };
    assert_eq!(form.error.as_ref().map(|e| e.0), Some(0), "a name is needed");
    let mut keys = typed("Ada");
    keys.extend([KeyCode::Tab, KeyCode::Tab, KeyCode::Tab]);
    keys.extend(typed("Rust, Latin"));
    keys.push(KeyCode::Tab);
    keys.extend(typed("guitar"));
    keys.push(KeyCode::Enter);
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let mut effect = None;
    for code in keys {
        let modifiers = KeyModifiers::NONE;
        if let Some(action) = keymap.action(KeyEvent::new(code, modifiers), &state.mode) {
            effect = update(&mut state, action).or(effect);
        }
    }
    let Some(agora::app::Effect::Onboard(onboarding)) = effect else { panic!("submitted: {effect:?}") };
    assert_eq!(onboarding.choice.name, "Ada");
    assert_eq!(onboarding.teach, ["rust", "latin"]);
    assert_eq!(onboarding.learn, ["guitar"]);
    assert_eq!(onboarding.choice.communities, ["agora"]);
}

#[test]
fn a_long_list_keeps_the_selection_in_view() {
    let mut state = fixture();
    let template = state.snapshot.listings[0].clone();
    state.snapshot.listings = (0..500u16)
        .map(|n| {
            let mut item = template.clone();
            let mut id = [0u8; 16];
            id[..2].copy_from_slice(&n.to_be_bytes());
            item.listing.id = Id16(id);
            item.listing.title = format!("Listing number {n}");
            item
        })
        .collect();
    state.refilter();
    press(&mut state, &[KeyCode::PageDown; 30]);
    press(&mut state, &[KeyCode::Down, KeyCode::Down]);
    assert_eq!(state.selected[0], 302);
    let screen = draw(&state, 80, 24);
    assert!(screen.contains("›teach Listing number 302"), "{screen}");
    press(&mut state, &[KeyCode::End]);
    assert!(draw(&state, 120, 40).contains("›teach Listing number 499"));
}

#[test]
fn level_filter_and_editing_an_own_listing() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('l'), KeyCode::Char('l')]);
    assert_eq!(state.filter.level, Some(Level::Intermediate));
    assert!(state.visible.is_empty(), "every fixture listing is for beginners");
    press(&mut state, &[KeyCode::Char('l'), KeyCode::Char('l')]);
    assert_eq!(state.visible.len(), 4, "back to any level");
    press(&mut state, &[KeyCode::Char('L')]);
    assert_eq!(state.filter.language.as_deref(), Some("en"));
    assert_eq!(state.visible.len(), 4);
    press(&mut state, &[KeyCode::Char('L')]);
    assert_eq!(state.filter.language.as_deref(), Some("pt"));
    assert_eq!(state.visible.len(), 2, "the authors who speak Portuguese");
    press(&mut state, &[KeyCode::Char('L')]);
    assert_eq!(state.filter.language, None);

    // Times: every fixture listing says Mondays 18:00-20:00 in Lisbon, as
    // the user's own does; move one to Tokyo's Monday evening.
    state.snapshot.listings[3].listing.availability =
        Availability { time_zone: "Asia/Tokyo".into(), windows: vec![Window::parse("mon 18:00-20:00").unwrap()] };
    state.refilter();
    press(&mut state, &[KeyCode::Char('o')]);
    assert_eq!(state.visible.len(), 3, "Tokyo's Monday evening is Lisbon's Monday morning");
    press(&mut state, &[KeyCode::Char('o')]);
    assert_eq!(state.visible.len(), 4);

    press(&mut state, &[KeyCode::Char('3'), KeyCode::Char('e')]);
    let mut keys = vec![KeyCode::Tab; 1];
    keys.extend([KeyCode::Backspace; 40]);
    keys.extend(typed("Guitar for grown-ups, evenings"));
    keymap_submit(&mut state, keys, |effect| {
        let Some(agora::app::Effect::Publish(listing)) = effect else { panic!("published: {effect:?}") };
        assert_eq!(listing.id, Id16([9; 16]), "the same listing");
        assert_eq!(listing.version, 2, "its next version");
        assert_eq!(listing.title, "Guitar for grown-ups, evenings");
        assert_eq!(listing.skills, ["guitar"]);
    });
}

#[test]
fn presenting_endorsements_from_the_portfolio() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('4'), KeyCode::Char('n')]);
    screens!("present_form", state.clone());
    let mut keys = typed("rust");
    keys.push(KeyCode::Tab);
    keys.extend(typed("2026-13-01"));
    keymap_submit(&mut state, keys, |effect| assert_eq!(effect, None, "not a date"));
    let agora::app::Mode::Form(form) = &state.mode else { panic!("the form stays open") };
    assert_eq!(form.error.as_ref().map(|e| e.0), Some(1), "the error is on the date");
    let mut keys = vec![KeyCode::Backspace; 10];
    keys.extend(typed("2026-11-01"));
    keys.push(KeyCode::Tab);
    keys.extend(typed("n-0nce"));
    keymap_submit(&mut state, keys, |effect| {
        let Some(agora::app::Effect::Present(selection, binding)) = effect else { panic!("presented: {effect:?}") };
        assert_eq!(selection.skill.as_deref(), Some("rust"));
        assert_eq!(
            selection.since,
            Some("2026-11-01T00:00:00Z".parse().unwrap()),
            "midnight in UTC, the fixture's zone"
        );
        assert_eq!(binding.challenge.as_deref(), Some("n-0nce"));
        assert_eq!(binding.domain, None);
    });
}

/// Presses `keys` then Enter, handing the effect Enter produced to `check`.
fn keymap_submit(state: &mut AppState, keys: Vec<KeyCode>, check: impl FnOnce(Option<agora::app::Effect>)) {
    press(state, &keys);
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let action = keymap.action(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE), &state.mode).unwrap();
    check(update(state, action));
}

#[test]
fn pausing_and_resuming_own_listings() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('3')]);
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let z = |state: &mut AppState| {
        let action = keymap.action(KeyEvent::new(KeyCode::Char('z'), KeyModifiers::NONE), &state.mode).unwrap();
        update(state, action)
    };
    assert_eq!(z(&mut state), Some(agora::app::Effect::Pause(Id16([9; 16]))));
    press(&mut state, &[KeyCode::Down]);
    assert_eq!(z(&mut state), Some(agora::app::Effect::Resume(Id16([8; 16]))));
    press(&mut state, &[KeyCode::Char('e')]);
    assert_eq!(state.mode, agora::app::Mode::Normal, "a paused listing is resumed before editing");
}

#[test]
fn minimum_rating_fetches_records_and_keeps_the_well_rated() {
    let mut state = fixture();
    let keymap = Keymap::new(Config::defaults().tui.keys);
    let action = keymap.action(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE), &state.mode).unwrap();
    let Some(agora::app::Effect::FetchTrackRecords(wanted)) = update(&mut state, action) else {
        panic!("the unknown records are fetched")
    };
    assert_eq!(wanted.len(), 3, "Ada's is known already");
    assert!(state.visible.is_empty(), "Ada's known record is rated 1/5, the others are not in yet");
    let well_rated = TrackRecord { average_rating: Some(4.8), sessions_taught: 3, ..Default::default() };
    update(&mut state, Action::TrackRecord(identity(3).public(), Ok(well_rated)));
    assert_eq!(state.visible.len(), 1, "Grace, once her record arrives");
}

/// What a hostile peer or file could put in every string the client draws.
const HOSTILE: &str = "\x1b]0;pwned\x07\x1b[2J\u{9b}31m\u{202e}\u{200b}\u{2066}\r\x7f";

/// The fixture with a hostile tail on every peer- or file-provided string.
fn hostile() -> AppState {
    let mut state = fixture();
    let evil = |text: &mut String| text.push_str(HOSTILE);
    let snapshot = &mut state.snapshot;
    for item in &mut snapshot.listings {
        evil(&mut item.author_name);
        evil(&mut item.listing.title);
        item.listing.description.push_str(&format!("\nsecond line{HOSTILE}"));
        item.listing.skills.iter_mut().for_each(evil);
        evil(&mut item.listing.availability.time_zone);
        item.languages.iter_mut().for_each(evil);
    }
    for listing in snapshot.own.iter_mut().chain(snapshot.paused.iter_mut()) {
        evil(&mut listing.title);
        evil(&mut listing.description);
    }
    for session in &mut snapshot.sessions {
        evil(&mut session.title);
        evil(&mut session.with_name);
        session.chat.iter_mut().for_each(|(_, _, text)| evil(text));
        if let Some(terms) = session.negotiation.agreed.as_mut() {
            evil(&mut terms.topic);
        }
    }
    for e in &mut snapshot.endorsements {
        for text in [&mut e.teacher.name, &mut e.learner.name, &mut e.skill, &mut e.covered, &mut e.review] {
            evil(text);
        }
    }
    snapshot.peers.iter_mut().for_each(|p| evil(&mut p.name));
    for profile in snapshot.profiles.values_mut() {
        evil(&mut profile.bio);
        evil(&mut profile.time_zone);
        profile.languages.iter_mut().for_each(evil);
    }
    evil(&mut state.network.ticket);
    state.network.communities.iter_mut().for_each(evil);
    update(&mut state, Action::TrackRecord(identity(3).public(), Err(format!("unreachable{HOSTILE}"))));
    let id = state.snapshot.endorsements[0].id.clone();
    update(&mut state, Action::Inspected(id, vec![(format!("proof: invalid{HOSTILE}"), false)]));
    state
}

/// Every cell of every screen, and the bytes a real terminal backend
/// writes for them: no control, bidi or invisible character of the peers'
/// text gets through, only the backend's own sequences.
#[test]
fn hostile_text_never_reaches_the_terminal() {
    use ratatui::backend::CrosstermBackend;
    use ratatui::layout::Rect;
    use ratatui::{TerminalOptions, Viewport};

    let keys = Keymap::new(Config::defaults().tui.keys);
    let theme = Theme::new(agora::config::Theme::Mono);
    let mut state = hostile();
    let mut screens = Vec::new();
    for tab in ['1', '2', '3', '4', '5'] {
        press(&mut state, &[KeyCode::Char(tab)]);
        screens.push(state.clone());
    }
    // A refusal's reason in the status line, and a form over Discover.
    update(&mut state, Action::Done(Err(format!("the peer refused: {HOSTILE}"))));
    screens.push(state.clone());
    press(&mut state, &[KeyCode::Char('1'), KeyCode::Char('p')]);
    screens.push(state);
    for (n, state) in screens.iter().enumerate() {
        for (width, height) in [(80, 24), (120, 40)] {
            let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
            let frame = terminal
                .draw(|frame| frame.render_widget(&Screen { state, keys: &keys, theme: &theme }, frame.area()))
                .unwrap();
            for cell in frame.buffer.content() {
                let raw = cell.symbol().chars().find(|c| agora::text::needs_escape(*c));
                assert!(raw.is_none(), "screen {n} at {width}x{height}: {raw:?} in {:?}", cell.symbol());
            }
            let drawn = terminal.backend().to_string();
            assert!(drawn.contains("\\u{1b}]0;pwned"), "screen {n}: the text is shown, escaped:\n{drawn}");

            let area = Rect::new(0, 0, width, height);
            let options = TerminalOptions { viewport: Viewport::Fixed(area) };
            let written = Written::default();
            let mut terminal = Terminal::with_options(CrosstermBackend::new(written.clone()), options).unwrap();
            terminal.draw(|frame| frame.render_widget(&Screen { state, keys: &keys, theme: &theme }, area)).unwrap();
            drop(terminal);
            let bytes = String::from_utf8(written.0.borrow().clone()).unwrap();
            assert!(!bytes.contains("\x1b]") && !bytes.contains("\x1b[2J") && !bytes.contains('\x07'), "screen {n}");
            let raw = bytes.chars().find(|c| *c != '\x1b' && agora::text::needs_escape(*c));
            assert!(raw.is_none(), "screen {n}: {raw:?} written to the terminal");
        }
    }
}

/// What a terminal backend wrote, kept for the test to read.
#[derive(Clone, Default)]
struct Written(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Written {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The fixture with two listings placed in Rust Berlin, one of them hidden
/// by a maintainer's note.
fn with_community_listings() -> AppState {
    let mut state = fixture();
    let rust = state.snapshot.communities[0].id;
    let mut placed = item(2, listing(6, ListingKind::Offer, "Ownership clinic", &["rust-ownership"], Price::Free));
    placed.community = Some(rust);
    let mut spam = item(4, listing(7, ListingKind::Offer, "Buy my course", &["rust"], Price::Free));
    spam.community = Some(rust);
    spam.hidden = Some("Advertising, not teaching".into());
    state.snapshot.listings.extend([placed, spam]);
    state.refilter();
    state
}

#[test]
fn discover_switches_community_and_counts_what_maintainers_hid() {
    let mut state = with_community_listings();
    assert_eq!(state.visible.len(), 4 + 1, "everywhere: the hidden one is left out");
    screens!("discover_everywhere_hidden", state.clone());
    // C: the open directory, then Rust Berlin (the one community joined), then everywhere.
    press(&mut state, &[KeyCode::Char('C')]);
    assert_eq!(state.visible.len(), 4);
    press(&mut state, &[KeyCode::Char('C')]);
    let titles = |s: &AppState| -> Vec<String> {
        s.visible.iter().map(|&i| s.snapshot.listings[i].listing.title.clone()).collect()
    };
    assert_eq!(titles(&state), ["Ownership clinic"]);
    screens!("discover_in_a_community", state.clone());
    // H: look anyway; the reason is on the listing.
    press(&mut state, &[KeyCode::Char('H')]);
    assert_eq!(titles(&state).len(), 2);
    press(&mut state, &[KeyCode::Down]);
    screens!("discover_hidden_shown", state.clone());
    press(&mut state, &[KeyCode::Char('H'), KeyCode::Char('C')]);
    assert_eq!(state.visible.len(), 5, "back to everywhere, the hidden one left out again");
}

#[test]
fn a_listing_is_placed_in_a_community_from_its_form() {
    let mut state = fixture();
    let rust = state.snapshot.communities[0].id;
    press(&mut state, &[KeyCode::Char('3'), KeyCode::Char('n'), KeyCode::Tab]);
    press(&mut state, &typed("Lifetimes, drawn"));
    press(&mut state, &[KeyCode::Tab]);
    press(&mut state, &typed("rust-ownership"));
    // To the last field, Community, and one to the right: Rust Berlin
    // (the community joined; Lisboa is not offered).
    press(&mut state, &[KeyCode::Tab; 6]);
    press(&mut state, &[KeyCode::Right]);
    screens!("listing_form_community", state.clone());
    let Some(agora::app::Effect::Publish(listing)) = update(&mut state, Action::Open) else { panic!("published") };
    assert_eq!(listing.community(), Some(rust));
    // Editing keeps the place; choosing the open directory takes it out.
    let mut form = agora::app::Form::edit_listing(&listing, &state.snapshot.places());
    for _ in 0..8 {
        form.next_field();
    }
    form.shift_choice(false, &jiff::tz::TimeZone::UTC);
    let Some(agora::app::Effect::Publish(edited)) = form.submit(now(), &jiff::tz::TimeZone::UTC) else { panic!() };
    assert_eq!((edited.community(), edited.version), (None, 2));
}

#[test]
fn the_community_page_scrolls_at_80x24() {
    let mut state = fixture();
    press(&mut state, &[KeyCode::Char('6'), KeyCode::PageDown]);
    assert!(state.page_scroll > 0);
    let drawn = draw(&state, 80, 24);
    assert!(drawn.contains("after rust-ownership") && drawn.contains("PgUp"), "{drawn}");
    screens!("communities_scrolled", state.clone());
    press(&mut state, &[KeyCode::Down]);
    assert_eq!(state.page_scroll, 0, "another community opens at its top");
}

#[test]
fn a_hub_is_asked_to_validate_the_path_to_a_goal() {
    let mut state = fixture();
    let hub = agora::net::Ticket {
        addr: iroh::EndpointAddr::new(iroh::SecretKey::from_bytes(&[8; 32]).public())
            .with_ip_addr("127.0.0.1:4433".parse().unwrap()),
        communities: vec!["agora".into()],
    }
    .to_string();
    state.hub_hint = Some(hub.clone());
    let rust = state.snapshot.communities[0].id;
    press(&mut state, &[KeyCode::Char('6'), KeyCode::Char('V')]);
    let agora::app::Mode::Form(form) = &state.mode else { panic!("the ask-a-hub form") };
    assert_eq!(form.fields[1].value, "rust-async", "the goal set in the community");
    let effect = submit(&mut state);
    assert_eq!(effect, Some(agora::app::Effect::AskHub(hub, agora::node::hub::Ask::Path(rust, "rust-async".into()))));
    // Without a hub's ticket it says what is missing, on its field.
    state.hub_hint = None;
    press(&mut state, &[KeyCode::Char('V')]);
    assert_eq!(submit(&mut state), None);
    let agora::app::Mode::Form(form) = &state.mode else { panic!() };
    assert_eq!(form.error.as_ref().map(|(field, _)| *field), Some(0));
}
