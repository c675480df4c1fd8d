//! The directory as peers compare it: a digest of what is held (own and
//! seen listings, withdrawals), and the envelopes another peer is missing.

use std::collections::HashMap;

use jiff::Timestamp;
use redb::ReadableTable;
use serde::{Deserialize, Serialize};

use super::listings::decode;
use super::tables::{OWN_LISTINGS, SEEN_LISTINGS, WITHDRAWN};
use super::{Store, StoreError};
use crate::market::{Listing, ListingWithdrawal};

/// One line of a digest: the version held of one listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestEntry {
    pub author: [u8; 32],
    pub id: [u8; 16],
    pub version: u32,
    pub withdrawn: bool,
}

impl DigestEntry {
    fn key(&self) -> ([u8; 32], [u8; 16]) {
        (self.author, self.id)
    }

    /// Whether this entry supersedes `other` for the same listing.
    fn newer_than(&self, other: &DigestEntry) -> bool {
        (self.version, self.withdrawn) > (other.version, other.withdrawn)
    }
}

impl Store {
    /// What this peer holds: live listings (own and seen, unexpired at
    /// `now`) and withdrawals.
    pub fn digest(&self, now: Timestamp) -> Result<Vec<DigestEntry>, StoreError> {
        Ok(self.directory(now)?.into_iter().map(|(entry, _)| entry).collect())
    }

    /// The envelopes that would bring a peer holding `theirs` up to date,
    /// preceded by this peer's own signed profile (so names travel too).
    pub fn missing_from(&self, theirs: &[DigestEntry], now: Timestamp) -> Result<Vec<Vec<u8>>, StoreError> {
        let known: HashMap<_, _> = theirs.iter().map(|e| (e.key(), *e)).collect();
        let profile = self.profile()?.map(|p| p.bytes().to_vec());
        Ok(profile
            .into_iter()
            .chain(
                self.directory(now)?
                    .into_iter()
                    .filter(|(mine, _)| known.get(&mine.key()).is_none_or(|their| mine.newer_than(their)))
                    .map(|(_, bytes)| bytes),
            )
            .collect())
    }

    fn directory(&self, now: Timestamp) -> Result<Vec<(DigestEntry, Vec<u8>)>, StoreError> {
        let tx = self.db.read()?;
        let mut out = Vec::new();
        let listing_entry = |bytes: &[u8]| -> Result<Option<(DigestEntry, Vec<u8>)>, StoreError> {
            let listing = decode::<Listing>(bytes)?;
            if listing.value().is_expired(now) {
                return Ok(None);
            }
            let entry = DigestEntry {
                author: *listing.author().as_bytes(),
                id: listing.value().id.0,
                version: listing.value().version,
                withdrawn: false,
            };
            Ok(Some((entry, bytes.to_vec())))
        };
        for row in tx.open_table(OWN_LISTINGS)?.iter()? {
            out.extend(listing_entry(row?.1.value())?);
        }
        for row in tx.open_table(SEEN_LISTINGS)?.iter()? {
            out.extend(listing_entry(row?.1.value())?);
        }
        for row in tx.open_table(WITHDRAWN)?.iter()? {
            let bytes = row?.1.value().to_vec();
            let withdrawal = decode::<ListingWithdrawal>(&bytes)?;
            let entry = DigestEntry {
                author: *withdrawal.author().as_bytes(),
                id: withdrawal.value().id.0,
                version: withdrawal.value().version,
                withdrawn: true,
            };
            out.push((entry, bytes));
        }
        Ok(out)
    }
}
