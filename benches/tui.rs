//! Terminal client figures with 10k listings in the directory: one
//! keystroke's filtering (nucleo fuzzy match) next to a plain substring
//! scan, one frame's drawing next to clearing the frame, and loading the
//! snapshot from a real store.
//!
//! `cargo bench --bench tui`.

use std::collections::BTreeSet;

use agora::app::{AppState, Filter, ListingItem, NetworkView, Snapshot};
use agora::config::Config;
use agora::identity::Identity;
use agora::market::{Availability, Format, Id16, Level, Listing, ListingKind, Price};
use agora::node::RelayStatus;
use agora::tui::{Keymap, Screen, Theme};
use divan::{Bencher, black_box};
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const LISTINGS: usize = 10_000;
const SKILLS: [&str; 8] = ["rust", "calculus", "spanish", "guitar", "python", "chemistry", "drawing", "latin"];

fn main() {
    divan::main();
}

fn listing(i: usize) -> Listing {
    Listing {
        id: Id16((i as u128).to_le_bytes()),
        version: 1,
        kind: if i.is_multiple_of(3) { ListingKind::Request } else { ListingKind::Offer },
        title: format!("{} for beginners, session {i}", SKILLS[i % 8]),
        skills: vec![SKILLS[i % 8].into()],
        level: Level::Beginner,
        description: "Small steps, real exercises, questions welcome; bring your own project if you have one.".into(),
        format: Format::Online,
        price: if i.is_multiple_of(2) { Price::Free } else { Price::Credits { centi_per_hour: 100 } },
        availability: Availability { time_zone: "UTC".into(), windows: vec![] },
        expires_at: "2027-01-01T00:00:00Z".parse().unwrap(),
        placement: None,
    }
}

fn items() -> Vec<ListingItem> {
    let author = Identity::from_secret_bytes(&[7; 32]).public();
    (0..LISTINGS)
        .map(|i| {
            let listing = listing(i);
            let author_name = format!("Teacher {}", i % 500);
            let haystack =
                format!("{} {} {} {}", listing.title, listing.skills.join(" "), author_name, listing.description)
                    .to_lowercase();
            ListingItem {
                listing,
                author,
                author_name,
                languages: vec!["en".into()],
                haystack,
                community: None,
                hidden: None,
            }
        })
        .collect()
}

fn state() -> AppState {
    let snapshot = Snapshot {
        me: Identity::from_secret_bytes(&[1; 32]).public(),
        profile: None,
        listings: items(),
        own: vec![],
        paused: vec![],
        sessions: vec![],
        endorsements: vec![],
        peers: vec![],
        profiles: Default::default(),
        communities: vec![],
        validations: vec![],
    };
    let network = NetworkView {
        relays: RelayStatus::Off,
        lan_discovery: false,
        neighbors: BTreeSet::new(),
        ticket: "agora1".into(),
        communities: vec!["agora".into()],
    };
    AppState::new(snapshot, network, Timestamp::now(), jiff::tz::TimeZone::UTC, false)
}

/// One keystroke in the search box: the whole 10k list re-filtered.
#[divan::bench]
fn filter_10k_nucleo(bencher: Bencher) {
    let items = items();
    let filter = Filter { query: "rust begin".into(), ..Default::default() };
    let records = Default::default();
    bencher.bench_local(|| black_box(filter.apply(black_box(&items), &records)));
}

/// Baseline: a plain lowercase substring scan over the same haystacks.
#[divan::bench]
fn filter_10k_substring_baseline(bencher: Bencher) {
    let items = items();
    bencher.bench_local(|| {
        black_box(
            items.iter().enumerate().filter(|(_, i)| i.haystack.contains("rust")).map(|(n, _)| n).collect::<Vec<_>>(),
        )
    });
}

/// One frame of Discover at 120×40 with 10k listings.
#[divan::bench]
fn draw_discover_frame_10k(bencher: Bencher) {
    let state = state();
    let keys = Keymap::new(Config::defaults().tui.keys);
    let theme = Theme::new(agora::config::Theme::Dark);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    bencher.bench_local(|| {
        terminal
            .draw(|frame| frame.render_widget(&Screen { state: &state, keys: &keys, theme: &theme }, frame.area()))
            .unwrap();
    });
}

/// Baseline: clearing and flushing an empty 120×40 frame.
#[divan::bench]
fn draw_empty_frame_baseline(bencher: Bencher) {
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    bencher.bench_local(|| {
        terminal.draw(|frame| frame.render_widget(ratatui::widgets::Clear, frame.area())).unwrap();
    });
}

/// Loading the client's snapshot from a store holding 10k seen listings.
#[divan::bench(sample_count = 10)]
fn load_snapshot_10k(bencher: Bencher) {
    let dir = tempfile::tempdir().unwrap();
    let store = agora::store::Store::open(&dir.path().join("store.redb")).unwrap();
    let now = Timestamp::now();
    for i in 0..LISTINGS {
        let author = Identity::from_secret_bytes(&[(i % 250) as u8 + 2; 32]);
        let mut l = listing(i);
        l.id = Id16((i as u128 + 1).to_be_bytes());
        let signed = agora::wire::seal(&author, &l, now).unwrap();
        store.put_seen_listing(&signed).unwrap();
    }
    let me = Identity::from_secret_bytes(&[1; 32]).public();
    bencher.bench_local(|| black_box(Snapshot::load(&store, me, now).unwrap()));
}
