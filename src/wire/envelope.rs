//! Sealing and opening envelopes. `open` is the only way to obtain a
//! [`Verified`] value from bytes a peer sent.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use super::{FieldError, WireError};
use crate::identity::{Identity, PublicKey};

/// Current envelope layout version.
pub const ENVELOPE_FORMAT: u8 = 1;
/// No envelope of any kind may be larger than this.
pub const MAX_ENVELOPE_BYTES: usize = 64 * 1024;
/// Envelopes dated further ahead than this are refused.
pub const MAX_FUTURE_SKEW: SignedDuration = SignedDuration::from_mins(10);
const MAX_DOMAIN_BYTES: usize = 32;
const SIGNATURE_CONTEXT: &[u8] = b"agora envelope v1\0";
const SIGNATURE_LEN: usize = 64;

/// A type that can travel inside an envelope.
pub trait Body: Serialize + DeserializeOwned {
    /// Domain tag: which kind of statement this is (`agora/listing/1`).
    const DOMAIN: &'static str;
    /// Largest encoded body accepted for this kind.
    const MAX_BODY_BYTES: usize;
    /// Field limits and invariants, checked after signature and decoding.
    fn validate(&self) -> Result<(), FieldError>;
    /// Older domain tags of this kind that are still read (a body signed
    /// before the kind changed shape); new envelopes are sealed as
    /// [`Body::DOMAIN`] only.
    const OLDER_DOMAINS: &'static [&'static str] = &[];
    /// Decodes the body of an envelope signed under one of
    /// [`Body::OLDER_DOMAINS`].
    fn decode_older(domain: &str, body: &[u8]) -> Result<Self, WireError> {
        let _ = body;
        Err(WireError::Body(format!("no older form `{domain}`")))
    }
}

/// Decodes a whole body as `T`: trailing bytes are an error.
pub fn decode_exact<T: DeserializeOwned>(body: &[u8]) -> Result<T, WireError> {
    let (value, rest) = postcard::take_from_bytes::<T>(body).map_err(|e| WireError::Body(e.to_string()))?;
    if !rest.is_empty() {
        return Err(WireError::BodyTrailingBytes(rest.len()));
    }
    Ok(value)
}

/// Whether `domain` is a tag `T` is read from.
pub fn reads<T: Body>(domain: &str) -> bool {
    domain == T::DOMAIN || T::OLDER_DOMAINS.contains(&domain)
}

#[derive(Serialize, Deserialize)]
struct Header<'a> {
    format: u8,
    domain: &'a str,
    author: [u8; 32],
    timestamp_ms: i64,
    body: &'a [u8],
}

/// A statement whose signature has been checked against its author, whose
/// timestamp is sane and whose body passed its limits. Keeps the exact bytes
/// it came from, so it can be stored and forwarded unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified<T> {
    value: T,
    author: PublicKey,
    timestamp: Timestamp,
    bytes: Vec<u8>,
}

impl<T> Verified<T> {
    pub fn value(&self) -> &T {
        &self.value
    }
    pub fn author(&self) -> PublicKey {
        self.author
    }
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }
    /// The exact signed bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    pub fn into_value(self) -> T {
        self.value
    }
}

impl<T: Body> Verified<T> {
    /// Re-reads bytes that the store accepted earlier as verified. Decodes
    /// without checking the signature again (the store only ever holds
    /// verified envelopes, and reopening thousands must stay fast).
    pub(crate) fn from_trusted_store(bytes: Vec<u8>) -> Result<Self, WireError> {
        let (header, _) = split(&bytes)?;
        let author = PublicKey::from_bytes_unchecked(header.author);
        let timestamp = timestamp(header.timestamp_ms)?;
        let value = decode_body::<T>(&header)?;
        Ok(Self { value, author, timestamp, bytes })
    }
}

/// Signs `value` as `identity` at `now`. The result holds exactly what a
/// receiver will decode (timestamps at millisecond precision, as sent).
pub fn seal<T: Body>(identity: &Identity, value: &T, now: Timestamp) -> Result<Verified<T>, WireError> {
    value.validate()?;
    let body = postcard::to_stdvec(value).map_err(|e| WireError::Body(e.to_string()))?;
    if body.len() > T::MAX_BODY_BYTES {
        return Err(WireError::TooLarge { len: body.len(), max: T::MAX_BODY_BYTES });
    }
    let author = identity.public();
    let header = Header {
        format: ENVELOPE_FORMAT,
        domain: T::DOMAIN,
        author: *author.as_bytes(),
        timestamp_ms: now.as_millisecond(),
        body: &body,
    };
    let mut bytes = postcard::to_stdvec(&header).map_err(|e| WireError::Body(e.to_string()))?;
    let signature = identity.sign(&signed_message(&bytes));
    bytes.extend_from_slice(&signature);
    if bytes.len() > MAX_ENVELOPE_BYTES {
        return Err(WireError::TooLarge { len: bytes.len(), max: MAX_ENVELOPE_BYTES });
    }
    let value = decode_body::<T>(&header)?;
    Ok(Verified { value, author, timestamp: timestamp(header.timestamp_ms)?, bytes })
}

/// Verifies `bytes` as a `T` envelope at local time `now`: size, layout,
/// domain, signature, timestamp, and only then the body and its limits.
pub fn open<T: Body>(bytes: &[u8], now: Timestamp) -> Result<Verified<T>, WireError> {
    if bytes.len() > MAX_ENVELOPE_BYTES {
        return Err(WireError::TooLarge { len: bytes.len(), max: MAX_ENVELOPE_BYTES });
    }
    let (header, signature) = split(bytes)?;
    if !reads::<T>(header.domain) {
        return Err(WireError::WrongDomain {
            expected: T::DOMAIN,
            found: header.domain.chars().take(MAX_DOMAIN_BYTES).collect(),
        });
    }
    if header.body.len() > T::MAX_BODY_BYTES {
        return Err(WireError::TooLarge { len: header.body.len(), max: T::MAX_BODY_BYTES });
    }
    // An author that is not a valid key fails here too: it cannot verify.
    let author = PublicKey::from_bytes_unchecked(header.author);
    let signed = &bytes[..bytes.len() - SIGNATURE_LEN];
    if !author.verify(&signed_message(signed), &signature) {
        return Err(WireError::BadSignature);
    }
    let timestamp = timestamp(header.timestamp_ms)?;
    let ahead = timestamp.duration_since(now);
    if ahead > MAX_FUTURE_SKEW {
        return Err(WireError::FromTheFuture { seconds: ahead.as_secs() });
    }
    let value = decode_body::<T>(&header)?;
    value.validate()?;
    Ok(Verified { value, author, timestamp, bytes: bytes.to_vec() })
}

/// The domain tag an envelope claims, read without verifying anything, so a
/// receiver can pick the body type to [`open`] it as.
pub fn domain_of(bytes: &[u8]) -> Result<&str, WireError> {
    if bytes.len() > MAX_ENVELOPE_BYTES {
        return Err(WireError::TooLarge { len: bytes.len(), max: MAX_ENVELOPE_BYTES });
    }
    split(bytes).map(|(header, _)| header.domain)
}

/// The timestamp an envelope claims, read without verifying anything.
pub fn timestamp_of(bytes: &[u8]) -> Result<Timestamp, WireError> {
    split(bytes).and_then(|(header, _)| timestamp(header.timestamp_ms))
}

/// Splits envelope bytes into the decoded header and the signature.
fn split(bytes: &[u8]) -> Result<(Header<'_>, [u8; 64]), WireError> {
    let (header, rest): (Header<'_>, &[u8]) = postcard::take_from_bytes(bytes).map_err(|_| WireError::Malformed)?;
    if header.format != ENVELOPE_FORMAT {
        return Err(WireError::UnknownFormat(header.format));
    }
    if header.domain.len() > MAX_DOMAIN_BYTES {
        return Err(WireError::Malformed);
    }
    let signature: [u8; 64] = match rest.len() {
        SIGNATURE_LEN => rest.try_into().map_err(|_| WireError::Malformed)?,
        n if n < SIGNATURE_LEN => return Err(WireError::Malformed),
        n => return Err(WireError::TrailingBytes(n - SIGNATURE_LEN)),
    };
    Ok((header, signature))
}

fn decode_body<T: Body>(header: &Header<'_>) -> Result<T, WireError> {
    if header.domain == T::DOMAIN { decode_exact(header.body) } else { T::decode_older(header.domain, header.body) }
}

fn timestamp(ms: i64) -> Result<Timestamp, WireError> {
    Timestamp::from_millisecond(ms).map_err(|_| WireError::TimestampOutOfRange)
}

fn signed_message(signed: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNATURE_CONTEXT.len() + signed.len());
    message.extend_from_slice(SIGNATURE_CONTEXT);
    message.extend_from_slice(signed);
    message
}
