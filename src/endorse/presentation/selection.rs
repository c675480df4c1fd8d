//! Which endorsements go into a presentation: the holder's pick by skill,
//! date, role or id.

use jiff::Timestamp;

use crate::endorse::Endorsement;
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
