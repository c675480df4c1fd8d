//! Consent to a record before it is signed. Each party is shown the whole
//! unsigned endorsement (names, skill, times, what was covered and shown,
//! the rating and words) and approves exactly that: the approval names
//! the record's [`RecordDigest`], and a node signs only the record whose
//! digest it was given. If anything changed in between (a name, a revised
//! attestation), the approval no longer fits and nothing is signed.
//!
//! The learner may also turn a draft down with a reason
//! ([`DraftDeclined`]); the teacher may then revise it.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Endorsement;
use crate::market::NegotiationId;
use crate::wire::{Body, FieldError, check_text};

/// SHA-256 of an unsigned record's canonical JSON (RFC 8785).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordDigest(pub [u8; 32]);

impl RecordDigest {
    pub fn of(record: &Endorsement) -> Self {
        let document = record.to_document();
        // The document is plain JSON of strings and integers: it always
        // canonicalizes; an empty input would only make every digest differ.
        let canonical = serde_json_canonicalizer::to_vec(&document).unwrap_or_default();
        Self(Sha256::digest(&canonical).into())
    }

    /// The first 8 bytes in hex: enough for a person to compare.
    pub fn short(&self) -> String {
        self.to_string()[..16].to_owned()
    }
}

impl fmt::Display for RecordDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for RecordDigest {
    type Err = String;

    /// The whole digest in hex (64 characters).
    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return Err("a record digest is 64 hex characters".into());
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                .map_err(|_| "a record digest is 64 hex characters".to_owned())?;
        }
        Ok(Self(bytes))
    }
}

/// The learner turns the teacher's draft down (learner → teacher).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftDeclined {
    pub negotiation: NegotiationId,
    /// The digest of the record declined, so a late answer to an older
    /// draft does not undo a newer one.
    pub record: RecordDigest,
    pub reason: String,
}

impl Body for DraftDeclined {
    const DOMAIN: &'static str = "agora/draft-declined/1";
    const MAX_BODY_BYTES: usize = 2048;
    fn validate(&self) -> Result<(), FieldError> {
        if self.reason.trim().is_empty() {
            return Err(FieldError::new("reason", "say what should change"));
        }
        check_text("reason", &self.reason, 500, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_reads_back_from_its_hex_and_refuses_anything_else() {
        let digest = RecordDigest([0xab; 32]);
        assert_eq!(digest.to_string().parse::<RecordDigest>(), Ok(digest));
        assert_eq!(digest.short(), "abababababababab");
        for bad in ["", "ab", &"g".repeat(64), &"é".repeat(32), &"a".repeat(65)] {
            assert!(bad.parse::<RecordDigest>().is_err(), "{bad:?}");
        }
    }
}
