//! `agora/session/1`: one signed message per stream, answered by an ack,
//! over one connection per peer that stays open between messages.
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
    /// "Send me this negotiation's steps from position `have` on": asked
    /// by a party whose log has a gap; answered with [`Ack::Log`].
    Resync { negotiation: crate::market::NegotiationId, have: u32 },
    /// A signed `DraftDeclined` (learner → teacher): the learner turned the
    /// draft down, with a reason.
    Declined(Vec<u8>),
}

/// Steps sent in one [`Ack::Log`] at most.
pub const MAX_RESYNC_STEPS: usize = 64;
/// The largest ack a sender reads (a [`Ack::Log`] of full steps fits).
pub const MAX_ACK_BYTES: usize = 128 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ack {
    /// Taken (or already had it): the sender can forget the message.
    Taken,
    /// Refused for good, with the reason; resending will not help.
    Refused(String),
    /// Not taken now (the peer is over its rate, or the receiver lacks
    /// earlier steps): keep it and send it again later.
    Later(String),
    /// The steps asked for with [`SessionMessage::Resync`], oldest first
    /// (signed envelopes).
    Log(Vec<Vec<u8>>),
}
