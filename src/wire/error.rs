//! Why an envelope was refused.

use super::FieldError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WireError {
    #[error("message is {len} bytes; the limit is {max}")]
    TooLarge { len: usize, max: usize },
    #[error("message is truncated or malformed")]
    Malformed,
    #[error("message has {0} unexpected bytes after the signature")]
    TrailingBytes(usize),
    #[error("unknown envelope format {0}")]
    UnknownFormat(u8),
    #[error("expected a `{expected}` message, got `{found}`")]
    WrongDomain { expected: &'static str, found: String },
    #[error("signature does not match the author and contents")]
    BadSignature,
    #[error("timestamp is {seconds} s in the future (more than 10 minutes)")]
    FromTheFuture { seconds: i64 },
    #[error("timestamp is outside the supported date range")]
    TimestampOutOfRange,
    #[error("body could not be decoded: {0}")]
    Body(String),
    #[error("body has {0} unexpected trailing bytes")]
    BodyTrailingBytes(usize),
    #[error(transparent)]
    Invalid(#[from] FieldError),
}
