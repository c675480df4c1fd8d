//! Colours and emphasis for the three themes in config.toml: `dark`,
//! `light` and `mono` (no colour at all, emphasis only).

use ratatui::style::{Color, Modifier, Style};

use crate::config::Theme as Choice;

#[derive(Clone, Copy, Debug)]
pub struct Theme {
    pub text: Style,
    pub dim: Style,
    pub accent: Style,
    pub selected: Style,
    pub good: Style,
    pub bad: Style,
    pub title: Style,
}

impl Theme {
    pub fn new(choice: Choice) -> Self {
        let plain = Style::default();
        match choice {
            Choice::Mono => Self {
                text: plain,
                dim: plain.add_modifier(Modifier::DIM),
                accent: plain.add_modifier(Modifier::BOLD),
                selected: plain.add_modifier(Modifier::REVERSED),
                good: plain.add_modifier(Modifier::BOLD),
                bad: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                title: plain.add_modifier(Modifier::BOLD),
            },
            Choice::Dark | Choice::Light => {
                let (accent, selected_bg) =
                    if choice == Choice::Dark { (Color::Cyan, Color::DarkGray) } else { (Color::Blue, Color::Gray) };
                Self {
                    text: plain,
                    dim: plain.fg(Color::DarkGray),
                    accent: plain.fg(accent),
                    selected: plain.bg(selected_bg).add_modifier(Modifier::BOLD),
                    good: plain.fg(Color::Green),
                    bad: plain.fg(Color::Red),
                    title: plain.fg(accent).add_modifier(Modifier::BOLD),
                }
            }
        }
    }
}
