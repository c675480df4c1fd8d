//! Chat and co-signing progress, per negotiation.

use redb::ReadableTable;
use serde::{Deserialize, Serialize};

use super::damaged::key_hex;
use super::endorsements::insert_endorsements;
use super::error::corrupt;
use super::outbox::{Queued, queue_in};
use super::tables::{CHAT, COSIGN};
use super::{Store, StoreError};
use crate::endorse::VerifiedEndorsement;
use crate::endorse::consent::RecordDigest;
use crate::endorse::cosign::Attestation;
use crate::market::{ChatMessage, NegotiationId};
use crate::wire::Verified;

/// What each side has of the co-signing exchange so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CosignState {
    /// The learner's signed review (both sides keep it).
    pub review: Option<Vec<u8>>,
    /// The teacher's own part (teacher only).
    pub attestation: Option<Attestation>,
    /// The draft with the teacher's proof (both sides, once made; the
    /// learner's waits for the learner's approval until an endorsement
    /// is held).
    pub draft: Option<Vec<u8>>,
    /// Teacher: the record the teacher approved for signing.
    pub approved: Option<RecordDigest>,
    /// The learner turned this record down, for this reason (both sides
    /// keep it until a new draft comes).
    pub declined: Option<(RecordDigest, String)>,
}

/// How progress was written before approvals existed.
#[derive(Deserialize)]
struct CosignStateV1 {
    review: Option<Vec<u8>>,
    attestation: Option<Attestation>,
    draft: Option<Vec<u8>>,
}

fn decode_cosign(bytes: &[u8]) -> Result<CosignState, StoreError> {
    postcard::from_bytes(bytes).or_else(|e| match postcard::from_bytes::<CosignStateV1>(bytes) {
        Ok(old) => {
            Ok(CosignState { review: old.review, attestation: old.attestation, draft: old.draft, ..Default::default() })
        }
        Err(_) => Err(corrupt("cosign", e)),
    })
}

fn chat_key(message: &Verified<ChatMessage>) -> [u8; 40] {
    let mut key = [0u8; 40];
    key[..16].copy_from_slice(&message.value().negotiation.0);
    key[16..24].copy_from_slice(&message.timestamp().as_millisecond().to_be_bytes());
    key[24..].copy_from_slice(&message.value().id.0);
    key
}

impl Store {
    /// Stores a chat message (and queues it for the peer when `send` is
    /// given). Returns whether it was new.
    pub fn put_chat(&self, message: &Verified<ChatMessage>, send: Option<&Queued>) -> Result<bool, StoreError> {
        let key = chat_key(message);
        let tx = self.db.write()?;
        let new = {
            let mut table = tx.open_table(CHAT)?;
            let new = table.get(&key)?.is_none();
            if new {
                table.insert(&key, message.bytes())?;
            }
            new
        };
        if let Some(entry) = send {
            queue_in(&tx, entry)?;
        }
        tx.commit()?;
        Ok(new)
    }

    /// How many chat messages one negotiation holds.
    pub fn chat_count(&self, negotiation: &NegotiationId) -> Result<usize, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(CHAT)?;
        let (mut first, mut last) = ([0u8; 40], [0xffu8; 40]);
        first[..16].copy_from_slice(&negotiation.0);
        last[..16].copy_from_slice(&negotiation.0);
        Ok(table.range::<&[u8; 40]>(&first..=&last)?.count())
    }

    /// One negotiation's chat, oldest first; a message that does not
    /// decode is logged and skipped.
    pub fn chat(&self, negotiation: &NegotiationId) -> Result<Vec<Verified<ChatMessage>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(CHAT)?;
        let (mut first, mut last) = ([0u8; 40], [0xffu8; 40]);
        first[..16].copy_from_slice(&negotiation.0);
        last[..16].copy_from_slice(&negotiation.0);
        let mut all = Vec::new();
        for row in table.range::<&[u8; 40]>(&first..=&last)? {
            let (key, bytes) = row?;
            let decoded = Verified::from_trusted_store(bytes.value().to_vec()).map_err(|e| corrupt("chat", e));
            all.extend(self.skip_damaged("chat", key_hex(key.value()), decoded));
        }
        Ok(all)
    }

    pub fn cosign_state(&self, negotiation: &NegotiationId) -> Result<CosignState, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(COSIGN)?;
        Ok(table.get(&negotiation.0)?.map(|v| decode_cosign(v.value())).transpose()?.unwrap_or_default())
    }

    /// Saves co-signing progress, and queues a message in the same write.
    pub fn put_cosign_state(
        &self,
        negotiation: &NegotiationId,
        state: &CosignState,
        send: Option<&Queued>,
    ) -> Result<(), StoreError> {
        let bytes = postcard::to_stdvec(state).map_err(|e| corrupt("cosign", e))?;
        let tx = self.db.write()?;
        tx.open_table(COSIGN)?.insert(&negotiation.0, bytes.as_slice())?;
        if let Some(entry) = send {
            queue_in(&tx, entry)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Learner: keeps the countersigned endorsement, the progress and the
    /// final message for the teacher in one write, so that a crash cannot
    /// leave the endorsement stored without its way back to the teacher.
    /// Returns whether the endorsement was new.
    pub fn put_countersigned(
        &self,
        negotiation: &NegotiationId,
        state: &CosignState,
        endorsement: &VerifiedEndorsement,
        send: &Queued,
    ) -> Result<bool, StoreError> {
        let bytes = postcard::to_stdvec(state).map_err(|e| corrupt("cosign", e))?;
        let tx = self.db.write()?;
        let new = insert_endorsements(&tx, std::slice::from_ref(endorsement))? == 1;
        tx.open_table(COSIGN)?.insert(&negotiation.0, bytes.as_slice())?;
        queue_in(&tx, send)?;
        tx.commit()?;
        Ok(new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_written_before_approvals_existed_still_reads() {
        #[derive(Serialize)]
        struct Old {
            review: Option<Vec<u8>>,
            attestation: Option<Attestation>,
            draft: Option<Vec<u8>>,
        }
        let attestation = Attestation { covered: "Traits".into(), showed: "A generic fn".into() };
        let old = Old { review: Some(vec![1, 2]), attestation: Some(attestation.clone()), draft: Some(vec![3]) };
        let state = decode_cosign(&postcard::to_stdvec(&old).unwrap()).unwrap();
        assert_eq!(state.review, Some(vec![1, 2]));
        assert_eq!(state.attestation, Some(attestation));
        assert_eq!((state.approved, &state.declined), (None, &None));
        let new = CosignState { approved: Some(RecordDigest([7; 32])), ..state };
        assert_eq!(decode_cosign(&postcard::to_stdvec(&new).unwrap()).unwrap(), new);
        assert!(decode_cosign(&[0xff, 0xff, 0xff]).is_err(), "garbage is reported, not read as empty");
    }
}
