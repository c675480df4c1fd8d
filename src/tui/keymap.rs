//! Keys to actions: the configured bindings (config.toml `[tui.keys]`) in
//! normal mode, plain typing in search and forms, arrows and digits always.

use crossterm::event::{KeyCode as Code, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::{Action, Mode};
use crate::config::{KeyBindings, KeyChord, KeyCode};

#[derive(Clone, Debug)]
pub struct Keymap {
    pub keys: KeyBindings,
}

impl Keymap {
    pub fn new(keys: KeyBindings) -> Self {
        Self { keys }
    }

    pub fn action(&self, key: KeyEvent, mode: &Mode) -> Option<Action> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == Code::Char('c') {
            return Some(Action::Quit);
        }
        match mode {
            Mode::Normal => self.normal(key),
            Mode::Help(_) => Some(self.scrolling(key)),
            Mode::Search => typing(key, false),
            Mode::Form(_) => typing(key, true),
            Mode::Confirm(_) => typing(key, false),
        }
    }

    /// In the help: arrows (and the keys for up and down) scroll; any
    /// other key closes it.
    fn scrolling(&self, key: KeyEvent) -> Action {
        match key.code {
            Code::Up => Action::Up,
            Code::Down => Action::Down,
            Code::PageUp => Action::PageUp,
            Code::PageDown => Action::PageDown,
            _ if matches(&self.keys.up, &key) => Action::Up,
            _ if matches(&self.keys.down, &key) => Action::Down,
            _ => Action::Back,
        }
    }

    fn normal(&self, key: KeyEvent) -> Option<Action> {
        let k = &self.keys;
        let bound = [
            (k.quit, Action::Quit),
            (k.help, Action::Help),
            (k.search, Action::Search),
            (k.next_tab, Action::NextTab),
            (k.prev_tab, Action::PrevTab),
            (k.up, Action::Up),
            (k.down, Action::Down),
            (k.open, Action::Open),
            (k.back, Action::Back),
            (k.new, Action::New),
            (k.edit, Action::Edit),
            (k.delete, Action::Delete),
            (k.pause, Action::Pause),
            (k.propose, Action::Propose),
            (k.accept, Action::Accept),
            (k.decline, Action::Decline),
            (k.counter, Action::Counter),
            (k.chat, Action::Chat),
            (k.endorse, Action::Endorse),
            (k.cancel, Action::Cancel),
            (k.start, Action::Start),
            (k.complete, Action::Complete),
            (k.block, Action::Block),
            (k.pin, Action::Pin),
            (k.connect, Action::Connect),
            (k.export, Action::Export),
            (k.filter_kind, Action::CycleKind),
            (k.filter_price, Action::CyclePrice),
            (k.filter_level, Action::CycleLevel),
            (k.filter_language, Action::CycleLanguage),
            (k.filter_overlap, Action::ToggleOverlap),
            (k.filter_rating, Action::CycleRating),
            (k.filter_community, Action::CyclePlace),
            (k.show_hidden, Action::ToggleHidden),
            (k.validate, Action::AskHub),
            (k.fast_forward, Action::FastForward),
            (k.join, Action::Join),
        ];
        if let Some((_, action)) = bound.into_iter().find(|(chord, _)| matches(chord, &key)) {
            return Some(action);
        }
        match key.code {
            Code::Up => Some(Action::Up),
            Code::Down => Some(Action::Down),
            Code::PageUp => Some(Action::PageUp),
            Code::PageDown => Some(Action::PageDown),
            Code::Home => Some(Action::Top),
            Code::End => Some(Action::Bottom),
            Code::Right => Some(Action::NextTab),
            Code::Left => Some(Action::PrevTab),
            Code::Enter => Some(Action::Open),
            Code::Esc => Some(Action::Back),
            Code::Char(c @ '1'..='6') => Some(Action::GoTab(c as usize - '0' as usize)),
            _ => None,
        }
    }
}

/// Keys while typing: characters are text; a few keys keep their meaning.
fn typing(key: KeyEvent, form: bool) -> Option<Action> {
    match key.code {
        Code::Char(c) if !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) => Some(Action::Input(c)),
        Code::Backspace => Some(Action::Backspace),
        Code::Enter => Some(Action::Open),
        Code::Esc => Some(Action::Back),
        Code::Tab if form => Some(Action::NextField),
        Code::BackTab if form => Some(Action::PrevField),
        Code::Left if form => Some(Action::ChoiceLeft),
        Code::Right if form => Some(Action::ChoiceRight),
        Code::PageUp if form => Some(Action::PageUp),
        Code::PageDown if form => Some(Action::PageDown),
        Code::Up => Some(Action::Up),
        Code::Down => Some(Action::Down),
        _ => None,
    }
}

/// Whether `key` is `chord`. For characters, shift is part of the
/// character itself (`X` is shift-x), so it is not compared.
fn matches(chord: &KeyChord, key: &KeyEvent) -> bool {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    if chord.ctrl != ctrl || chord.alt != alt {
        return false;
    }
    match (chord.code, key.code) {
        (KeyCode::Char(a), Code::Char(b)) => a == b || (chord.ctrl && a.eq_ignore_ascii_case(&b)),
        (KeyCode::Tab, Code::BackTab) => chord.shift,
        (KeyCode::Tab, Code::Tab) => !chord.shift && !shift,
        (code, key_code) => chord.shift == shift && same_key(code, key_code),
    }
}

fn same_key(code: KeyCode, key: Code) -> bool {
    matches!(
        (code, key),
        (KeyCode::Enter, Code::Enter)
            | (KeyCode::Esc, Code::Esc)
            | (KeyCode::Backspace, Code::Backspace)
            | (KeyCode::Delete, Code::Delete)
            | (KeyCode::Up, Code::Up)
            | (KeyCode::Down, Code::Down)
            | (KeyCode::Left, Code::Left)
            | (KeyCode::Right, Code::Right)
            | (KeyCode::Home, Code::Home)
            | (KeyCode::End, Code::End)
            | (KeyCode::PageUp, Code::PageUp)
            | (KeyCode::PageDown, Code::PageDown)
    ) || matches!((code, key), (KeyCode::F(a), Code::F(b)) if a == b)
}

/// How a chord is written in hints: `q`, `ctrl-c`, `enter`.
pub fn label(chord: &KeyChord) -> String {
    let mut text = String::new();
    if chord.ctrl {
        text.push_str("ctrl-");
    }
    if chord.alt {
        text.push_str("alt-");
    }
    if chord.shift && !matches!(chord.code, KeyCode::Char(_)) {
        text.push_str("shift-");
    }
    match chord.code {
        KeyCode::Char(' ') => text.push_str("space"),
        KeyCode::Char(c) => text.push(c),
        KeyCode::F(n) => text.push_str(&format!("f{n}")),
        other => text.push_str(&format!("{other:?}").to_lowercase()),
    }
    text
}
