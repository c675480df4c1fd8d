//! A community's identity: the SHA-256 of its founder's key and a nonce the
//! founder drew. Two communities may share a name; they never share an id,
//! and only the founder's key can sign the charter that an id names.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::identity::PublicKey;

const ID_DOMAIN: &[u8] = b"agora community id v1\0";
const TOPIC_DOMAIN: &[u8] = b"agora community topic v2\0";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CommunityId(pub [u8; 32]);

impl CommunityId {
    /// The id a founder's charter names with this nonce.
    pub fn derive(founder: &PublicKey, nonce: &[u8; 16]) -> Self {
        let mut hash = Sha256::new();
        hash.update(ID_DOMAIN);
        hash.update(founder.as_bytes());
        hash.update(nonce);
        Self(hash.finalize().into())
    }

    /// The gossip topic of this community (distinct from the topics of the
    /// old name-only communities).
    pub fn topic(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        hash.update(TOPIC_DOMAIN);
        hash.update(self.0);
        hash.finalize().into()
    }

    pub fn to_hex(&self) -> String {
        crate::hex::encode(&self.0)
    }

    /// The first 8 hex digits: what lists show and what commands accept.
    pub fn short(&self) -> String {
        self.to_hex()[..8].to_owned()
    }

    pub fn from_hex(text: &str) -> Option<Self> {
        crate::hex::decode(text).map(Self)
    }
}

impl std::fmt::Debug for CommunityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CommunityId({})", self.short())
    }
}

impl std::fmt::Display for CommunityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;

    #[test]
    fn an_id_is_bound_to_its_founder_and_nonce() {
        let (ada, eve) =
            (Identity::from_secret_bytes(&[1; 32]).public(), Identity::from_secret_bytes(&[2; 32]).public());
        let id = CommunityId::derive(&ada, &[7; 16]);
        assert_eq!(id, CommunityId::derive(&ada, &[7; 16]));
        assert_ne!(id, CommunityId::derive(&eve, &[7; 16]), "another key cannot claim it");
        assert_ne!(id, CommunityId::derive(&ada, &[8; 16]));
        assert_eq!(CommunityId::from_hex(&id.to_hex()), Some(id));
        assert_eq!(CommunityId::from_hex("zz"), None);
        assert_ne!(id.topic(), id.0);
    }
}
