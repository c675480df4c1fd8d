//! Communities' charters between peers. A member asks the peers it
//! reconciles with for the versions after the one it holds, once per
//! directory round (and at once from the peer whose community ticket it
//! joined through); nothing is pushed, so a peer only ever stores the
//! charters of communities it joined. Every version is opened (signature,
//! limits) and judged against what is held (a maintainer of the version it
//! replaces, the next number) before it is stored; an answer bringing a
//! version that breaks those rules counts as a refusal from its sender.

use std::collections::BTreeSet;

use jiff::Timestamp;

use super::{Core, Outcome};
use crate::community::charter::{CharterDigest, digest};
use crate::community::{Charter, CharterRefusal, CommunityId, history};
use crate::identity::PublicKey;
use crate::net::{DirectoryReply, DirectoryRequest, MAX_CHARTER_ASKS, MAX_DIRECTORY_MESSAGE_BYTES, MAX_KNOWN_VERSIONS};
use crate::node::{Event, NodeError};
use crate::store::{CharterStored, MAX_CHARTER_VERSIONS_HELD};
use crate::wire::{MAX_ENVELOPE_BYTES, list, open, seal};

/// Charter asks waiting for an answer at most.
const MAX_ASKS_IN_FLIGHT: usize = 64;
/// A community's news is acted on at most this often (hints are unsigned:
/// anyone can send them, and each costs members a request).
const NEWS_EVERY: jiff::SignedDuration = jiff::SignedDuration::from_secs(5);

/// A charter ask for a community joined by ticket that got no answer is
/// made again this soon.
const RETRY_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_secs(2);

impl Core {
    /// Asks `peer` for what is new in every community joined here.
    pub(super) fn ask_charters(&mut self, peer: PublicKey) {
        let joined = match self.store.joined_communities() {
            Ok(joined) => joined,
            Err(e) => return tracing::warn!("cannot read the communities joined: {e}"),
        };
        let mut asks = Vec::new();
        for id in joined.into_iter().take(MAX_CHARTER_ASKS) {
            let versions = match self.store.charter_versions(&id) {
                Ok(versions) => versions,
                Err(e) => return tracing::warn!("cannot read a charter: {e}"),
            };
            asks.push((id.0, known_versions(&history::chain(&id, &versions))));
        }
        // Answers always come (or fail by timeout); this only bounds a
        // pile-up behind a stalled network.
        if asks.is_empty() || peer == self.me.public() || self.sync.charter_asks.len() >= MAX_ASKS_IN_FLIGHT {
            return;
        }
        let round = self.sync.next_round();
        self.sync.charter_asks.insert(round, (peer, asks.iter().map(|(id, _)| CommunityId(*id)).collect()));
        self.ask(peer, round, &DirectoryRequest::Charters(asks));
    }

    /// A hint that `member` holds news of `community`'s charter, passed on
    /// by `from`: a member asks them both, at most once per [`NEWS_EVERY`].
    pub(super) fn charter_news(&mut self, from: PublicKey, community: [u8; 32], member: [u8; 32], now: Timestamp) {
        let id = CommunityId(community);
        if !self.store.joined_communities().is_ok_and(|joined| joined.contains(&id)) {
            return;
        }
        // The hint is unsigned: its `member` is asked only when it is a
        // maintainer of the charter held here (anyone else could aim every
        // member at a key of their choosing); the neighbour always.
        let member = PublicKey::from(member);
        let maintainer = self.store.charter(&id).ok().flatten().is_some_and(|c| c.value().is_maintainer(&member));
        let mut whom = vec![from];
        if maintainer && member != from {
            whom.insert(0, member);
        }
        whom.retain(|p| !self.blocked.contains(p));
        if let Some(at) = self.sync.charter_news.get(&id).copied()
            && now.duration_since(at) < NEWS_EVERY
        {
            // Too soon after the last: asked when the interval is over (a
            // few peers at most are remembered).
            // A few neighbours are remembered; a maintainer always is (at
            // most 16 of them), so junk hints cannot crowd out real news.
            let later = self.sync.charter_news_later.entry(id).or_default();
            for peer in whom {
                let room = later.len() < 4 || (maintainer && peer == member);
                if room && !later.contains(&peer) && later.len() < 4 + crate::community::charter::MAX_MAINTAINERS {
                    later.push(peer);
                }
            }
            self.wake(at.saturating_add(NEWS_EVERY).unwrap_or(now), super::Timer::CharterNews);
            return;
        }
        self.sync.charter_news.retain(|_, at| now.duration_since(*at) < NEWS_EVERY);
        self.sync.charter_news.insert(id, now);
        for peer in whom {
            self.ask_charters(peer);
        }
    }

    /// News held back by [`NEWS_EVERY`] is acted on now.
    pub(super) fn charter_news_due(&mut self, now: Timestamp) {
        let later = std::mem::take(&mut self.sync.charter_news_later);
        for (id, peers) in later {
            self.sync.charter_news.insert(id, now);
            for peer in peers {
                self.ask_charters(peer);
            }
        }
    }

    /// A charter ask that got no answer: when it was about a community
    /// joined whose charter never came (a join by ticket), `peer` is asked
    /// again in a few seconds rather than at the next directory round.
    fn ask_again_soon(&mut self, peer: PublicKey, asked: &BTreeSet<CommunityId>, now: Timestamp) {
        let awaited: Vec<CommunityId> =
            asked.iter().filter(|id| self.store.charter(id).is_ok_and(|c| c.is_none())).copied().collect();
        for id in &awaited {
            let later = self.sync.charter_news_later.entry(*id).or_default();
            if !later.contains(&peer) && later.len() < 4 + crate::community::charter::MAX_MAINTAINERS {
                later.push(peer);
            }
        }
        if !awaited.is_empty() {
            self.wake(now.saturating_add(RETRY_AFTER).unwrap_or(now), super::Timer::CharterNews);
        }
    }

    /// Whether `round` was a charter ask; if so, takes its answer.
    pub(super) fn charter_answer(&mut self, from: PublicKey, round: u64, outcome: &Outcome, now: Timestamp) -> bool {
        let Some((peer, asked)) = self.sync.charter_asks.remove(&round) else { return false };
        if peer != from {
            return true;
        }
        let bytes = match outcome {
            Outcome::Answered(bytes) => bytes,
            Outcome::Failed(e) => {
                tracing::debug!(peer = %from.fingerprint(), "charter ask failed: {e}");
                self.ask_again_soon(from, &asked, now);
                return true;
            }
        };
        if bytes.len() > MAX_DIRECTORY_MESSAGE_BYTES {
            self.refused(from, "a charter answer over the size limit", now);
            return true;
        }
        match postcard::from_bytes::<DirectoryReply>(bytes) {
            Ok(DirectoryReply::Envelopes(envelopes)) => self.take_charters(from, &envelopes, &asked, now),
            Ok(DirectoryReply::Busy(_)) => self.ask_again_soon(from, &asked, now),
            Ok(DirectoryReply::Refused(reason)) => {
                tracing::debug!(peer = %from.fingerprint(), "charters refused: {reason}")
            }
            _ => self.refused(from, "a malformed charter answer", now),
        }
        true
    }

    fn take_charters(&mut self, from: PublicKey, envelopes: &[u8], asked: &BTreeSet<CommunityId>, now: Timestamp) {
        let max = MAX_CHARTER_VERSIONS_HELD * asked.len().max(1);
        let entries = match list::decode(envelopes, max, MAX_ENVELOPE_BYTES) {
            Ok(entries) => entries,
            Err(e) => return self.refused(from, &format!("charter answer: {e}"), now),
        };
        let mut changed = BTreeSet::new();
        // Communities joined whose charter comes for the first time: their
        // directories can be reconciled now.
        let awaited: BTreeSet<CommunityId> =
            asked.iter().filter(|id| self.store.charter(id).is_ok_and(|c| c.is_none())).copied().collect();
        for entry in entries {
            let Ok(entry) = entry else { return self.refused(from, "a damaged charter answer", now) };
            let version = match open::<Charter>(entry, now) {
                Ok(version) => version,
                Err(e) => return self.refused(from, &format!("a charter that does not open: {e}"), now),
            };
            let id = version.value().id();
            if !asked.contains(&id) {
                return self.refused(from, "a charter of a community not asked about", now);
            }
            match self.store.put_charter(&id, &version) {
                Ok(CharterStored::Kept) => {
                    changed.insert(id);
                }
                Ok(CharterStored::Refused(CharterRefusal::Duplicate)) => {}
                // Answers come in chain order: the rest cannot follow either.
                Ok(CharterStored::Refused(CharterRefusal::UnknownPrevious)) => break,
                Ok(CharterStored::Refused(refusal)) => {
                    self.refused(from, &format!("a charter version: {refusal}"), now);
                }
                Ok(CharterStored::Full) => {
                    tracing::info!(community = %id.short(), "charter versions held are at their cap")
                }
                Err(e) => return tracing::warn!("cannot store a charter: {e}"),
            }
        }
        let arrived = changed.iter().any(|id| awaited.contains(id));
        for id in changed {
            self.emit(Event::CommunityChanged(id));
            self.recheck_placed(id, now);
        }
        if arrived {
            self.sync.directory_changed();
            self.sync_with(from, now, true);
            // Its maintainers are known now: ask them into its topic too.
            let held: Vec<CommunityId> =
                awaited.iter().filter(|id| self.store.charter(id).is_ok_and(|c| c.is_some())).copied().collect();
            for id in held {
                self.join_topic(id, &[from]);
            }
        }
    }

    /// The versions asked for, of the communities held here, within one
    /// message, in chain order (see [`DirectoryRequest::Charters`]).
    pub(super) fn serve_charters(&mut self, asks: &[([u8; 32], Vec<CharterDigest>)]) -> DirectoryReply {
        if asks.len() > MAX_CHARTER_ASKS {
            return DirectoryReply::Refused(format!("{} communities asked; at most {MAX_CHARTER_ASKS}", asks.len()));
        }
        if asks.iter().any(|(_, known)| known.len() > MAX_KNOWN_VERSIONS) {
            return DirectoryReply::Refused(format!("at most {MAX_KNOWN_VERSIONS} known versions per community"));
        }
        let mut out: Vec<Vec<u8>> = Vec::new();
        let mut total = 16;
        let mut served = BTreeSet::new();
        for (id, known) in asks {
            let id = CommunityId(*id);
            // Each community once, however often it is asked about.
            if !served.insert(id) {
                continue;
            }
            let versions = match self.store.charter_versions(&id) {
                Ok(versions) => versions,
                Err(e) => return DirectoryReply::Busy(format!("store: {e}")),
            };
            let chain = history::chain(&id, &versions);
            // After the latest version the asker shares: nothing when it is
            // ahead or level, the fork's rest when it followed another
            // branch, everything when it shares nothing.
            let from = chain.iter().rposition(|v| known.contains(&digest(v))).map_or(0, |at| at + 1);
            for version in &chain[from..] {
                total += version.bytes().len() + 5;
                if total > MAX_DIRECTORY_MESSAGE_BYTES {
                    return DirectoryReply::Envelopes(list::encode(&out));
                }
                out.push(version.bytes().to_vec());
            }
        }
        DirectoryReply::Envelopes(list::encode(&out))
    }

    /// Signs and keeps the next version of a charter this user maintains
    /// (or a founding one), and tells the network there is news: members
    /// ask for it (and otherwise fetch it at their next round).
    pub(super) fn publish_charter(&mut self, charter: Charter, now: Timestamp) -> Result<CharterDigest, NodeError> {
        let id = charter.id();
        let signed = seal(&self.me, &charter, now)?;
        match self.store.put_charter(&id, &signed)? {
            CharterStored::Kept => {}
            CharterStored::Refused(refusal) => return Err(NodeError::Invalid(format!("the charter: {refusal}"))),
            CharterStored::Full => {
                return Err(NodeError::Invalid("this community holds as many versions as it may".into()));
            }
        }
        if charter.version == 1 {
            self.store.join_community(&id, now)?;
        }
        self.emit(Event::CommunityChanged(id));
        self.recheck_placed(id, now);
        if charter.version == 1 {
            self.join_topic(id, &[]);
        }
        self.broadcast_in(
            Some(id),
            crate::net::Frame::CharterNews { community: id.0, member: self.me.public().as_bytes().to_owned() },
        );
        Ok(digest(&signed))
    }

    /// Joins community `id` through `peer` (from its community ticket):
    /// the charter is asked of that peer at once.
    pub(super) fn join_via(&mut self, id: CommunityId, peer: PublicKey, now: Timestamp) -> Result<bool, NodeError> {
        let joined = self.store.join_community(&id, now)?;
        self.ask_charters(peer);
        self.emit(Event::CommunityChanged(id));
        self.join_topic(id, &[peer]);
        Ok(joined)
    }
}

/// Digests of a chain to name in an ask: the head, the versions before it
/// at distances 1, 2, 4, 8 …, and the founding one.
fn known_versions(chain: &[&crate::wire::Verified<Charter>]) -> Vec<CharterDigest> {
    let mut known = Vec::new();
    let Some(last) = chain.len().checked_sub(1) else { return known };
    let mut back = 0usize;
    while back <= last && known.len() < MAX_KNOWN_VERSIONS - 1 {
        known.push(digest(chain[last - back]));
        back = if back == 0 { 1 } else { back * 2 };
    }
    let founding = digest(chain[0]);
    if !known.contains(&founding) {
        known.push(founding);
    }
    known
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::community::{Admission, Curriculum};
    use crate::identity::Identity;

    #[test]
    fn an_ask_names_the_head_growing_steps_back_and_the_founding_version() {
        let ada = Identity::from_secret_bytes(&[1; 32]);
        let mut chain = vec![
            seal(
                &ada,
                &Charter {
                    founder: ada.public(),
                    nonce: [1; 16],
                    version: 1,
                    previous: None,
                    name: "C".into(),
                    description: String::new(),
                    languages: Vec::new(),
                    rules: Vec::new(),
                    maintainers: vec![ada.public()],
                    admission: Admission::Open,
                    curriculum: Curriculum::default(),
                },
                Timestamp::UNIX_EPOCH,
            )
            .unwrap(),
        ];
        for _ in 1..300 {
            let next = Charter::next_of(chain.last().unwrap());
            chain.push(seal(&ada, &next, Timestamp::UNIX_EPOCH).unwrap());
        }
        let refs: Vec<_> = chain.iter().collect();
        let known = known_versions(&refs);
        assert!(known.len() <= MAX_KNOWN_VERSIONS);
        let at = |i: usize| digest(&chain[i]);
        assert_eq!(known[..4], [at(299), at(298), at(297), at(295)]);
        assert_eq!(known.last(), Some(&at(0)));
        assert!(known_versions(&[]).is_empty());
        assert_eq!(known_versions(&refs[..1]), vec![at(0)]);
    }
}
