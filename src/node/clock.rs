//! The node's clock: the system time, optionally shifted. Tests and the
//! demo move it forward to play a session through without waiting an hour.
//!
//! In debug builds only, [`Clock::from_env`] also follows a file named by
//! `AGORA_TEST_CLOCK_FILE` holding how many milliseconds to run ahead, so
//! that tests of the real binary can let an hour pass for two clients at
//! once (a session cannot be completed moments after it starts). Release
//! builds never read it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};

#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
    #[cfg(debug_assertions)]
    file: Option<Arc<test_file::OffsetFile>>,
}

impl Clock {
    /// The system clock; in debug builds, shifted by the file named in
    /// `AGORA_TEST_CLOCK_FILE` when that is set.
    pub fn from_env() -> Self {
        #[cfg(debug_assertions)]
        if let Some(path) = std::env::var_os("AGORA_TEST_CLOCK_FILE") {
            return Self { file: Some(Arc::new(test_file::OffsetFile::new(path.into()))), ..Self::default() };
        }
        Self::default()
    }

    pub fn now(&self) -> Timestamp {
        let now = Timestamp::now();
        #[allow(unused_mut)]
        let mut offset = self.offset_ms.load(Ordering::Relaxed);
        #[cfg(debug_assertions)]
        if let Some(file) = &self.file {
            offset = offset.saturating_add(file.offset_ms());
        }
        now.saturating_add(SignedDuration::from_millis(offset)).unwrap_or(now)
    }

    /// Moves this clock (and every clone of it) forward.
    pub fn advance(&self, by: SignedDuration) {
        self.offset_ms.fetch_add(by.as_millis() as i64, Ordering::Relaxed);
    }
}

#[cfg(debug_assertions)]
mod test_file {
    use std::path::PathBuf;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    /// Read again at most this often.
    const FRESH_FOR: Duration = Duration::from_millis(100);

    #[derive(Debug)]
    pub struct OffsetFile {
        path: PathBuf,
        last: Mutex<Option<(Instant, i64)>>,
    }

    impl OffsetFile {
        pub fn new(path: PathBuf) -> Self {
            Self { path, last: Mutex::new(None) }
        }

        pub fn offset_ms(&self) -> i64 {
            let Ok(mut last) = self.last.lock() else { return 0 };
            if let Some((at, offset)) = *last
                && at.elapsed() < FRESH_FOR
            {
                return offset;
            }
            let offset = std::fs::read_to_string(&self.path).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0);
            *last = Some((Instant::now(), offset));
            offset
        }
    }
}
