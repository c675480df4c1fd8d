//! `agora/directory/2`: directory anti-entropy as range-based set
//! reconciliation (negentropy) over the envelopes two peers hold, one set
//! at a time (the open directory, then each community's), then a
//! fetch of the envelopes one lacks, by content hash. Each message is one
//! stream: a request, then its reply. However large the directory, every
//! message stays under [`MAX_DIRECTORY_MESSAGE_BYTES`].

use serde::{Deserialize, Serialize};

pub const DIRECTORY_ALPN: &[u8] = b"agora/directory/2";
/// No directory request or reply is larger than this.
pub const MAX_DIRECTORY_MESSAGE_BYTES: usize = 1 << 20;
/// Envelopes asked for in one fetch at most.
pub const MAX_FETCH: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DirectoryRequest {
    /// A negentropy message from the initiator.
    Reconcile(Vec<u8>),
    /// The envelopes with these SHA-256 hashes, please.
    Fetch(Vec<[u8; 32]>),
    /// Charter versions of these communities, each with digests of
    /// versions on the asker's chain (its head, the ones before it at
    /// growing distances, and its founding one): answered with
    /// [`DirectoryReply::Envelopes`] holding the responder's chain after
    /// the latest of them it shares (all of it when it shares none), in
    /// chain order. At most [`MAX_CHARTER_ASKS`] communities and
    /// [`MAX_KNOWN_VERSIONS`] digests each.
    Charters(Vec<([u8; 32], Vec<[u8; 32]>)>),
    /// A negentropy message about one community's set (the listings
    /// placed in it and its hide notes); [`DirectoryRequest::Reconcile`]
    /// is about the open directory. A responder that has not joined the
    /// community answers as for an empty set.
    ReconcileIn([u8; 32], Vec<u8>),
}

/// Digests of known versions one charter ask names at most.
pub const MAX_KNOWN_VERSIONS: usize = 16;

/// Communities one [`DirectoryRequest::Charters`] asks about at most.
pub const MAX_CHARTER_ASKS: usize = 32;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DirectoryReply {
    /// The responder's negentropy message.
    Reconcile(Vec<u8>),
    /// The envelopes asked for that the responder holds, as a
    /// [`crate::wire::list`].
    Envelopes(Vec<u8>),
    /// Not now (over the asker's rate, say): ask again later.
    Busy(String),
    /// Never (the asker is blocked, or the request is malformed).
    Refused(String),
}
