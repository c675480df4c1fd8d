//! What travels on a community topic: signed envelopes, framed with their
//! kind. Frames stay under gossip's message limit (a larger broadcast would
//! silently kill the send loop toward a peer).

use serde::{Deserialize, Serialize};

/// Gossip's default limit is 4096 bytes for the whole frame; keep headroom.
pub const MAX_FRAME_BYTES: usize = 4000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frame {
    /// A signed `Profile` envelope.
    Profile(Vec<u8>),
    /// A signed `Listing` envelope.
    Listing(Vec<u8>),
    /// A signed `ListingWithdrawal` envelope.
    Withdrawal(Vec<u8>),
    /// A hint, unsigned: `member` holds news of the charter of `community`.
    /// Members ask `member` (and the neighbour that passed it on) for it;
    /// what they fetch is judged like any charter.
    CharterNews { community: [u8; 32], member: [u8; 32] },
    /// A signed `HideNote` envelope (kept only by the community's members).
    HideNote(Vec<u8>),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("frame is {0} bytes; the limit is {MAX_FRAME_BYTES}")]
    TooLarge(usize),
    #[error("frame is malformed")]
    Malformed,
}

impl Frame {
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        let bytes = postcard::to_stdvec(self).map_err(|_| FrameError::Malformed)?;
        if bytes.len() > MAX_FRAME_BYTES {
            return Err(FrameError::TooLarge(bytes.len()));
        }
        Ok(bytes)
    }

    pub fn decode(bytes: &[u8]) -> Result<Self, FrameError> {
        if bytes.len() > MAX_FRAME_BYTES {
            return Err(FrameError::TooLarge(bytes.len()));
        }
        match postcard::take_from_bytes(bytes) {
            Ok((frame, [])) => Ok(frame),
            _ => Err(FrameError::Malformed),
        }
    }
}
