//! Directory anti-entropy, as range-based set reconciliation.
//!
//! Two peers compare the sets of envelopes they hold with negentropy,
//! one set after another: the open directory (profiles, withdrawals,
//! listings placed in no community), then each community joined here
//! (its listings and hide notes). A peer that has not joined a community
//! answers for it as for an empty set. Negentropy compares fingerprints
//! over ranges of (signed time, hash), split where they differ, so equal
//! sets cost one small round trip and every message stays bounded however
//! large the directory grows. The initiator then fetches what it lacks
//! by hash, a bounded batch at a time, and takes only envelopes that hash
//! to what it asked for: an answer cannot smuggle in anything else, nor
//! make this node allocate more than it asked for.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use negentropy::{Bound, Id, Item, Negentropy, NegentropyStorageBase, NegentropyStorageVector};
use sha2::{Digest, Sha256};

use super::{Core, Outcome, Output};
use crate::community::CommunityId;
use crate::identity::PublicKey;
use crate::net::{DirectoryReply, DirectoryRequest, MAX_DIRECTORY_MESSAGE_BYTES, MAX_FETCH};
use crate::node::Event;
use crate::wire::{MAX_ENVELOPE_BYTES, list};

/// Negentropy's frame limit for one message.
const FRAME_LIMIT: u64 = 64 * 1024;
/// Reconciliation rounds in one session at most.
const MAX_ROUNDS: u32 = 64;
/// Hashes one session fetches at most; when there is more, another
/// session follows at once.
const MAX_NEED: usize = 10_000;
/// A session in which more than this many fetched envelopes were refused,
/// and more refused than taken, marks the peer as a source of junk...
const JUNK_AT: usize = 64;
/// ... which is not reconciled with again for this long.
const JUNK_PENALTY: SignedDuration = SignedDuration::from_mins(10);
/// A neighbour reconciled with this recently is not asked again when it
/// comes up again.
const QUIET_AFTER_SYNC: SignedDuration = SignedDuration::from_secs(30);
/// Hashes of envelopes refused here, not fetched again (bounded).
const MAX_REFUSED_HASHES: usize = 10_000;

/// Which set a reconciliation compares: the open directory, or one
/// community's.
pub(super) type Scope = Option<CommunityId>;

#[derive(Default)]
pub struct Sync {
    snapshots: BTreeMap<Scope, Arc<NegentropyStorageVector>>,
    rounds: BTreeMap<u64, Round>,
    next_round: u64,
    last: BTreeMap<PublicKey, Timestamp>,
    refused: BTreeSet<[u8; 32]>,
    refused_order: VecDeque<[u8; 32]>,
    penalised: BTreeMap<PublicKey, Timestamp>,
    /// Charter asks in flight: round → the peer and the communities asked.
    pub(super) charter_asks: BTreeMap<u64, (PublicKey, BTreeSet<CommunityId>)>,
    /// When each joined community's news was last acted on.
    pub(super) charter_news: BTreeMap<CommunityId, Timestamp>,
    /// News that came too soon after that, and whom to ask when it is time.
    pub(super) charter_news_later: BTreeMap<CommunityId, Vec<PublicKey>>,
}

impl std::fmt::Debug for Sync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sync").field("rounds", &self.rounds.len()).finish_non_exhaustive()
    }
}

struct Round {
    peer: PublicKey,
    scope: Scope,
    /// The sets to compare with the same peer after this one.
    then: Vec<CommunityId>,
    negentropy: Negentropy<'static, Shared>,
    rounds: u32,
    need: Vec<[u8; 32]>,
    asked: BTreeSet<[u8; 32]>,
    received: usize,
    refused: usize,
    /// More was needed than one session fetches.
    truncated: bool,
    /// Asked for again while running (a community joined meanwhile):
    /// another session follows this one at once.
    again: bool,
}

impl Sync {
    /// The directory changed: the next reconciliation reads it again.
    pub fn directory_changed(&mut self) {
        self.snapshots.clear();
    }

    /// Remembers an envelope refused here, so it is not fetched again.
    pub fn refuse_hash(&mut self, envelope: &[u8]) {
        let hash: [u8; 32] = Sha256::digest(envelope).into();
        if self.refused.insert(hash) {
            self.refused_order.push_back(hash);
            if self.refused_order.len() > MAX_REFUSED_HASHES
                && let Some(old) = self.refused_order.pop_front()
            {
                self.refused.remove(&old);
            }
        }
    }

    /// How many sets' snapshots are kept.
    pub fn snapshots_kept(&self) -> usize {
        self.snapshots.len()
    }

    pub fn rounds_in_progress(&self) -> usize {
        self.rounds.len() + self.charter_asks.len()
    }

    /// A fresh round number (reconciliations and charter asks share them).
    pub(super) fn next_round(&mut self) -> u64 {
        let round = self.next_round;
        self.next_round += 1;
        round
    }
}

impl Core {
    /// The set of `scope` as this node holds it (empty for a community
    /// not joined here).
    fn snapshot(&mut self, scope: Scope) -> Result<Arc<NegentropyStorageVector>, String> {
        if let Some(snapshot) = self.sync.snapshots.get(&scope) {
            return Ok(snapshot.clone());
        }
        let items = match scope {
            None => self.store.directory_items().map_err(|e| e.to_string())?,
            Some(community) if self.joined_charters().contains_key(&community) => {
                self.store.community_items(&community).map_err(|e| e.to_string())?
            }
            // Not joined here: an empty set, never kept (a peer naming
            // made-up communities must not grow this node's memory).
            Some(_) => {
                let mut empty = NegentropyStorageVector::new();
                empty.seal().map_err(|e| e.to_string())?;
                return Ok(Arc::new(empty));
            }
        };
        let mut storage = NegentropyStorageVector::with_capacity(items.len());
        for item in items {
            storage.insert(item.time_ms, Id::from_byte_array(item.hash)).map_err(|e| e.to_string())?;
        }
        storage.seal().map_err(|e| e.to_string())?;
        let snapshot = Arc::new(storage);
        self.sync.snapshots.insert(scope, snapshot.clone());
        Ok(snapshot)
    }

    /// Reconciles with every neighbour.
    pub(super) fn sync_all(&mut self, now: Timestamp) {
        self.limiter.forget_idle(now);
        self.sync.last.retain(|_, at| now.duration_since(*at) < SignedDuration::from_mins(10));
        self.sync.penalised.retain(|_, until| now < *until);
        for peer in self.neighbors.clone() {
            self.sync_with(peer, now, true);
        }
    }

    /// Starts a reconciliation with `peer`, unless one runs or (when not
    /// `forced`) one finished moments ago.
    pub(super) fn sync_with(&mut self, peer: PublicKey, now: Timestamp, forced: bool) {
        if let Some(running) = self.sync.rounds.values_mut().find(|r| r.peer == peer) {
            running.again |= forced;
            return;
        }
        if self.sync.penalised.get(&peer).is_some_and(|until| now < *until) {
            return;
        }
        if !forced && self.sync.last.get(&peer).is_some_and(|at| now.duration_since(*at) < QUIET_AFTER_SYNC) {
            return;
        }
        let then = self.joined_ids();
        self.sync.last.insert(peer, now);
        self.start_round(peer, None, then, 0);
    }

    /// [`Self::start_round`], keeping whether the session was asked for
    /// again meanwhile.
    fn start_round_again(
        &mut self,
        peer: PublicKey,
        scope: Scope,
        then: Vec<CommunityId>,
        received: usize,
        again: bool,
    ) {
        let round = self.start_round(peer, scope, then, received);
        if let Some(state) = round.and_then(|r| self.sync.rounds.get_mut(&r)) {
            state.again = again;
        }
    }

    /// Starts comparing the set of `scope` with `peer`; `received` counts
    /// what this session took in the sets before. Returns its round.
    fn start_round(&mut self, peer: PublicKey, scope: Scope, then: Vec<CommunityId>, received: usize) -> Option<u64> {
        let started = self.snapshot(scope).and_then(|snapshot| {
            let mut negentropy = Negentropy::owned(Shared(snapshot), FRAME_LIMIT).map_err(|e| e.to_string())?;
            let first = negentropy.initiate().map_err(|e| e.to_string())?;
            Ok((negentropy, first))
        });
        let (negentropy, first) = match started {
            Ok(started) => started,
            Err(e) => {
                tracing::warn!("cannot reconcile: {e}");
                return None;
            }
        };
        let round = self.sync.next_round();
        self.sync.rounds.insert(
            round,
            Round {
                peer,
                scope,
                then,
                negentropy,
                rounds: 1,
                need: Vec::new(),
                asked: BTreeSet::new(),
                received,
                refused: 0,
                truncated: false,
                again: false,
            },
        );
        self.ask(peer, round, &reconcile(scope, first));
        Some(round)
    }

    pub(super) fn ask(&mut self, to: PublicKey, round: u64, request: &DirectoryRequest) {
        match postcard::to_stdvec(request) {
            Ok(request) => self.out.push(Output::AskDirectory { to, round, request }),
            Err(e) => {
                self.sync.rounds.remove(&round);
                tracing::warn!("cannot encode a directory request: {e}");
            }
        }
    }

    pub(super) fn directory_answer(&mut self, from: PublicKey, round: u64, outcome: Outcome, now: Timestamp) {
        if self.charter_answer(from, round, &outcome, now) {
            return;
        }
        let Some(mut state) = self.sync.rounds.remove(&round) else { return };
        if state.peer != from {
            return;
        }
        let bytes = match outcome {
            Outcome::Answered(bytes) => bytes,
            Outcome::Failed(e) => return tracing::debug!(peer = %from.fingerprint(), "directory round failed: {e}"),
        };
        if bytes.len() > MAX_DIRECTORY_MESSAGE_BYTES {
            return self.refused(from, "a directory answer over the size limit", now);
        }
        let reply = match postcard::from_bytes::<DirectoryReply>(&bytes) {
            Ok(reply) => reply,
            Err(_) => return self.refused(from, "a malformed directory answer", now),
        };
        match reply {
            DirectoryReply::Reconcile(message) if state.asked.is_empty() => {
                let (mut have, mut need) = (Vec::new(), Vec::new());
                let next = match state.negentropy.reconcile_with_ids(&message, &mut have, &mut need) {
                    Ok(next) => next,
                    Err(e) => return self.refused(from, &format!("directory reconciliation: {e}"), now),
                };
                // Negentropy hands these over in hash-set order: sorted, a
                // run is the same on every replay.
                let mut need: Vec<[u8; 32]> = need.iter().map(|id| id.to_bytes()).collect();
                need.sort_unstable();
                let room = MAX_NEED.saturating_sub(state.need.len());
                let mut wanted = need.into_iter().filter(|h| !self.sync.refused.contains(h));
                state.need.extend(wanted.by_ref().take(room));
                state.truncated |= wanted.next().is_some();
                match next {
                    Some(next) if state.rounds < MAX_ROUNDS => {
                        state.rounds += 1;
                        let scope = state.scope;
                        self.sync.rounds.insert(round, state);
                        self.ask(from, round, &reconcile(scope, next));
                    }
                    _ => {
                        state.need.sort_unstable();
                        state.need.dedup();
                        state.need.reverse();
                        self.fetch_next(round, state, now);
                    }
                }
            }
            DirectoryReply::Envelopes(list_bytes) if !state.asked.is_empty() => {
                let taken = match self.matching(&list_bytes, &state.asked) {
                    Ok(taken) => taken,
                    Err(reason) => return self.refused(from, &reason, now),
                };
                let (news, refused) = self.take_fetched(from, taken, now);
                state.received += news;
                state.refused += refused;
                state.asked.clear();
                if state.refused > JUNK_AT && state.refused > state.received {
                    tracing::info!(
                        peer = %from.fingerprint(),
                        refused = state.refused,
                        "stopping reconciliation with a peer whose envelopes are refused here"
                    );
                    self.sync.penalised.insert(from, now.saturating_add(JUNK_PENALTY).unwrap_or(now));
                    self.emit(Event::Synced { peer: from, received: state.received });
                    return;
                }
                self.fetch_next(round, state, now);
            }
            DirectoryReply::Busy(reason) => tracing::debug!(peer = %from.fingerprint(), "directory busy: {reason}"),
            DirectoryReply::Refused(reason) => self.refused(from, &format!("they refused to reconcile: {reason}"), now),
            _ => self.refused(from, "a directory answer out of turn", now),
        }
    }

    /// Asks for the next batch of what is needed, or ends the session.
    fn fetch_next(&mut self, round: u64, mut state: Round, now: Timestamp) {
        let batch: Vec<[u8; 32]> = (0..MAX_FETCH).map_while(|_| state.need.pop()).collect();
        if batch.is_empty() && state.truncated {
            // More of this set is needed: compare it again at once.
            return self.start_round_again(state.peer, state.scope, state.then, state.received, state.again);
        }
        if batch.is_empty() && !state.then.is_empty() {
            let mut then = state.then;
            let next = then.remove(0);
            return self.start_round_again(state.peer, Some(next), then, state.received, state.again);
        }
        if batch.is_empty() {
            self.sync.last.insert(state.peer, now);
            self.emit(Event::Synced { peer: state.peer, received: state.received });
            // The directory is in step: what is new in the communities joined?
            self.ask_charters(state.peer);
            if state.again {
                self.sync_with(state.peer, now, true);
            }
            return;
        }
        state.asked = batch.iter().copied().collect();
        let peer = state.peer;
        self.sync.rounds.insert(round, state);
        self.ask(peer, round, &DirectoryRequest::Fetch(batch));
    }

    /// The envelopes in an answer, if every one hashes to something asked
    /// for, each at most once.
    fn matching(&self, bytes: &[u8], asked: &BTreeSet<[u8; 32]>) -> Result<Vec<Vec<u8>>, String> {
        let entries =
            list::decode(bytes, asked.len(), MAX_ENVELOPE_BYTES).map_err(|e| format!("directory answer: {e}"))?;
        let mut seen = BTreeSet::new();
        let mut out = Vec::with_capacity(entries.remaining());
        for entry in entries {
            let entry = entry.map_err(|e| format!("directory answer: {e}"))?;
            let hash: [u8; 32] = Sha256::digest(entry).into();
            if !asked.contains(&hash) || !seen.insert(hash) {
                return Err("a directory answer held an envelope not asked for".into());
            }
            out.push(entry.to_vec());
        }
        Ok(out)
    }

    /// Answers one directory round from `from`.
    pub(super) fn serve_directory(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> Vec<u8> {
        let reply = self.directory_reply(from, bytes, now);
        postcard::to_stdvec(&reply).unwrap_or_default()
    }

    fn directory_reply(&mut self, from: PublicKey, bytes: &[u8], now: Timestamp) -> DirectoryReply {
        if self.blocked.contains(&from) {
            return DirectoryReply::Refused("you are blocked here".into());
        }
        if !self.limiter.directory.allow(from, now) {
            return DirectoryReply::Busy("over your directory rate; ask again later".into());
        }
        if bytes.len() > MAX_DIRECTORY_MESSAGE_BYTES {
            return DirectoryReply::Refused("request over the size limit".into());
        }
        match postcard::from_bytes::<DirectoryRequest>(bytes) {
            Ok(DirectoryRequest::Reconcile(message)) => self.reconcile_reply(None, &message),
            Ok(DirectoryRequest::ReconcileIn(community, message)) => {
                self.reconcile_reply(Some(CommunityId(community)), &message)
            }
            Ok(DirectoryRequest::Fetch(hashes)) if hashes.len() <= MAX_FETCH => {
                match self.store.directory_envelopes(&hashes) {
                    Ok(mut envelopes) => {
                        // Stay under the message limit whatever is stored.
                        let mut total = 16;
                        envelopes.retain(|e| {
                            total += e.len() + 5;
                            total <= MAX_DIRECTORY_MESSAGE_BYTES
                        });
                        DirectoryReply::Envelopes(list::encode(&envelopes))
                    }
                    Err(e) => DirectoryReply::Busy(format!("store: {e}")),
                }
            }
            Ok(DirectoryRequest::Fetch(hashes)) => {
                DirectoryReply::Refused(format!("{} hashes asked; at most {MAX_FETCH}", hashes.len()))
            }
            Ok(DirectoryRequest::Charters(asks)) => self.serve_charters(&asks),
            Err(_) => DirectoryReply::Refused("malformed request".into()),
        }
    }
}

impl Core {
    /// Answers one negentropy message about the set of `scope`.
    fn reconcile_reply(&mut self, scope: Scope, message: &[u8]) -> DirectoryReply {
        let answered = self.snapshot(scope).and_then(|snapshot| {
            let mut negentropy = Negentropy::owned(Shared(snapshot), FRAME_LIMIT).map_err(|e| e.to_string())?;
            negentropy.reconcile(message).map_err(|e| e.to_string())
        });
        match answered {
            Ok(message) => DirectoryReply::Reconcile(message),
            Err(e) => DirectoryReply::Refused(format!("reconciliation: {e}")),
        }
    }
}

/// The request that opens or continues comparing the set of `scope`.
fn reconcile(scope: Scope, message: Vec<u8>) -> DirectoryRequest {
    match scope {
        None => DirectoryRequest::Reconcile(message),
        Some(community) => DirectoryRequest::ReconcileIn(community.0, message),
    }
}

/// A directory snapshot shared by every reconciliation that reads it.
struct Shared(Arc<NegentropyStorageVector>);

impl NegentropyStorageBase for Shared {
    fn size(&self) -> Result<usize, negentropy::Error> {
        self.0.size()
    }

    fn get_item(&self, i: usize) -> Result<Option<Item>, negentropy::Error> {
        self.0.get_item(i)
    }

    fn iterate(
        &self,
        begin: usize,
        end: usize,
        cb: &mut dyn FnMut(Item, usize) -> Result<bool, negentropy::Error>,
    ) -> Result<(), negentropy::Error> {
        self.0.iterate(begin, end, cb)
    }

    fn find_lower_bound(&self, first: usize, last: usize, value: &Bound) -> usize {
        self.0.find_lower_bound(first, last, value)
    }
}
