//! The terminal client's community screens: the community page, its
//! curriculum and your path, founding and joining, listings placed in a
//! community, what maintainers hid, asking a hub, and an own listing its
//! community no longer takes; drawn at 80×24 and 120×40 and compared with
//! snapshots.

mod common;
#[path = "common/tui.rs"]
#[macro_use]
mod tui;

use agora::app::{Action, AppState, update};
use agora::market::{ListingKind, Price};
use common::{identity, now};
use crossterm::event::KeyCode;
use tui::*;

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
