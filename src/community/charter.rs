//! The charter: what a community is (name, description, languages, rules in
//! plain words), who keeps it (maintainers, in order of precedence), who
//! may publish in it (anyone, or only people a maintainer invited), and
//! what it teaches (its [`Curriculum`]). Signed by the maintainer who
//! published the version; each version after the first names the one it
//! replaces by digest, so versions form a chain ([`super::history`]).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{CommunityId, Curriculum};
use crate::identity::PublicKey;
use crate::wire::{Body, FieldError, Verified, check_list, check_tag, check_text};

pub const MAX_MAINTAINERS: usize = 16;
pub const MAX_RULES: usize = 20;
pub const MAX_LANGUAGES: usize = 8;
/// Versions a charter may reach; a community that needs more founds anew.
pub const MAX_VERSION: u32 = 1000;

/// SHA-256 of one signed charter version's bytes.
pub type CharterDigest = [u8; 32];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Admission {
    /// Anyone may publish listings in the community.
    Open,
    /// Only maintainers and the people they invited.
    InviteOnly,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charter {
    /// The key that founded the community; with `nonce`, its identity.
    pub founder: PublicKey,
    pub nonce: [u8; 16],
    /// 1 for the founding charter, one more for each version after it.
    pub version: u32,
    /// The digest of the version this one replaces (none for version 1).
    pub previous: Option<CharterDigest>,
    pub name: String,
    pub description: String,
    /// Language tags (`en`, `pt-br`).
    pub languages: Vec<String>,
    /// Rules in plain words, one per entry.
    pub rules: Vec<String>,
    /// Who may publish the next version, first listed first: when two of
    /// them publish conflicting versions, the one listed first wins.
    pub maintainers: Vec<PublicKey>,
    pub admission: Admission,
    pub curriculum: Curriculum,
}

impl Charter {
    pub fn id(&self) -> CommunityId {
        CommunityId::derive(&self.founder, &self.nonce)
    }

    pub fn is_maintainer(&self, key: &PublicKey) -> bool {
        self.maintainers.contains(key)
    }

    /// Where `key` stands among the maintainers (0 first), if it is one.
    pub fn precedence(&self, key: &PublicKey) -> Option<usize> {
        self.maintainers.iter().position(|m| m == key)
    }

    /// The next version of `held`, as its maintainer `self` edits it.
    pub fn next_of(held: &Verified<Charter>) -> Charter {
        let mut next = held.value().clone();
        next.version = held.value().version.saturating_add(1);
        next.previous = Some(digest(held));
        next
    }
}

/// The digest later versions name this one by.
pub fn digest(version: &Verified<Charter>) -> CharterDigest {
    Sha256::digest(version.bytes()).into()
}

impl Body for Charter {
    const DOMAIN: &'static str = "agora/charter/1";
    // Well inside an envelope; a curriculum of 96 skills with words and
    // alignments fits.
    const MAX_BODY_BYTES: usize = 48 * 1024;

    fn validate(&self) -> Result<(), FieldError> {
        if self.version == 0 || self.version > MAX_VERSION {
            return Err(FieldError::new("version", format!("must be 1 to {MAX_VERSION}")));
        }
        if (self.version == 1) != self.previous.is_none() {
            return Err(FieldError::new("previous", "the first version names no previous one; later ones must"));
        }
        if self.name.trim().is_empty() {
            return Err(FieldError::new("name", "must not be empty"));
        }
        check_text("name", &self.name, 60, false)?;
        check_text("description", &self.description, 1000, true)?;
        check_list("languages", &self.languages, 0, MAX_LANGUAGES)?;
        for language in &self.languages {
            check_tag("languages", language, 16)?;
        }
        check_list("rules", &self.rules, 0, MAX_RULES)?;
        for rule in &self.rules {
            check_text("rules", rule, 300, false)?;
        }
        check_list("maintainers", &self.maintainers, 1, MAX_MAINTAINERS)?;
        for (i, key) in self.maintainers.iter().enumerate() {
            if self.maintainers[..i].contains(key) {
                return Err(FieldError::new("maintainers", format!("{} appears twice", key.fingerprint())));
            }
        }
        self.curriculum.validate()
    }
}
