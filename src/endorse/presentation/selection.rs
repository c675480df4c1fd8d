//! Which endorsements go into a presentation: the holder's pick by skill,
//! date, role or id; and which hubs' validations go with them.

use std::collections::HashSet;

use jiff::Timestamp;

use crate::endorse::Endorsement;
use crate::endorse::validation::{Validation, VerifiedValidation};
use crate::identity::PublicKey;
use crate::market::Role;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only this skill (as written in the endorsement).
    pub skill: Option<String>,
    /// Only sessions that started at or after this moment.
    pub since: Option<Timestamp>,
    /// Only where the holder was the learner, or the teacher.
    pub role: Option<Role>,
    /// Only these ids (full `urn:uuid:…`); empty means any.
    pub ids: Vec<String>,
    /// Also endorsements hidden from the public portfolio.
    pub include_private: bool,
    /// Also the hubs' validations that name a picked endorsement as
    /// evidence (a validation named in `ids` goes in either way).
    pub validations: bool,
}

impl Selection {
    /// Whether `endorsement` (private or not) is picked for `holder`.
    pub fn picks(&self, endorsement: &Endorsement, holder: &PublicKey, private: bool) -> bool {
        let role = if endorsement.learner.key == *holder {
            Role::Learner
        } else if endorsement.teacher.key == *holder {
            Role::Teacher
        } else {
            return false;
        };
        let named = self.ids.contains(&endorsement.id);
        (self.include_private || !private || named)
            && (self.ids.is_empty() || named)
            && self.skill.as_ref().is_none_or(|s| s.eq_ignore_ascii_case(&endorsement.skill))
            && self.since.is_none_or(|since| endorsement.start >= since)
            && self.role.is_none_or(|r| r == role)
    }
}

impl Selection {
    /// Whether a hub's validation goes in beside the endorsements `picked`
    /// (their ids).
    pub fn picks_validation(&self, validation: &Validation, picked: &HashSet<&str>) -> bool {
        self.ids.contains(&validation.id)
            || (self.validations && validation.evidence.iter().any(|id| picked.contains(id.as_str())))
    }
}

/// The validation `candidates` that verify in full at `now`, in order, and
/// how many were left out because they do not.
pub fn verified_validations(candidates: Vec<Vec<u8>>, now: Timestamp) -> (Vec<VerifiedValidation>, usize) {
    let (mut verified, mut left_out) = (Vec::with_capacity(candidates.len()), 0);
    for bytes in candidates {
        match crate::endorse::validation::verified(bytes, now) {
            Ok(v) => verified.push(v),
            Err(err) => {
                tracing::warn!("validation left out of the presentation: {err}");
                left_out += 1;
            }
        }
    }
    (verified, left_out)
}

/// The `candidates` that verify in full at `now`, in order, and how many
/// were left out because they no longer do.
pub fn verified(candidates: Vec<Vec<u8>>, now: Timestamp) -> (Vec<crate::endorse::VerifiedEndorsement>, usize) {
    let (mut verified, mut left_out) = (Vec::with_capacity(candidates.len()), 0);
    for bytes in candidates {
        match crate::endorse::verify(&bytes, now) {
            Ok(v) => verified.push(v),
            Err(err) => {
                tracing::warn!("left out of the presentation: {err}");
                left_out += 1;
            }
        }
    }
    (verified, left_out)
}
