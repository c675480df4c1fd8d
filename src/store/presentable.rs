//! The endorsements a holder may put in a presentation: those they took
//! part in that a selection picks, each verified in full again.

use jiff::Timestamp;

use super::{Store, StoreError};
use crate::endorse::presentation::Selection;
use crate::endorse::{VerifiedEndorsement, verify};
use crate::identity::PublicKey;

impl Store {
    /// The picked endorsements, oldest first, and how many were left out
    /// because they no longer verify.
    pub fn presentable(
        &self,
        holder: &PublicKey,
        selection: &Selection,
        now: Timestamp,
    ) -> Result<(Vec<VerifiedEndorsement>, usize), StoreError> {
        let private = self.private_endorsement_ids()?;
        let mut chosen: Vec<_> =
            self.endorsements()?.into_iter().filter(|e| selection.picks(e, holder, private.contains(&e.id))).collect();
        chosen.sort_by_key(|e| e.start);
        let (mut verified, mut left_out) = (Vec::with_capacity(chosen.len()), 0);
        for e in chosen {
            let Some(bytes) = self.endorsement_bytes(&e.id)? else { continue };
            match verify(&bytes, now) {
                Ok(v) => verified.push(v),
                Err(err) => {
                    tracing::warn!(id = %e.id, "left out of the presentation: {err}");
                    left_out += 1;
                }
            }
        }
        Ok((verified, left_out))
    }
}
