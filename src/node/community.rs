//! What this user does in communities: placing an own listing in one,
//! signing a maintainer's hide notes and invitations, keeping an
//! invitation. The same checks whether the running node does it (and then
//! passes it on) or a command writes the store directly. Also the
//! [`Node`]'s community methods: charters, joining, hiding, asking a hub.

use jiff::Timestamp;

use super::core::{Command, Done};
use super::{Node, NodeError, hub, unexpected};
use crate::community::invitation::open_invitation;
use crate::community::{Admission, Charter, HideNote, Invitation, may_publish};
use crate::endorse::data_integrity::Cryptosuite;
use crate::identity::{Identity, PublicKey};
use crate::market::{Listing, Placement};
use crate::net::Ticket;
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

impl Node {
    /// Signs and keeps a charter version (see [`Command::PublishCharter`]).
    pub async fn publish_charter(&self, charter: Charter) -> Result<(), NodeError> {
        self.remote.command(Command::PublishCharter(charter)).await.map(drop)
    }

    /// Asks the hub behind `ticket` to validate this user's learning (see
    /// [`hub`]); keeps what it signs. Returns its statement.
    pub async fn ask_hub(&self, ticket: Ticket, ask: hub::Ask) -> Result<String, NodeError> {
        let now = self.clock.now();
        let hub_key = PublicKey::from(*ticket.addr.id.as_bytes());
        let picked = {
            let skills = hub::scope_of(&self.store, &ask).map_err(NodeError::Invalid)?.skills();
            hub::presentable(&self.store, &self.id, &skills, now).map_err(NodeError::Invalid)?
        };
        let presentation = self.present(picked, Vec::new(), hub::binding_for(&hub_key, now), Cryptosuite::Jcs).await?;
        hub::ask_and_keep(&self.remote, ticket.addr, &hub::HubRequest { presentation, ask }).await
    }

    /// Keeps this user's invitation to an invite-only community.
    pub async fn keep_invitation(&self, invitation: Vec<u8>) -> Result<(), NodeError> {
        self.remote.command(Command::KeepInvitation(invitation)).await.map(drop)
    }

    /// Signs and passes on a hide note in a community this user maintains.
    pub async fn hide(&self, note: HideNote) -> Result<(), NodeError> {
        self.remote.command(Command::Hide(note)).await.map(drop)
    }

    /// Joins a community through `member`, who is asked for its charter.
    pub async fn join_via(&self, id: crate::community::CommunityId, member: PublicKey) -> Result<bool, NodeError> {
        match self.remote.command(Command::JoinVia(id, member)).await? {
            Done::Bool(changed) => Ok(changed),
            other => Err(unexpected(other)),
        }
    }

    /// Joins (or leaves) a community whose charter this node holds.
    /// Returns whether that changed anything.
    pub async fn set_joined(&self, id: crate::community::CommunityId, joined: bool) -> Result<bool, NodeError> {
        match self.remote.command(Command::SetJoined(id, joined)).await? {
            Done::Bool(changed) => Ok(changed),
            other => Err(unexpected(other)),
        }
    }
}
