//! What this user does in communities: placing an own listing in one,
//! signing a maintainer's hide notes and invitations, keeping an
//! invitation. The same checks whether the running node does it (and then
//! passes it on) or a command writes the store directly.

use jiff::Timestamp;

use super::NodeError;
use crate::community::invitation::open_invitation;
use crate::community::{Admission, Charter, HideNote, Invitation, may_publish};
use crate::identity::{Identity, PublicKey};
use crate::market::{Listing, Placement};
use crate::store::{NoteStored, Store};
use crate::wire::{Verified, seal};

/// Signs and keeps a hide note of `me`, a maintainer of the note's
/// community, which this node must have joined.
pub fn hide(store: &Store, me: &Identity, note: &HideNote, now: Timestamp) -> Result<Verified<HideNote>, NodeError> {
    let community = note.community;
    if !store.joined_communities()?.contains(&community) {
        return Err(NodeError::Invalid("join that community first".into()));
    }
    let charter = store.charter(&community)?.ok_or(NodeError::NotFound("charter of that community"))?;
    if !charter.value().is_maintainer(&me.public()) {
        return Err(NodeError::Invalid(format!(
            "only the maintainers of {} can hide what is in it",
            crate::text::safe(&charter.value().name)
        )));
    }
    let signed = seal(me, note, now)?;
    match store.put_hide_note(&signed)? {
        NoteStored::Kept => Ok(signed),
        NoteStored::NotNewer => Err(NodeError::Invalid("a later note on that is held; try again".into())),
        NoteStored::Full => Err(NodeError::Invalid("the community holds as many hide notes as a node keeps".into())),
    }
}

/// Signs an invitation of `invitee` to a community `me` maintains.
pub fn invite(
    store: &Store,
    me: &Identity,
    community: &crate::community::CommunityId,
    invitee: PublicKey,
    now: Timestamp,
) -> Result<Vec<u8>, NodeError> {
    let charter = store.charter(community)?.ok_or(NodeError::NotFound("charter of that community"))?;
    if !charter.value().is_maintainer(&me.public()) {
        return Err(NodeError::Invalid("only a maintainer can invite".into()));
    }
    Ok(seal(me, &Invitation { community: *community, invitee }, now)?.bytes().to_vec())
}

/// Keeps an invitation of `me`: it must open, and name `me`.
pub fn keep_invitation(store: &Store, me: &PublicKey, bytes: &[u8], now: Timestamp) -> Result<(), NodeError> {
    if bytes.len() > crate::market::MAX_INVITATION_BYTES {
        return Err(NodeError::Invalid("that invitation is too large".into()));
    }
    let invitation = open_invitation(bytes, now)?;
    if invitation.value().invitee != *me {
        return Err(NodeError::Invalid("that invitation is for someone else".into()));
    }
    store.put_invitation(&invitation.value().community, bytes)?;
    Ok(())
}

/// Places an own listing before it is signed: `joined` is the current
/// charter of its community when this user joined it; in an invite-only
/// one, `invitation` (the user's, if held) goes with it, unless the user
/// maintains the community.
pub fn place(
    listing: &mut Listing,
    me: &PublicKey,
    joined: Option<&Charter>,
    invitation: Option<Vec<u8>>,
    now: Timestamp,
) -> Result<(), NodeError> {
    let Some(placement) = listing.placement.as_mut() else { return Ok(()) };
    let charter = joined.ok_or_else(|| NodeError::Invalid("join that community before publishing in it".into()))?;
    placement.invitation = None;
    if charter.admission == Admission::InviteOnly && !charter.is_maintainer(me) {
        placement.invitation = invitation;
    }
    let check = Placement { community: placement.community, invitation: placement.invitation.clone() };
    may_publish(charter, me, &check, now)
        .map_err(|e| NodeError::Invalid(format!("{e}; ask a maintainer for an invitation")))
}
