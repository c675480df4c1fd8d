//! Hostile text from peers and files (terminal escapes, bidirectional
//! overrides, invisible characters) never reaches the terminal: every cell
//! of every screen, and the bytes a real terminal backend writes, checked
//! with a hostile tail on every string the client draws.

mod common;
#[path = "common/tui.rs"]
#[macro_use]
mod tui;

use agora::app::{Action, AppState, update};
use agora::config::Config;
use agora::tui::{Keymap, Screen, Theme};
use common::identity;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui::*;

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
