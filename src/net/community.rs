//! A community is a named gossip topic: topic id = SHA-256 of a fixed domain
//! string and the community's name.

use iroh_gossip::TopicId;
use sha2::{Digest, Sha256};

/// Everyone joins this one unless configured otherwise.
pub const DEFAULT_COMMUNITY: &str = "agora";
const DOMAIN: &[u8] = b"agora community v1\0";

pub fn topic_for(name: &str) -> TopicId {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    hasher.update(name.as_bytes());
    TopicId::from_bytes(hasher.finalize().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_distinct_stable_topics() {
        assert_eq!(topic_for("agora"), topic_for("agora"));
        assert_ne!(topic_for("agora"), topic_for("rust-berlin"));
    }
}
