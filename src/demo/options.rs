//! Knobs for the demo: how fast personas answer and how patient they are
//! with a newcomer. The defaults feel human; tests turn the pace up.

use std::time::Duration;

#[derive(Clone, Debug)]
pub struct DemoOptions {
    /// Multiplies every persona's reply delay: 1.0 as written in its file,
    /// 0.0 at once.
    pub pace: f64,
    /// A session with a newcomer that is due to start (or end) is started
    /// (or completed) by the demo peer itself after this long, in case the
    /// newcomer does not.
    pub newcomer_grace: Duration,
    /// Whether personas propose sessions on their own.
    pub proposals: bool,
    /// A persona's first own proposal comes after this long (times its
    /// pace-scaled reply delay), and later ones at least this far apart.
    pub proposal_gap: Duration,
    /// How long `Demo::start` waits for every peer to see every demo
    /// listing before returning anyway.
    pub warm_up: Duration,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            pace: 1.0,
            newcomer_grace: Duration::from_secs(45),
            proposals: true,
            proposal_gap: Duration::from_secs(60),
            warm_up: Duration::from_secs(10),
        }
    }
}

impl DemoOptions {
    /// Quick answers for tests: a tenth of the human delays.
    pub fn quick() -> Self {
        Self { pace: 0.1, proposal_gap: Duration::from_secs(2), ..Self::default() }
    }
}
