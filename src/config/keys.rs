//! Key chords as users write them in `config.toml`: `q`, `ctrl-c`,
//! `shift-tab`, `pagedown`, `f5`.

use serde::Deserialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Tab,
    Backspace,
    Delete,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    F(u8),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyChord {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
    pub shift: bool,
}

impl std::str::FromStr for KeyChord {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{text}` is not a key (try `q`, `ctrl-c`, `shift-tab`, `pagedown`, `f5`)");
        let mut chord = KeyChord { code: KeyCode::Esc, ctrl: false, alt: false, shift: false };
        let mut rest = text;
        loop {
            let lower = rest.to_ascii_lowercase();
            let modifier =
                ["ctrl-", "alt-", "shift-"].into_iter().find(|m| lower.starts_with(m) && rest.len() > m.len());
            let Some(modifier) = modifier else { break };
            match modifier {
                "ctrl-" => chord.ctrl = true,
                "alt-" => chord.alt = true,
                _ => chord.shift = true,
            }
            rest = &rest[modifier.len()..];
        }
        let mut chars = rest.chars();
        chord.code = match (chars.next(), chars.next()) {
            (Some(c), None) if !c.is_control() => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" => KeyCode::PageUp,
                "pagedown" => KeyCode::PageDown,
                "space" => KeyCode::Char(' '),
                f if f.starts_with('f') => match f[1..].parse::<u8>() {
                    Ok(n @ 1..=12) => KeyCode::F(n),
                    _ => return Err(bad()),
                },
                _ => return Err(bad()),
            },
        };
        Ok(chord)
    }
}

impl<'de> Deserialize<'de> for KeyChord {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_chords() {
        let q: KeyChord = "q".parse().unwrap();
        assert_eq!(q.code, KeyCode::Char('q'));
        let c: KeyChord = "ctrl-c".parse().unwrap();
        assert!(c.ctrl && c.code == KeyCode::Char('c'));
        let t: KeyChord = "Shift-Tab".parse().unwrap();
        assert!(t.shift && t.code == KeyCode::Tab);
        assert_eq!("-".parse::<KeyChord>().unwrap().code, KeyCode::Char('-'));
        assert_eq!("f5".parse::<KeyChord>().unwrap().code, KeyCode::F(5));
        for bad in ["", "ctrl-", "f13", "banana", "\u{7}"] {
            assert!(bad.parse::<KeyChord>().is_err(), "{bad:?}");
        }
    }
}
