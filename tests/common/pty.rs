//! The real `agora` binary in a pseudo-terminal, its screen read back
//! through a VT100 parser. Included by the tests that drive the client.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

pub const WAIT: Duration = Duration::from_secs(40);
pub const ROWS: u16 = 30;
pub const COLS: u16 = 110;

/// One `agora` screen in a pseudo-terminal.
pub struct Tui {
    name: &'static str,
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Tui {
    pub fn start(name: &'static str, home: &Path) -> Self {
        Self::start_with_args(name, home, &[])
    }

    pub fn start_with_args(name: &'static str, home: &Path, args: &[&str]) -> Self {
        Self::start_with(name, home, args, &[])
    }

    /// With extra environment variables (e.g. `AGORA_TEST_CLOCK_FILE`).
    pub fn start_with(name: &'static str, home: &Path, args: &[&str], env: &[(&str, &Path)]) -> Self {
        let pty = native_pty_system()
            .openpty(PtySize { rows: ROWS, cols: COLS, pixel_width: 0, pixel_height: 0 })
            .expect("a pseudo-terminal");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_agora"));
        command.args(args);
        command.env("AGORA_HOME", home);
        command.env("TERM", "xterm-256color");
        command.env_remove("AGORA_LOG");
        for (key, value) in env {
            command.env(key, value);
        }
        let child = pty.slave.spawn_command(command).expect("agora starts");
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            std::num::NonZero::new(ROWS).unwrap(),
            std::num::NonZero::new(COLS).unwrap(),
            0,
        )));
        let mut reader = pty.master.try_clone_reader().unwrap();
        let parser = screen.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
            }
        });
        let writer = pty.master.take_writer().unwrap();
        Self { name, child, writer, screen, master: pty.master }
    }

    pub fn contents(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// Waits until the screen shows `text`.
    pub fn wait_for(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while !self.contents().contains(text) {
            assert!(Instant::now() < deadline, "{}'s screen never showed `{text}`:\n{}", self.name, self.contents());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen no longer shows `text`.
    pub fn wait_gone(&self, text: &str) {
        let deadline = Instant::now() + WAIT;
        while self.contents().contains(text) {
            assert!(Instant::now() < deadline, "{}'s screen kept showing `{text}`:\n{}", self.name, self.contents());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the screen shows one of `texts`; returns which.
    pub fn wait_for_any(&self, texts: &[&str]) -> usize {
        let deadline = Instant::now() + WAIT;
        loop {
            let screen = self.contents();
            if let Some(i) = texts.iter().position(|t| screen.contains(t)) {
                return i;
            }
            assert!(Instant::now() < deadline, "{}'s screen never showed any of {texts:?}:\n{screen}", self.name);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn keys(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).unwrap();
        self.writer.flush().unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    /// Resizes the terminal (the screen parser follows).
    pub fn resize(&mut self, rows: u16, cols: u16) {
        self.master.resize(PtySize { rows, cols, pixel_width: 0, pixel_height: 0 }).unwrap();
        self.screen
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(std::num::NonZero::new(rows).unwrap(), std::num::NonZero::new(cols).unwrap());
    }

    pub fn quit(mut self) {
        self.keys("q");
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{} exited with {status:?}", self.name);
                return;
            }
            assert!(Instant::now() < deadline, "{} did not quit", self.name);
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}
