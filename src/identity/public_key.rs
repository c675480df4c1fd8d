//! A validated Ed25519 public key: the name of a peer everywhere in agora.

use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};

/// An Ed25519 public key: the name of a peer.
///
/// Keys parsed at the edges ([`PublicKey::from_bytes`], `did:key` text,
/// envelope authors) are checked to be valid curve points. Keys decoded
/// inside signed bodies or read back from the store are taken as bytes, as
/// re-checking thousands of them would dominate opening a portfolio; a key
/// that is not a valid point simply never verifies a signature, so it can
/// never act.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "[u8; 32]", into = "[u8; 32]")]
pub struct PublicKey([u8; 32]);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("not a valid Ed25519 public key")]
pub struct InvalidPublicKey;

impl PublicKey {
    /// Parses 32 bytes, rejecting points that are not valid keys.
    pub fn from_bytes(bytes: [u8; 32]) -> Result<Self, InvalidPublicKey> {
        VerifyingKey::from_bytes(&bytes).map_err(|_| InvalidPublicKey)?;
        Ok(Self(bytes))
    }

    /// For bytes whose validity is checked later, by signature verification.
    pub(crate) fn from_bytes_unchecked(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Strict Ed25519 verification (rejects malleable and small-order forms).
    pub fn verify(&self, message: &[u8], signature: &[u8; 64]) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(&self.0) else {
            return false;
        };
        key.verify_strict(message, &Signature::from_bytes(signature)).is_ok()
    }

    /// A short, human-comparable fingerprint: the first 5 bytes in hex,
    /// the same prefix iroh shows for an endpoint id.
    pub fn fingerprint(&self) -> String {
        self.0[..5].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The full key in lowercase hex (the iroh `EndpointId` text form).
    pub fn to_hex(&self) -> String {
        crate::hex::encode(&self.0)
    }
}

impl From<[u8; 32]> for PublicKey {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl From<PublicKey> for [u8; 32] {
    fn from(key: PublicKey) -> Self {
        key.0
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

impl std::fmt::Display for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}
