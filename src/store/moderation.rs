//! What a member keeps of a community's moderation: its maintainers' hide
//! notes (the latest per maintainer and target, in the community's
//! directory so members reconcile them), which maintainers this user does
//! not follow, and the invitations this user holds to invite-only
//! communities. Leaving a community drops others' listings and notes kept
//! for it; nothing else here deletes what someone published.

use redb::{ReadableTable, WriteTransaction};

use super::items::{self, ItemKind, locate};
use super::listings::{decode, remove_seen_in};
use super::tables::{COMMUNITY_ITEMS, HIDE_NOTES, INVITATIONS, SEEN_LISTINGS, UNFOLLOWED};
use super::{Store, StoreError};
use crate::community::{CommunityId, HideNote, Moderation};
use crate::identity::PublicKey;
use crate::wire::Verified;

/// Hide notes kept per community at most; past it, only updates of notes
/// held are taken, so a maintainer cannot fill a member's disk.
pub const MAX_NOTES_PER_COMMUNITY: usize = 2000;

/// What became of a hide note offered to the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteStored {
    Kept,
    /// The same maintainer's note on the same target, signed later or at
    /// the same time, is held.
    NotNewer,
    Full,
}

fn note_key(note: &Verified<HideNote>) -> [u8; 48] {
    let mut key = [0u8; 48];
    key[..32].copy_from_slice(note.author().as_bytes());
    key[32..].copy_from_slice(&note.value().slot());
    key
}

fn follow_key(community: &CommunityId, maintainer: &PublicKey) -> [u8; 64] {
    let mut key = [0u8; 64];
    key[..32].copy_from_slice(&community.0);
    key[32..].copy_from_slice(maintainer.as_bytes());
    key
}

impl Store {
    /// Keeps a hide note (its author already checked as a maintainer).
    pub fn put_hide_note(&self, note: &Verified<HideNote>) -> Result<NoteStored, StoreError> {
        let tx = self.db.write()?;
        let kept = put_note_in(&tx, note)?;
        tx.commit()?;
        Ok(kept)
    }

    /// The notes held for `community`, oldest first.
    pub fn hide_notes(&self, community: &CommunityId) -> Result<Vec<Verified<HideNote>>, StoreError> {
        let tx = self.db.read()?;
        let notes = tx.open_table(HIDE_NOTES)?;
        let mut out = Vec::new();
        for (_, value) in items::community(&tx.open_table(COMMUNITY_ITEMS)?, community)? {
            if let Some((ItemKind::Note, key)) = locate(&value)
                && let Some(bytes) = notes.get(&key)?
            {
                out.push(decode::<HideNote>(bytes.value())?);
            }
        }
        Ok(out)
    }

    /// Follows (true) or stops following (false) a maintainer's notes in
    /// a community. Returns whether that changed anything.
    pub fn set_following(
        &self,
        community: &CommunityId,
        maintainer: &PublicKey,
        follow: bool,
    ) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let changed = {
            let mut table = tx.open_table(UNFOLLOWED)?;
            let key = follow_key(community, maintainer);
            if follow { table.remove(&key)?.is_some() } else { table.insert(&key, ())?.is_none() }
        };
        tx.commit()?;
        Ok(changed)
    }

    /// The maintainers of `community` whose notes this user does not follow.
    pub fn unfollowed(&self, community: &CommunityId) -> Result<Vec<PublicKey>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(UNFOLLOWED)?;
        let (first, last) = (follow_key(community, &PublicKey::from_bytes_unchecked([0; 32])), {
            let mut k = [0xffu8; 64];
            k[..32].copy_from_slice(&community.0);
            k
        });
        let mut out = Vec::new();
        for row in table.range::<&[u8; 64]>(&first..=&last)? {
            let mut key = [0u8; 32];
            key.copy_from_slice(&row?.0.value()[32..]);
            out.push(PublicKey::from_bytes_unchecked(key));
        }
        Ok(out)
    }

    /// What this user's view hides in `community`: its current maintainers'
    /// notes, less those of maintainers the user does not follow (none
    /// when its charter is not held).
    pub fn moderation(&self, community: &CommunityId) -> Result<Option<Moderation>, StoreError> {
        let Some(charter) = self.charter(community)? else { return Ok(None) };
        let notes = self.hide_notes(community)?;
        Ok(Some(Moderation::new(&notes, charter.value(), &self.unfollowed(community)?)))
    }

    /// Keeps this user's invitation to an invite-only community (the
    /// signed envelope, already checked to be theirs).
    pub fn put_invitation(&self, community: &CommunityId, invitation: &[u8]) -> Result<(), StoreError> {
        let tx = self.db.write()?;
        tx.open_table(INVITATIONS)?.insert(&community.0, invitation)?;
        tx.commit()?;
        Ok(())
    }

    /// This user's invitation to `community`, if they hold one.
    pub fn invitation(&self, community: &CommunityId) -> Result<Option<Vec<u8>>, StoreError> {
        let tx = self.db.read()?;
        Ok(tx.open_table(INVITATIONS)?.get(&community.0)?.map(|v| v.value().to_vec()))
    }
}

/// Puts a note in `tx`, replacing an older one in its slot.
pub(super) fn put_note_in(tx: &WriteTransaction, note: &Verified<HideNote>) -> Result<NoteStored, StoreError> {
    let key = note_key(note);
    let community = note.value().community;
    let held = tx.open_table(HIDE_NOTES)?.get(&key)?.map(|v| v.value().to_vec());
    match held {
        Some(bytes) => {
            let old = decode::<HideNote>(&bytes)?;
            if old.timestamp() >= note.timestamp() {
                return Ok(NoteStored::NotNewer);
            }
            items::remove(tx, old.bytes())?;
        }
        None => {
            let held = items::community(&tx.open_table(COMMUNITY_ITEMS)?, &community)?
                .iter()
                .filter(|(_, value)| value[0] == ItemKind::Note as u8)
                .count();
            if held >= MAX_NOTES_PER_COMMUNITY {
                return Ok(NoteStored::Full);
            }
        }
    }
    tx.open_table(HIDE_NOTES)?.insert(&key, note.bytes())?;
    items::add(tx, ItemKind::Note, &key, note.bytes(), note.timestamp().as_millisecond(), Some(&community))?;
    Ok(NoteStored::Kept)
}

/// Drops others' listings and the notes kept for `community` (on leaving
/// it); the user's own listings placed there stay theirs.
pub(super) fn forget_community_in(tx: &WriteTransaction, community: &CommunityId) -> Result<usize, StoreError> {
    let entries = items::community(&tx.open_table(COMMUNITY_ITEMS)?, community)?;
    let mut dropped = 0;
    for (_, value) in entries {
        match locate(&value) {
            Some((ItemKind::Listing, key)) if tx.open_table(SEEN_LISTINGS)?.get(&key)?.is_some() => {
                remove_seen_in(tx, &key)?;
                dropped += 1;
            }
            Some((ItemKind::Note, key)) => {
                let bytes = tx.open_table(HIDE_NOTES)?.remove(&key)?.map(|v| v.value().to_vec());
                if let Some(bytes) = bytes {
                    items::remove(tx, &bytes)?;
                    dropped += 1;
                }
            }
            _ => {}
        }
    }
    Ok(dropped)
}
