//! Logs go to `agora.YYYY-MM-DD.log` in the data directory, a new file
//! each day and the last [`KEEP_DAYS`] kept, never to the terminal (except
//! `agora serve`, which logs to stdout). `AGORA_LOG` sets the filter
//! (default `info`). Every line is escaped on its way out (see
//! [`crate::text`]): a peer's words in a log line cannot reach the terminal
//! of whoever reads the log.

use std::io::{self, Write};

use tracing_appender::rolling::{Builder, Rotation};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use super::Context;

/// How many daily log files are kept; older ones are deleted.
pub const KEEP_DAYS: usize = 7;
/// `agora.2026-05-01.log`.
pub const LOG_PREFIX: &str = "agora";
pub const LOG_SUFFIX: &str = "log";

pub fn init(ctx: &Context) {
    if ctx.home.ensure_data_dir().is_err() {
        return;
    }
    let dir = ctx.home.log_dir();
    let Ok(appender) = Builder::new()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_PREFIX)
        .filename_suffix(LOG_SUFFIX)
        .max_log_files(KEEP_DAYS)
        .build(dir)
    else {
        return;
    };
    // The appender creates files with the process umask (0077, see
    // `cli::main`); a file left by an older agora is made private here.
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(LOG_PREFIX) && name.ends_with(LOG_SUFFIX) {
                let _ = crate::files::tighten(&entry.path(), 0o600);
            }
        }
    }
    let filter = EnvFilter::try_from_env("AGORA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(Escaped(appender)).try_init();
}

/// For `agora serve`: log lines on stdout, as a service manager expects.
pub fn init_stdout() {
    let filter = EnvFilter::try_from_env("AGORA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ =
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(Escaped(io::stdout)).try_init();
}

/// A writer maker whose writers escape control and invisible characters
/// (keeping newlines and tabs). The formatter hands over one whole event per
/// write, so characters are never split between calls.
pub struct Escaped<M>(pub M);

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for Escaped<M> {
    type Writer = EscapedWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        EscapedWriter(self.0.make_writer())
    }
}

pub struct EscapedWriter<W>(W);

impl<W: Write> Write for EscapedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let plain = buf.iter().all(|b| (0x20..0x7f).contains(b) || *b == b'\n' || *b == b'\t');
        if plain {
            self.0.write_all(buf)?;
        } else {
            let text = String::from_utf8_lossy(buf);
            self.0.write_all(crate::text::escape_multiline(&text).as_bytes())?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_lines_are_escaped_but_keep_their_line_breaks() {
        let mut out = EscapedWriter(Vec::new());
        out.write_all(b"plain line\n").unwrap();
        out.write_all("refused: \x1b]0;pwned\x07 \u{202e}en\u{9b}\n".as_bytes()).unwrap();
        let text = String::from_utf8(out.0).unwrap();
        assert_eq!(text, "plain line\nrefused: \\u{1b}]0;pwned\\u{7} \\u{202e}en\\u{9b}\n");
    }
}
