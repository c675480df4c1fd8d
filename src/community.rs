//! Communities that shape their own market. A community is a signed
//! charter, not a bare name: its identity comes from the founding key and
//! a nonce ([`CommunityId`]), so nobody can squat or impersonate another
//! community's name; its maintainers publish new versions of the charter
//! ([`history`] decides which one holds); and the charter can carry a
//! curriculum, a map of skills with prerequisites and alignments to public
//! frameworks ([`curriculum`]). Pure: no I/O, no clock, no randomness.

pub mod charter;
pub mod curriculum;
pub mod history;
pub mod hub;
pub mod id;
pub mod invitation;
pub mod moderation;
pub mod path;
pub mod ticket;

pub use charter::{Admission, Charter, CharterDigest};
pub use curriculum::{Alignment, Curriculum, SkillDef};
pub use history::{CharterRefusal, current, judge};
pub use id::CommunityId;
pub use invitation::{Invitation, MembershipError, may_publish};
pub use moderation::{HideNote, Moderation, Target};
pub use path::{Goal, Step, StepState};
