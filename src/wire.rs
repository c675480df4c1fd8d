//! Signed envelopes: everything a peer says travels and is stored as one.
//!
//! Layout: `postcard(Header) || ed25519 signature (64 bytes)`, where the
//! header carries the envelope format, a domain tag naming the body type, the
//! author's key, a timestamp and the postcard-encoded body. The signature
//! covers a fixed context string followed by the exact header bytes, so the
//! bytes are verified before the body is decoded.

mod envelope;
mod error;
mod limits;
pub mod list;

pub use envelope::{
    Body, ENVELOPE_FORMAT, MAX_ENVELOPE_BYTES, MAX_FUTURE_SKEW, Verified, decode_exact, domain_of, open, reads, seal,
    timestamp_of,
};
pub use error::WireError;
pub use limits::{FieldError, check_list, check_tag, check_text};
