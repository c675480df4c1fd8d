//! What a peer may ask of this node directly, each behind its checks: a
//! session message (rate, block, then the message itself), and the public
//! portfolio. Refusals say whether trying again can help: "later" for a
//! rate, a gap in a log or trouble here, "refused" for what is wrong.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Core;
use crate::identity::PublicKey;
use crate::net::{Ack, MAX_SESSION_MESSAGE_BYTES, SessionMessage};
use crate::node::NodeError;
use crate::store::StoreError;

/// Public endorsements served at most.
pub const MAX_PORTFOLIO_ENTRIES: usize = 10_000;
/// The largest portfolio answer (credentials are at most 64 KiB each).
pub const MAX_PORTFOLIO_BYTES: usize = 16 << 20;

/// The answer to a portfolio request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortfolioReply {
    /// Credentials, as a [`crate::wire::list`].
    Entries(Vec<u8>),
    Busy(String),
    Refused(String),
}

impl Core {
    pub(super) fn serve_session(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Ack {
        if self.blocked.contains(&from) {
            return Ack::Refused("peer is blocked".into());
        }
        if !self.limiter.session.allow(from, now) {
            self.refused(from, "over its message rate", now);
            return Ack::Later("peer is over its message rate".into());
        }
        if bytes.len() > MAX_SESSION_MESSAGE_BYTES {
            return Ack::Refused("message over the size limit".into());
        }
        let Ok(message) = postcard::from_bytes::<SessionMessage>(bytes) else {
            self.refused(from, "malformed session message", now);
            return Ack::Refused("malformed session message".into());
        };
        let result = match message {
            SessionMessage::Negotiation(bytes) => self.take_negotiation(from, &bytes, now),
            SessionMessage::Chat(bytes) => self.take_chat(from, &bytes, now),
            SessionMessage::Review(bytes) => self.take_review(from, &bytes, now),
            SessionMessage::Draft(bytes) => self.take_draft(from, &bytes, now),
            SessionMessage::Final(bytes) => self.take_final(from, &bytes, now),
            SessionMessage::Declined(bytes) => self.take_declined(from, &bytes, now),
            SessionMessage::Resync { negotiation, have } => return self.serve_resync(from, negotiation, have),
        };
        match result {
            Ok(()) => Ack::Taken,
            Err(e) if is_transient(&e) => {
                tracing::debug!(peer = %from.fingerprint(), "not taken now: {e}");
                Ack::Later(e.to_string())
            }
            Err(e) => {
                let reason = e.to_string();
                self.refused(from, &reason, now);
                Ack::Refused(reason)
            }
        }
    }

    pub(super) fn serve_portfolio(&mut self, from: PublicKey, now: Timestamp) -> Vec<u8> {
        let reply = if self.blocked.contains(&from) {
            PortfolioReply::Refused("you are blocked here".into())
        } else if !self.limiter.directory.allow(from, now) {
            PortfolioReply::Busy("over your rate; ask again later".into())
        } else {
            match self.store.public_endorsements() {
                Ok(mut entries) => {
                    entries.truncate(MAX_PORTFOLIO_ENTRIES);
                    let mut total = 16;
                    entries.retain(|e| {
                        total += e.len() + 5;
                        total <= MAX_PORTFOLIO_BYTES
                    });
                    PortfolioReply::Entries(crate::wire::list::encode(&entries))
                }
                Err(e) => PortfolioReply::Busy(format!("store: {e}")),
            }
        };
        postcard::to_stdvec(&reply).unwrap_or_default()
    }
}

/// Whether a refusal may pass if the sender tries again later.
fn is_transient(error: &NodeError) -> bool {
    match error {
        NodeError::Busy(_) => true,
        NodeError::Negotiation(e) => e.is_transient(),
        NodeError::Store(StoreError::Negotiation(e)) => e.is_transient(),
        NodeError::Store(StoreError::Database(_) | StoreError::ReadOnly | StoreError::Corrupt { .. }) => true,
        _ => false,
    }
}
