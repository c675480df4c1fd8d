//! Logs go to `agora.log` in the data directory, never to the terminal
//! (except `agora serve`, which logs to stdout). `AGORA_LOG` sets the
//! filter (default `info`).

use std::fs::OpenOptions;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use super::Context;

pub fn init(ctx: &Context) {
    if ctx.home.ensure_data_dir().is_err() {
        return;
    }
    let Ok(file) = OpenOptions::new().create(true).append(true).open(ctx.home.log_file()) else {
        return;
    };
    let filter = EnvFilter::try_from_env("AGORA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(Mutex::new(file)).try_init();
}

/// For `agora serve`: log lines on stdout, as a service manager expects.
pub fn init_stdout() {
    let filter = EnvFilter::try_from_env("AGORA_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(std::io::stdout).try_init();
}
