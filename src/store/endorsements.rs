//! Endorsements: the exact credential bytes, a parsed summary for fast
//! portfolio views, and indexes by counterpart and by skill, all written in
//! one transaction.

use redb::{ReadableTable, WriteTransaction};

use super::error::corrupt;
use super::tables::{
    ENDORSEMENT_SUMMARIES, ENDORSEMENTS, ENDORSEMENTS_BY_COUNTERPART, ENDORSEMENTS_BY_SKILL, PRIVATE_ENDORSEMENTS,
};
use super::{Store, StoreError};
use crate::endorse::{Endorsement, VerifiedEndorsement};
use crate::identity::PublicKey;

/// What a portfolio list shows; the full credential is one lookup away.
pub type EndorsementSummary = Endorsement;

/// A summary as schemas up to 5 wrote it, before endorsements carried
/// alignments; read as one with none.
#[derive(serde::Deserialize)]
struct SummaryV1 {
    id: String,
    teacher: crate::endorse::Party,
    learner: crate::endorse::Party,
    skill: String,
    #[serde(with = "crate::market::time_ms")]
    start: jiff::Timestamp,
    #[serde(with = "crate::market::time_ms")]
    end: jiff::Timestamp,
    covered: String,
    rating: u8,
    review: String,
    attestation: String,
    #[serde(with = "crate::market::time_ms")]
    issued: jiff::Timestamp,
}

fn decode_summary(bytes: &[u8]) -> Result<EndorsementSummary, StoreError> {
    match postcard::from_bytes::<Endorsement>(bytes) {
        Ok(summary) => Ok(summary),
        Err(e) => match postcard::from_bytes::<SummaryV1>(bytes) {
            Ok(v1) => Ok(Endorsement {
                id: v1.id,
                teacher: v1.teacher,
                learner: v1.learner,
                skill: v1.skill,
                start: v1.start,
                end: v1.end,
                covered: v1.covered,
                rating: v1.rating,
                review: v1.review,
                attestation: v1.attestation,
                issued: v1.issued,
                alignments: Vec::new(),
            }),
            Err(_) => Err(corrupt("endorsement summary", e)),
        },
    }
}

impl Store {
    /// Stores a verified endorsement. Storing the same id again is a no-op
    /// when the bytes are identical and an error when they differ: one
    /// session has one endorsement. Returns whether it was new.
    pub fn put_endorsement(&self, endorsement: &VerifiedEndorsement) -> Result<bool, StoreError> {
        Ok(self.put_endorsements(std::slice::from_ref(endorsement))? == 1)
    }

    /// Stores many endorsements in one transaction (all or none), e.g. a
    /// portfolio received from a peer. Returns how many were new.
    pub fn put_endorsements(&self, endorsements: &[VerifiedEndorsement]) -> Result<usize, StoreError> {
        let tx = self.db.write()?;
        let added = insert_endorsements(&tx, endorsements)?;
        tx.commit()?;
        Ok(added)
    }

    /// The exact credential bytes for `id`.
    pub fn endorsement_bytes(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(ENDORSEMENTS)?;
        Ok(table.get(id)?.map(|v| v.value().to_vec()))
    }

    /// Every endorsement's summary (the portfolio), in id order. A summary
    /// that does not decode is logged and skipped (see `damaged.rs`).
    pub fn endorsements(&self) -> Result<Vec<EndorsementSummary>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(ENDORSEMENT_SUMMARIES)?;
        let mut all = Vec::new();
        for entry in table.iter()? {
            let (id, bytes) = entry?;
            let decoded = decode_summary(bytes.value());
            all.extend(self.skip_damaged("endorsement_summaries", id.value(), decoded));
        }
        Ok(all)
    }

    pub fn endorsement_summary(&self, id: &str) -> Result<Option<EndorsementSummary>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(ENDORSEMENT_SUMMARIES)?;
        table.get(id)?.map(|v| decode_summary(v.value())).transpose()
    }

    /// Ids of endorsements that name `person` as teacher or learner.
    pub fn endorsements_with(&self, person: &PublicKey) -> Result<Vec<String>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_multimap_table(ENDORSEMENTS_BY_COUNTERPART)?;
        table.get(person.as_bytes())?.map(|v| Ok(v?.value().to_owned())).collect()
    }

    /// Ids of endorsements for `skill`.
    pub fn endorsements_for_skill(&self, skill: &str) -> Result<Vec<String>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_multimap_table(ENDORSEMENTS_BY_SKILL)?;
        table.get(skill)?.map(|v| Ok(v?.value().to_owned())).collect()
    }

    /// Shows or hides an endorsement in the public portfolio (all are
    /// public unless hidden).
    pub fn set_endorsement_public(&self, id: &str, public: bool) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        {
            let mut private = tx.open_table(PRIVATE_ENDORSEMENTS)?;
            if public {
                private.remove(id)?;
            } else {
                private.insert(id, ())?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Ids of the endorsements hidden from the public portfolio.
    pub fn private_endorsement_ids(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let tx = self.db.read()?;
        let private = tx.open_table(PRIVATE_ENDORSEMENTS)?;
        private.iter()?.map(|row| Ok(row?.0.value().to_owned())).collect()
    }

    /// The credential bytes of every public endorsement.
    pub fn public_endorsements(&self) -> Result<Vec<Vec<u8>>, StoreError> {
        let tx = self.db.read()?;
        let docs = tx.open_table(ENDORSEMENTS)?;
        let private = tx.open_table(PRIVATE_ENDORSEMENTS)?;
        let mut out = Vec::new();
        for row in docs.iter()? {
            let (id, bytes) = row?;
            if private.get(id.value())?.is_none() {
                out.push(bytes.value().to_vec());
            }
        }
        Ok(out)
    }

    /// Resolves a full id or a unique prefix of its uuid to the full id.
    pub fn resolve_endorsement_id(&self, text: &str) -> Result<Option<String>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(ENDORSEMENTS)?;
        let wanted = text.strip_prefix("urn:uuid:").unwrap_or(text);
        let mut found = None;
        for entry in table.iter()? {
            let (key, _) = entry?;
            let id = key.value();
            if id.strip_prefix("urn:uuid:").is_some_and(|u| u.starts_with(wanted)) {
                if found.is_some() {
                    return Ok(None);
                }
                found = Some(id.to_owned());
            }
        }
        Ok(found)
    }
}

/// Inserts endorsements (and their summaries and indexes) within `tx`;
/// see [`Store::put_endorsements`]. Returns how many were new.
pub(super) fn insert_endorsements(
    tx: &WriteTransaction,
    endorsements: &[VerifiedEndorsement],
) -> Result<usize, StoreError> {
    let mut docs = tx.open_table(ENDORSEMENTS)?;
    let mut summaries = tx.open_table(ENDORSEMENT_SUMMARIES)?;
    let mut by_counterpart = tx.open_multimap_table(ENDORSEMENTS_BY_COUNTERPART)?;
    let mut by_skill = tx.open_multimap_table(ENDORSEMENTS_BY_SKILL)?;
    let mut added = 0;
    for endorsement in endorsements {
        let e = endorsement.endorsement();
        if let Some(existing) = docs.get(e.id.as_str())? {
            if existing.value() == endorsement.bytes() {
                continue;
            }
            return Err(corrupt("endorsement", format!("{} is already stored with different contents", e.id)));
        }
        let summary = postcard::to_stdvec(e).map_err(|err| corrupt("endorsement summary", err))?;
        docs.insert(e.id.as_str(), endorsement.bytes())?;
        summaries.insert(e.id.as_str(), summary.as_slice())?;
        by_counterpart.insert(e.teacher.key.as_bytes(), e.id.as_str())?;
        by_counterpart.insert(e.learner.key.as_bytes(), e.id.as_str())?;
        by_skill.insert(e.skill.as_str(), e.id.as_str())?;
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_written_before_alignments_reads_as_one_without_them() {
        let ada = crate::identity::Identity::from_secret_bytes(&[1; 32]).public();
        let bob = crate::identity::Identity::from_secret_bytes(&[2; 32]).public();
        let at: jiff::Timestamp = "2026-11-20T17:00:00Z".parse().unwrap();
        #[derive(serde::Serialize)]
        struct Old<'a>(
            &'a str,
            crate::endorse::Party,
            crate::endorse::Party,
            &'a str,
            i64,
            i64,
            &'a str,
            u8,
            &'a str,
            &'a str,
            i64,
        );
        let party = |key, name: &str| crate::endorse::Party { key, name: name.into() };
        let ms = at.as_millisecond();
        let old = postcard::to_stdvec(&Old(
            "urn:uuid:x",
            party(ada, "Ada"),
            party(bob, "Bob"),
            "rust",
            ms,
            ms + 60_000,
            "c",
            5,
            "r",
            "a",
            ms + 60_000,
        ))
        .unwrap();
        let summary = decode_summary(&old).unwrap();
        assert_eq!((summary.skill.as_str(), summary.rating, summary.alignments.len()), ("rust", 5, 0));
        assert_eq!(summary.issued.as_millisecond(), ms + 60_000);
        assert_eq!(decode_summary(&postcard::to_stdvec(&summary).unwrap()).unwrap(), summary);
        assert!(decode_summary(&[0xff, 0x01]).is_err());
    }
}
