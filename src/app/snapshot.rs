//! What the client shows, read from the store in one go (off the drawing
//! path), plus track records computed from verified endorsements.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;

use crate::endorse::Endorsement;
use crate::endorse::timebank::Timebank;
use crate::identity::PublicKey;
use crate::market::{Listing, Negotiation, Profile};
use crate::node::record::{Progress, Stage, ToApprove};
use crate::store::{PeerRecord, Store, StoreError};

/// Someone else's live listing, ready to filter and show.
#[derive(Clone, Debug)]
pub struct ListingItem {
    pub listing: Listing,
    pub author: PublicKey,
    pub author_name: String,
    /// The author's languages, from their signed profile when known.
    pub languages: Vec<String>,
    /// Lowercase text the fuzzy search matches against.
    pub haystack: String,
    /// The community it is placed in (none: the open directory).
    pub community: Option<crate::community::CommunityId>,
    /// Why a note of a maintainer this user follows hides it, if one does.
    pub hidden: Option<String>,
}

/// One negotiation with what the sessions screen needs around it.
#[derive(Clone, Debug)]
pub struct SessionItem {
    pub negotiation: Negotiation,
    pub with: PublicKey,
    pub with_name: String,
    /// The listing's title when still known.
    pub title: String,
    pub chat: Vec<(PublicKey, Timestamp, String)>,
    /// How many of this user's messages still wait to be delivered (the
    /// latest ones: a peer takes them in order).
    pub chat_waiting: usize,
    /// Where co-signing stands for this user, once the session is
    /// completed (the record to read and approve among it).
    pub progress: Option<Progress>,
}

/// How many of `me`'s latest messages to `with` still wait to be
/// delivered: a peer takes them in order, so counting stops at the newest
/// one delivered.
pub fn chat_waiting(
    store: &Store,
    me: &PublicKey,
    with: &PublicKey,
    messages: &[crate::wire::Verified<crate::market::ChatMessage>],
) -> Result<usize, StoreError> {
    let mut waiting = 0;
    for m in messages.iter().rev().filter(|m| m.author() == *me) {
        if !store.is_queued(with, &crate::store::Slot::Chat(m.value().id))? {
            break;
        }
        waiting += 1;
    }
    Ok(waiting)
}

impl SessionItem {
    pub fn stage(&self) -> Option<&Stage> {
        self.progress.as_ref().map(|p| &p.stage)
    }

    /// Both signatures are in.
    pub fn endorsed(&self) -> bool {
        matches!(self.stage(), Some(Stage::Endorsed))
    }

    /// The record waiting for this user's approval.
    pub fn to_approve(&self) -> Option<&ToApprove> {
        match self.stage() {
            Some(Stage::Approve(record)) => Some(record),
            _ => None,
        }
    }
}

/// A community whose charter this node holds, with what the client shows
/// around it.
#[derive(Clone, Debug)]
pub struct CommunityItem {
    pub id: crate::community::CommunityId,
    pub charter: crate::community::Charter,
    pub joined: bool,
    /// This user's goals in it (private).
    pub goals: Vec<crate::community::Goal>,
    /// Listings seen that teach or ask for one of its curriculum's skills.
    pub listings_in_skills: usize,
    /// Listings placed in it that this node holds (others' and own).
    pub listings: usize,
    /// Distinct people whose listings placed in it are held.
    pub people: usize,
    /// How many of those listings its maintainers' notes hide here.
    pub hidden: usize,
}

#[derive(Clone, Debug)]
pub struct Snapshot {
    pub me: PublicKey,
    pub profile: Option<Profile>,
    pub listings: Vec<ListingItem>,
    pub own: Vec<Listing>,
    /// Own listings on pause (withdrawn from the network, kept here).
    pub paused: Vec<Listing>,
    pub sessions: Vec<SessionItem>,
    pub endorsements: Vec<Endorsement>,
    pub peers: Vec<PeerRecord>,
    /// Others' signed profiles, by key.
    pub profiles: HashMap<PublicKey, Profile>,
    /// Communities held, the ones joined first.
    pub communities: Vec<CommunityItem>,
    /// Hubs' validations of this user's learning, kept beside the
    /// endorsements (verified when they were imported).
    pub validations: Vec<crate::endorse::validation::Validation>,
}

impl Snapshot {
    pub fn load(store: &Store, me: PublicKey, now: Timestamp) -> Result<Self, StoreError> {
        let peers = store.peers()?;
        let names: HashMap<PublicKey, String> =
            peers.iter().filter(|p| !p.name.is_empty()).map(|p| (p.key, p.name.clone())).collect();
        let name_of = |key: &PublicKey| names.get(key).cloned().unwrap_or_else(|| key.fingerprint());
        let blocked: HashSet<PublicKey> = peers.iter().filter(|p| p.blocked).map(|p| p.key).collect();
        let profiles = store.peer_profiles()?;

        let mut moderation: HashMap<crate::community::CommunityId, Option<crate::community::Moderation>> =
            HashMap::new();
        let mut listings: Vec<ListingItem> = store
            .seen_listings(now)?
            .into_iter()
            .filter(|l| !blocked.contains(&l.author()))
            .map(|l| {
                let community = l.value().community();
                let at = crate::market::ListingRef { author: l.author(), id: l.value().id };
                let hidden = community.and_then(|c| {
                    let view = moderation.entry(c).or_insert_with(|| store.moderation(&c).ok().flatten());
                    view.as_ref()?.hidden(&at).map(str::to_owned)
                });
                let author = l.author();
                let author_name = name_of(&author);
                let listing = l.value().clone();
                let haystack = format!(
                    "{} {} {} {} {}",
                    listing.title,
                    listing.skills.join(" "),
                    author_name,
                    listing.level,
                    listing.description
                )
                .to_lowercase();
                let languages = profiles.get(&author).map(|p| p.languages.clone()).unwrap_or_default();
                ListingItem { listing, author, author_name, languages, haystack, community, hidden }
            })
            .collect();
        listings.sort_by(|a, b| b.listing.expires_at.cmp(&a.listing.expires_at).then(a.listing.id.cmp(&b.listing.id)));

        let titles: HashMap<_, _> = listings.iter().map(|l| (l.listing.id, l.listing.title.clone())).collect();
        let own: Vec<Listing> = store.own_listings()?.into_iter().map(|l| l.value().clone()).collect();
        let paused: Vec<Listing> = store.paused_listings()?.into_iter().map(|l| l.value().clone()).collect();
        let own_titles: HashMap<_, _> = own.iter().chain(&paused).map(|l| (l.id, l.title.clone())).collect();
        let endorsements = store.endorsements()?;

        let mut sessions = Vec::new();
        for negotiation in store.negotiations()? {
            let with = if negotiation.teacher == me { negotiation.learner } else { negotiation.teacher };
            let messages = store.chat(&negotiation.id)?;
            let chat_waiting = chat_waiting(store, &me, &with, &messages)?;
            let chat = messages.into_iter().map(|m| (m.author(), m.timestamp(), m.value().text.clone())).collect();
            let progress = match negotiation.phase {
                crate::market::Phase::Completed { .. } => {
                    match crate::node::record::progress(store, &me, &negotiation, now) {
                        Ok(progress) => Some(progress),
                        Err(e) => {
                            tracing::warn!(negotiation = %negotiation.id.short(), "co-signing state: {e}");
                            None
                        }
                    }
                }
                _ => None,
            };
            let title = titles
                .get(&negotiation.listing.id)
                .or_else(|| own_titles.get(&negotiation.listing.id))
                .cloned()
                .unwrap_or_else(|| negotiation.skill.clone());
            sessions.push(SessionItem {
                with_name: name_of(&with),
                with,
                title,
                chat,
                chat_waiting,
                progress,
                negotiation,
            });
        }
        sessions.sort_by_key(|s| std::cmp::Reverse(s.negotiation.updated_at));
        let profile = store.profile()?.map(|p| p.value().clone());
        let communities = communities(store, &listings, &own)?;
        // The portfolio reads as a learner record: grouped by the community
        // whose curriculum has the skill, then by skill, newest first.
        let mut endorsements = endorsements;
        endorsements.sort_by_cached_key(|e| {
            let group = community_of_skill(&communities, &e.skill).map_or(usize::MAX, |(i, _)| i);
            (group, e.skill.clone(), std::cmp::Reverse(e.start))
        });
        let validations = store.validations()?.into_iter().map(|(v, _)| v).collect();
        Ok(Self {
            me,
            profile,
            listings,
            own,
            paused,
            sessions,
            endorsements,
            peers,
            profiles,
            communities,
            validations,
        })
    }

    /// This user's time credits, recomputed from the endorsements held.
    pub fn timebank(&self) -> Timebank {
        Timebank::of(&self.me, &self.endorsements)
    }

    /// The community (joined ones first) whose curriculum has `skill`, and
    /// the skill's name there.
    pub fn community_of_skill(&self, skill: &str) -> Option<(&CommunityItem, &str)> {
        community_of_skill(&self.communities, skill).map(|(i, name)| (&self.communities[i], name))
    }

    /// The community an own listing is placed in, and why its members no
    /// longer take it when they do not (it turned invite-only, or the
    /// invitation the listing carries lost its signer's maintainership).
    pub fn placed_in(&self, listing: &Listing, now: Timestamp) -> Option<(&CommunityItem, Option<String>)> {
        let placement = listing.placement.as_ref()?;
        let community = self.communities.iter().find(|c| c.id == placement.community)?;
        let refused = crate::community::may_publish(&community.charter, &self.me, placement, now).err();
        Some((community, refused.map(|why| why.to_string())))
    }

    /// The communities joined, as the listing form offers them.
    pub fn places(&self) -> Vec<(crate::community::CommunityId, String)> {
        self.communities.iter().filter(|c| c.joined).map(|c| (c.id, c.charter.name.clone())).collect()
    }

    /// Every language some listing's author speaks, sorted.
    pub fn languages(&self) -> Vec<String> {
        let mut all: Vec<String> = self.listings.iter().flat_map(|l| l.languages.iter().cloned()).collect();
        all.sort();
        all.dedup();
        all
    }
}

/// The index of the first community (joined ones come first) whose
/// curriculum has `skill`, and the skill's name there.
fn community_of_skill<'a>(communities: &'a [CommunityItem], skill: &str) -> Option<(usize, &'a str)> {
    communities
        .iter()
        .enumerate()
        .find_map(|(i, c)| c.charter.curriculum.skills.iter().find(|s| s.id == skill).map(|s| (i, s.name.as_str())))
}

fn communities(store: &Store, listings: &[ListingItem], own: &[Listing]) -> Result<Vec<CommunityItem>, StoreError> {
    let joined = store.joined_communities()?;
    let goals = store.goals()?;
    let mut items = Vec::new();
    for id in store.known_communities()? {
        let Some(charter) = store.charter(&id)? else { continue };
        let charter = charter.value().clone();
        let skills: HashSet<&str> = charter.curriculum.skills.iter().map(|s| s.id.as_str()).collect();
        let listings_in_skills =
            listings.iter().filter(|l| l.listing.skills.iter().any(|s| skills.contains(s.as_str()))).count();
        let placed: Vec<&ListingItem> = listings.iter().filter(|l| l.community == Some(id)).collect();
        let own_placed = own.iter().filter(|l| l.community() == Some(id)).count();
        let people: HashSet<PublicKey> = placed.iter().map(|l| l.author).collect();
        items.push(CommunityItem {
            id,
            joined: joined.contains(&id),
            goals: goals.iter().filter(|g| g.community == id).cloned().collect(),
            listings_in_skills,
            listings: placed.len() + own_placed,
            people: people.len() + usize::from(own_placed > 0),
            hidden: placed.iter().filter(|l| l.hidden.is_some()).count(),
            charter,
        });
    }
    items.sort_by_key(|c| (!c.joined, c.charter.name.to_lowercase(), c.id));
    Ok(items)
}

/// A person's record, from endorsements verified on this machine.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrackRecord {
    pub sessions_taught: usize,
    pub sessions_learned: usize,
    /// Minutes taught per skill.
    pub minutes_by_skill: BTreeMap<String, i64>,
    pub distinct_learners: usize,
    /// Average of the ratings learners gave, when any.
    pub average_rating: Option<f64>,
    /// Entries that did not verify and were left out.
    pub refused: usize,
    /// The verified endorsements it was computed from, for trust.
    pub endorsements: Vec<Endorsement>,
}

impl TrackRecord {
    pub fn of(person: &PublicKey, endorsements: &[Endorsement], refused: usize) -> Self {
        let mut record = TrackRecord { refused, endorsements: endorsements.to_vec(), ..Default::default() };
        let mut learners = HashSet::new();
        let mut ratings = Vec::new();
        for e in endorsements {
            if e.teacher.key == *person {
                record.sessions_taught += 1;
                *record.minutes_by_skill.entry(e.skill.clone()).or_default() += e.minutes();
                learners.insert(e.learner.key);
                ratings.push(f64::from(e.rating));
            } else if e.learner.key == *person {
                record.sessions_learned += 1;
            }
        }
        record.distinct_learners = learners.len();
        if !ratings.is_empty() {
            record.average_rating = Some(ratings.iter().sum::<f64>() / ratings.len() as f64);
        }
        record
    }

    pub fn hours_taught(&self) -> f64 {
        self.minutes_by_skill.values().sum::<i64>() as f64 / 60.0
    }
}
