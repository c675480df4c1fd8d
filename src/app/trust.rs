//! Trust as the viewer sees it, kept beside the client's state: an
//! [`Outlook`] over every verified endorsement the client knows (the
//! viewer's own store plus the portfolios fetched for track records),
//! seeded by the viewer's counterparts and pinned peers. It is rebuilt
//! after an update that brought new endorsements or pins, never while
//! drawing, and the selected author's standing is explained in names.

use std::collections::HashMap;
use std::sync::Arc;

use super::AppState;
use super::state::Tab;
use crate::endorse::reputation::{Outlook, Standing};
use crate::identity::PublicKey;

#[derive(Clone, Debug, Default)]
pub struct Trust {
    /// Peers the viewer pinned: their walks start there too.
    pub pinned: Vec<PublicKey>,
    outlook: Option<Arc<Outlook>>,
    /// What the outlook was built from, to notice when it is stale:
    /// (own endorsements, records, endorsements in records, pinned).
    built_from: (usize, usize, usize, Vec<PublicKey>),
    explained: HashMap<PublicKey, Explained>,
}

/// One person's standing with its paths already told in names.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    pub standing: Standing,
    pub paths: Vec<String>,
}

impl Trust {
    /// Pins `peer`, or unpins them if pinned; returns whether pinned now.
    pub fn toggle_pin(&mut self, peer: PublicKey) -> bool {
        if let Some(i) = self.pinned.iter().position(|p| *p == peer) {
            self.pinned.remove(i);
            false
        } else {
            self.pinned.push(peer);
            true
        }
    }

    pub fn is_pinned(&self, peer: &PublicKey) -> bool {
        self.pinned.contains(peer)
    }

    /// `person`'s standing, when it has been worked out.
    pub fn explained(&self, person: &PublicKey) -> Option<&Explained> {
        self.explained.get(person)
    }

    /// The outlook as last built, if any.
    pub fn outlook(&self) -> Option<&Outlook> {
        self.outlook.as_deref()
    }
}

impl AppState {
    /// Brings the trust outlook up to date if endorsements or pins changed,
    /// and explains the selected Discover author if not done yet.
    pub fn explain_selected(&mut self) {
        if self.tab != Tab::Discover {
            return;
        }
        let Some(author) = self.selected_listing().map(|l| l.author) else { return };
        self.explain(&author);
    }

    /// Works out where `person` stands (cached until something changes).
    pub fn explain(&mut self, person: &PublicKey) -> Option<&Explained> {
        // Runs after every update: counting is cheap, collecting is not.
        let fetched = || self.track_records.values().filter_map(|r| r.as_ref().ok());
        let in_records = fetched().map(|r| r.endorsements.len()).sum();
        let built_from = (self.snapshot.endorsements.len(), fetched().count(), in_records, self.trust.pinned.clone());
        if self.trust.outlook.is_none() || self.trust.built_from != built_from {
            let records: Vec<&crate::endorse::Endorsement> = fetched().flat_map(|r| &r.endorsements).collect();
            let outlook = Outlook::new(self.snapshot.me, &self.snapshot.endorsements, records, &self.trust.pinned);
            self.trust.outlook = Some(Arc::new(outlook));
            self.trust.built_from = built_from;
            self.trust.explained.clear();
        }
        if !self.trust.explained.contains_key(person) {
            let outlook = self.trust.outlook.clone()?;
            let standing = outlook.standing(person, self.now);
            let paths = standing.paths.iter().map(|p| p.describe(|k| self.name_of(k, &outlook))).collect();
            self.trust.explained.insert(*person, Explained { standing, paths });
        }
        self.trust.explained.get(person)
    }

    /// A person's name: from the peers met, their signed profile, their
    /// listings, the endorsements they signed; else their fingerprint.
    pub fn name_of(&self, key: &PublicKey, outlook: &Outlook) -> String {
        let s = &self.snapshot;
        let named = |name: &str| (!name.trim().is_empty()).then(|| name.to_owned());
        s.peers
            .iter()
            .find(|p| p.key == *key)
            .and_then(|p| named(&p.name))
            .or_else(|| s.profiles.get(key).and_then(|p| named(&p.name)))
            .or_else(|| s.listings.iter().find(|l| l.author == *key).and_then(|l| named(&l.author_name)))
            .or_else(|| outlook.name_in_records(key).and_then(named))
            .unwrap_or_else(|| key.fingerprint())
    }
}
