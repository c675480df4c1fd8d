//! The terminal client: ratatui + crossterm on tokio. Keys become
//! [`crate::app::Action`]s through the [`Keymap`]; [`crate::app::update`]
//! changes the state; [`Screen`] draws it. Drawing never waits on the
//! network or the disk: the store is read off the drawing path and arrives
//! as a snapshot.

mod effects;
mod keymap;
mod run;

mod theme;
mod view;

pub use keymap::{Keymap, label};
pub use run::{FastForward, Options, run};
pub use theme::Theme;
pub use view::Screen;
