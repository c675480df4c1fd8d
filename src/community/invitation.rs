//! An invitation: a maintainer of an invite-only community says that one
//! key may publish in it. The invitee carries it inside each listing they
//! place there ([`crate::market::Placement`]), so any member can check
//! membership from the listing alone, whatever order things arrive in.

use serde::{Deserialize, Serialize};

use super::{Charter, CommunityId};
use crate::identity::PublicKey;
use crate::market::Placement;
use crate::wire::{Body, FieldError, Verified, WireError, open};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitation {
    pub community: CommunityId,
    pub invitee: PublicKey,
}

impl Body for Invitation {
    const DOMAIN: &'static str = "agora/invitation/1";
    const MAX_BODY_BYTES: usize = 128;

    fn validate(&self) -> Result<(), FieldError> {
        Ok(())
    }
}

/// Why a listing may not be placed in a community.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MembershipError {
    #[error("the community is invite-only and the listing carries no invitation")]
    NotInvited,
    #[error("the invitation does not open: {0}")]
    Unreadable(String),
    #[error("the invitation is for another community or another person")]
    NotTheirs,
    #[error("the invitation was signed by someone who is not a maintainer now")]
    NotByAMaintainer,
}

/// Whether `author` may publish a listing placed as `placement` in the
/// community whose current charter is `charter`.
pub fn may_publish(
    charter: &Charter,
    author: &PublicKey,
    placement: &Placement,
    now: jiff::Timestamp,
) -> Result<(), MembershipError> {
    if charter.admission == super::Admission::Open || charter.is_maintainer(author) {
        return Ok(());
    }
    let bytes = placement.invitation.as_deref().ok_or(MembershipError::NotInvited)?;
    let invitation = open_invitation(bytes, now).map_err(|e| MembershipError::Unreadable(e.to_string()))?;
    let value = invitation.value();
    if value.community != placement.community || value.invitee != *author {
        return Err(MembershipError::NotTheirs);
    }
    if !charter.is_maintainer(&invitation.author()) {
        return Err(MembershipError::NotByAMaintainer);
    }
    Ok(())
}

/// Opens an invitation's envelope.
pub fn open_invitation(bytes: &[u8], now: jiff::Timestamp) -> Result<Verified<Invitation>, WireError> {
    open::<Invitation>(bytes, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::community::{Admission, Curriculum};
    use crate::identity::Identity;
    use crate::wire::seal;

    fn charter(maintainers: &[&Identity]) -> Charter {
        Charter {
            founder: maintainers[0].public(),
            nonce: [1; 16],
            version: 1,
            previous: None,
            name: "Club".into(),
            description: String::new(),
            languages: vec![],
            rules: vec![],
            maintainers: maintainers.iter().map(|m| m.public()).collect(),
            admission: Admission::InviteOnly,
            curriculum: Curriculum::default(),
        }
    }

    #[test]
    fn only_a_current_maintainers_invitation_of_the_author_admits() {
        let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
        let (ana, ben, cleo, dan) = (
            Identity::from_secret_bytes(&[1; 32]),
            Identity::from_secret_bytes(&[2; 32]),
            Identity::from_secret_bytes(&[3; 32]),
            Identity::from_secret_bytes(&[4; 32]),
        );
        let mut club = charter(&[&ana, &ben]);
        let id = club.id();
        let by_ben = seal(&ben, &Invitation { community: id, invitee: cleo.public() }, now).unwrap();
        let placed =
            |invitation: Option<&[u8]>| Placement { community: id, invitation: invitation.map(<[u8]>::to_vec) };
        assert_eq!(may_publish(&club, &ana.public(), &placed(None), now), Ok(()), "a maintainer needs none");
        assert_eq!(may_publish(&club, &cleo.public(), &placed(Some(by_ben.bytes())), now), Ok(()));
        assert_eq!(may_publish(&club, &cleo.public(), &placed(None), now), Err(MembershipError::NotInvited));
        assert_eq!(
            may_publish(&club, &dan.public(), &placed(Some(by_ben.bytes())), now),
            Err(MembershipError::NotTheirs),
            "an invitation of someone else"
        );
        let other = Placement { community: CommunityId([7; 32]), invitation: Some(by_ben.bytes().to_vec()) };
        assert_eq!(may_publish(&club, &cleo.public(), &other, now), Err(MembershipError::NotTheirs));
        let by_cleo = seal(&cleo, &Invitation { community: id, invitee: dan.public() }, now).unwrap();
        assert_eq!(
            may_publish(&club, &dan.public(), &placed(Some(by_cleo.bytes())), now),
            Err(MembershipError::NotByAMaintainer)
        );
        assert!(matches!(
            may_publish(&club, &cleo.public(), &placed(Some(&[0; 40])), now),
            Err(MembershipError::Unreadable(_))
        ));
        // Ben is removed: his invitations no longer admit anyone.
        club.maintainers.retain(|m| *m != ben.public());
        assert_eq!(
            may_publish(&club, &cleo.public(), &placed(Some(by_ben.bytes())), now),
            Err(MembershipError::NotByAMaintainer)
        );
        club.admission = Admission::Open;
        assert_eq!(may_publish(&club, &dan.public(), &placed(None), now), Ok(()), "open: anyone");
    }
}
