//! 128-bit random identifiers for listings and negotiations. Randomness is
//! drawn by the caller (the CLI or the node), never inside the pure core.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Id16(pub [u8; 16]);

impl Id16 {
    pub fn random() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes)?;
        Ok(Self(bytes))
    }

    pub fn to_hex(&self) -> String {
        crate::hex::encode(&self.0)
    }

    /// The first 8 hex digits: what lists show and what commands accept.
    pub fn short(&self) -> String {
        self.to_hex()[..8].to_string()
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        crate::hex::decode(text).map(Self)
    }
}

impl std::fmt::Debug for Id16 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.short())
    }
}

impl std::fmt::Display for Id16 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

pub type ListingId = Id16;
pub type NegotiationId = Id16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let id = Id16([0xab; 16]);
        assert_eq!(Id16::from_hex(&id.to_hex()), Some(id));
        assert_eq!(Id16::from_hex("zz"), None);
        assert_eq!(Id16::from_hex(&"é".repeat(16)), None);
    }
}
