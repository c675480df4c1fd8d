//! Every screen of the terminal client, drawn from a fixed state (fixed
//! clock, seeded keys) at 80×24 and 120×40, driven by real key events
//! through the keymap and the update function, compared with snapshots.

mod common;
#[path = "common/tui.rs"]
#[macro_use]
mod tui;

use agora::app::{Action, AppState, TrackRecord, update};
use agora::config::Config;
use agora::market::{Availability, Id16, Level, ListingKind, ListingRef, Negotiation, Phase, Price, Role, Window};
use agora::node::record::{Progress, Stage};
use agora::tui::Keymap;
use common::{endorsement, identity};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use jiff::SignedDuration;
use tui::*;

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
