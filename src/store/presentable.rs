//! The endorsements a holder may put in a presentation: those they took
//! part in that a selection picks, oldest first, as the exact bytes held.
//! Whether each still verifies is for [`crate::endorse::presentation::verified`].
//! Beside them, the hubs' validations the selection picks.

use super::{Store, StoreError};
use crate::endorse::presentation::Selection;
use crate::identity::PublicKey;

impl Store {
    /// The picked endorsements' bytes, oldest first.
    pub fn presentable(&self, holder: &PublicKey, selection: &Selection) -> Result<Vec<Vec<u8>>, StoreError> {
        let private = self.private_endorsement_ids()?;
        let mut chosen: Vec<_> =
            self.endorsements()?.into_iter().filter(|e| selection.picks(e, holder, private.contains(&e.id))).collect();
        chosen.sort_by_key(|e| e.start);
        let mut out = Vec::with_capacity(chosen.len());
        for e in chosen {
            out.extend(self.endorsement_bytes(&e.id)?);
        }
        Ok(out)
    }

    /// The bytes of the validations `selection` picks beside the
    /// endorsements `picked` (their ids), oldest first.
    pub fn presentable_validations(&self, selection: &Selection, picked: &[&str]) -> Result<Vec<Vec<u8>>, StoreError> {
        let picked: std::collections::HashSet<&str> = picked.iter().copied().collect();
        let mut chosen: Vec<_> =
            self.validations()?.into_iter().filter(|(v, _)| selection.picks_validation(v, &picked)).collect();
        chosen.sort_by_key(|(v, _)| v.issued);
        Ok(chosen.into_iter().map(|(_, bytes)| bytes).collect())
    }
}
