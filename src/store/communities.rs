//! Communities' charters, every version that passed [`judge`] (so the
//! history can be replayed and passed on), and the communities this node
//! joined, and the learner's goals. Which version holds is decided by [`crate::community::history`].

use redb::{ReadableTable, ReadableTableMetadata};

use super::damaged::key_hex;
use super::listings::decode;
use super::tables::{CHARTERS, GOALS, JOINED_COMMUNITIES};
use super::{Store, StoreError};
use crate::community::charter::digest;
use crate::community::path::MAX_GOALS;
use crate::community::{Charter, CharterRefusal, CommunityId, Goal, history};
use crate::wire::Verified;

/// Versions (the chain and conflicting forks) kept per community; more are
/// refused, so a maintainer cannot fill anyone's disk.
pub const MAX_CHARTER_VERSIONS_HELD: usize = 300;
/// Communities one node belongs to at most.
pub const MAX_COMMUNITIES_JOINED: usize = 32;

/// What became of a charter version offered to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CharterStored {
    Kept,
    Refused(CharterRefusal),
    /// The community holds [`MAX_CHARTER_VERSIONS_HELD`] versions, all on
    /// the chain that holds (versions off it make room for new ones).
    Full,
}

fn key(id: &CommunityId, digest: &[u8; 32]) -> [u8; 64] {
    let mut key = [0u8; 64];
    key[..32].copy_from_slice(&id.0);
    key[32..].copy_from_slice(digest);
    key
}

impl Store {
    /// Keeps a charter version of community `id` if it may follow what is
    /// held, checked in the same transaction that stores it. The checks
    /// read only what they need (a key, the parent): an answer full of
    /// versions costs each one a lookup, not a pass over everything held.
    pub fn put_charter(&self, id: &CommunityId, version: &Verified<Charter>) -> Result<CharterStored, StoreError> {
        let tx = self.db.write()?;
        let stored = {
            let mut table = tx.open_table(CHARTERS)?;
            let own = digest(version);
            let charter = version.value();
            let refusal = if charter.id() != *id {
                Some(CharterRefusal::WrongCommunity)
            } else if table.get(&key(id, &own))?.is_some() {
                Some(CharterRefusal::Duplicate)
            } else {
                match charter.previous {
                    // Anything held chains down to a founding version.
                    None if version.author() != charter.founder => Some(CharterRefusal::NotTheFounder),
                    None if self.count_versions(&table, id)? > 0 => Some(CharterRefusal::Refounded),
                    None => None,
                    Some(previous) => match table.get(&key(id, &previous))? {
                        None => Some(CharterRefusal::UnknownPrevious),
                        Some(bytes) => {
                            let parent = decode::<Charter>(bytes.value())?;
                            history::follows(&parent, version).err()
                        }
                    },
                }
            };
            if let Some(refusal) = refusal {
                return Ok(CharterStored::Refused(refusal));
            }
            if self.count_versions(&table, id)? >= MAX_CHARTER_VERSIONS_HELD && !self.make_room(&mut table, id)? {
                return Ok(CharterStored::Full);
            }
            table.insert(&key(id, &own), version.bytes())?;
            CharterStored::Kept
        };
        tx.commit()?;
        Ok(stored)
    }

    fn count_versions(
        &self,
        table: &impl ReadableTable<&'static [u8; 64], &'static [u8]>,
        id: &CommunityId,
    ) -> Result<usize, StoreError> {
        let (low, high) = (key(id, &[0; 32]), key(id, &[0xff; 32]));
        Ok(table.range::<&[u8; 64]>(&low..=&high)?.count())
    }

    /// Drops one version that is not on the chain that holds (the one
    /// with the highest digest), so forks cannot fill a community's
    /// versions for good. False when every version held is on the chain.
    fn make_room(
        &self,
        table: &mut redb::Table<&'static [u8; 64], &'static [u8]>,
        id: &CommunityId,
    ) -> Result<bool, StoreError> {
        let versions = self.read_versions(table, id)?;
        let on_chain: std::collections::BTreeSet<[u8; 32]> =
            history::chain(id, &versions).into_iter().map(digest).collect();
        let spare = versions.iter().map(digest).filter(|d| !on_chain.contains(d)).max();
        match spare {
            Some(spare) => {
                table.remove(&key(id, &spare))?;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Every version held of community `id` (damaged ones skipped and counted).
    pub fn charter_versions(&self, id: &CommunityId) -> Result<Vec<Verified<Charter>>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(CHARTERS)?;
        self.read_versions(&table, id)
    }

    /// The version of community `id` that holds, if any is held.
    pub fn charter(&self, id: &CommunityId) -> Result<Option<Verified<Charter>>, StoreError> {
        let versions = self.charter_versions(id)?;
        Ok(history::current(id, &versions).cloned())
    }

    /// Every community with a charter held here.
    pub fn known_communities(&self) -> Result<Vec<CommunityId>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(CHARTERS)?;
        let mut ids: Vec<CommunityId> = Vec::new();
        for entry in table.iter()? {
            let (key, _) = entry?;
            let mut id = [0u8; 32];
            id.copy_from_slice(&key.value()[..32]);
            if ids.last() != Some(&CommunityId(id)) {
                ids.push(CommunityId(id));
            }
        }
        Ok(ids)
    }

    /// Joins community `id`. Returns false when already a member; refuses
    /// past [`MAX_COMMUNITIES_JOINED`].
    pub fn join_community(&self, id: &CommunityId, at: jiff::Timestamp) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let joined = {
            let mut table = tx.open_table(JOINED_COMMUNITIES)?;
            if table.get(&id.0)?.is_some() {
                false
            } else if table.len()? as usize >= MAX_COMMUNITIES_JOINED {
                return Err(StoreError::Full { what: "communities joined", max: MAX_COMMUNITIES_JOINED });
            } else {
                table.insert(&id.0, at.as_millisecond())?;
                true
            }
        };
        tx.commit()?;
        Ok(joined)
    }

    /// Leaves community `id`: others' listings and notes kept for it go (its
    /// charters stay, to join again later).
    pub fn leave_community(&self, id: &CommunityId) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let left = tx.open_table(JOINED_COMMUNITIES)?.remove(&id.0)?.is_some();
        if left {
            super::moderation::forget_community_in(&tx, id)?;
        }
        tx.commit()?;
        Ok(left)
    }

    /// The communities joined, in the order of their ids.
    pub fn joined_communities(&self) -> Result<Vec<CommunityId>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(JOINED_COMMUNITIES)?;
        table.iter()?.map(|entry| Ok(CommunityId(*entry?.0.value()))).collect()
    }

    fn read_versions(
        &self,
        table: &impl ReadableTable<&'static [u8; 64], &'static [u8]>,
        id: &CommunityId,
    ) -> Result<Vec<Verified<Charter>>, StoreError> {
        let (low, high) = (key(id, &[0; 32]), key(id, &[0xff; 32]));
        let mut versions = Vec::new();
        for entry in table.range::<&[u8; 64]>(&low..=&high)? {
            let (key, bytes) = entry?;
            if let Some(version) = self.skip_damaged("charters", key_hex(key.value()), decode::<Charter>(bytes.value()))
            {
                versions.push(version);
            }
        }
        Ok(versions)
    }
}

fn goal_key(community: &CommunityId, skill: &str) -> Vec<u8> {
    let mut key = community.0.to_vec();
    key.extend_from_slice(skill.as_bytes());
    key
}

impl Store {
    /// Keeps a goal (replacing the one for the same skill); refuses past
    /// [`MAX_GOALS`].
    pub fn put_goal(&self, goal: &Goal) -> Result<(), StoreError> {
        let key = goal_key(&goal.community, &goal.skill);
        let bytes = postcard::to_stdvec(goal).map_err(|e| super::error::corrupt("goal", e))?;
        let tx = self.db.write()?;
        {
            let mut table = tx.open_table(GOALS)?;
            if table.get(key.as_slice())?.is_none() && table.len()? as usize >= MAX_GOALS {
                return Err(StoreError::Full { what: "goals", max: MAX_GOALS });
            }
            table.insert(key.as_slice(), bytes.as_slice())?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn remove_goal(&self, community: &CommunityId, skill: &str) -> Result<bool, StoreError> {
        let tx = self.db.write()?;
        let removed = tx.open_table(GOALS)?.remove(goal_key(community, skill).as_slice())?.is_some();
        tx.commit()?;
        Ok(removed)
    }

    /// Every goal, oldest first (damaged ones skipped and counted).
    pub fn goals(&self) -> Result<Vec<Goal>, StoreError> {
        let tx = self.db.read()?;
        let table = tx.open_table(GOALS)?;
        let mut goals = Vec::new();
        for entry in table.iter()? {
            let (key, bytes) = entry?;
            let decoded = postcard::from_bytes(bytes.value()).map_err(|e| super::error::corrupt("goal", e));
            goals.extend(self.skip_damaged("goals", key_hex(key.value()), decoded));
        }
        goals.sort_by_key(|g: &Goal| g.set_at);
        Ok(goals)
    }
}
