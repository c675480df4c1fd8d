//! `agora/session/1`: one signed message per stream, answered by an ack.
//! Messages are idempotent, so a sender that lost the ack simply sends again.

use serde::{Deserialize, Serialize};

pub const SESSION_ALPN: &[u8] = b"agora/session/1";
/// A session message (a signed envelope inside) is at most this big.
pub const MAX_SESSION_MESSAGE_BYTES: usize = crate::wire::MAX_ENVELOPE_BYTES + 64;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionMessage {
    /// A signed `NegotiationEvent`.
    Negotiation(Vec<u8>),
    /// A signed `ChatMessage`.
    Chat(Vec<u8>),
    /// A signed `Review` (learner → teacher).
    Review(Vec<u8>),
    /// A signed `Draft` (teacher → learner).
    Draft(Vec<u8>),
    /// A signed `Final` (learner → teacher).
    Final(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ack {
    /// Taken (or already had it): the sender can forget the message.
    Taken,
    /// Refused for good, with the reason; resending will not help.
    Refused(String),
}
