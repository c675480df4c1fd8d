//! What the client asks the node to do. The runtime carries each out in the
//! background and reports back with [`super::Action::Done`].

use crate::endorse::consent::RecordDigest;
use crate::endorse::cosign::Attestation;
use crate::identity::PublicKey;
use crate::market::{Action as Step, Listing, ListingId, ListingRef, NegotiationId, Terms};

#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    Quit,
    Publish(Listing),
    Withdraw(ListingId),
    Pause(ListingId),
    Resume(ListingId),
    Propose(ListingRef, Terms),
    Act(NegotiationId, Step),
    Chat(NegotiationId, String),
    Review(NegotiationId, u8, String),
    Attest(NegotiationId, Attestation),
    /// Sign the record with this digest (the one shown).
    Approve(NegotiationId, RecordDigest),
    /// Turn the draft with this digest down, with a reason.
    DeclineRecord(NegotiationId, RecordDigest, String),
    Connect(String),
    Block(PublicKey),
    Unblock(PublicKey),
    /// Save a peer as pinned (true) or not (false) in the config.
    Pin(PublicKey, bool),
    /// Join (true) or leave (false) a community.
    SetJoined(crate::community::CommunityId, bool),
    FetchTrackRecord(PublicKey),
    /// Several at once (a few at a time), for the minimum-rating filter.
    FetchTrackRecords(Vec<PublicKey>),
    Export(String),
    /// Sign a presentation of the endorsements picked, into the export folder.
    Present(crate::endorse::presentation::Selection, crate::endorse::presentation::Binding),
    /// Verify a stored endorsement again, proof by proof, for its detail.
    Inspect(String),
    FastForward,
    /// First run (or editing the profile): save it, announce it, and
    /// publish a first listing per skill to teach or to learn.
    Onboard(Onboarding),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Onboarding {
    pub choice: crate::config::ProfileChoice,
    pub teach: Vec<String>,
    pub learn: Vec<String>,
}

impl Onboarding {
    /// The profile the choice makes.
    pub fn profile(&self) -> crate::market::Profile {
        crate::market::Profile {
            name: self.choice.name.clone(),
            bio: String::new(),
            languages: self.choice.languages.clone(),
            time_zone: self.choice.time_zone.clone(),
        }
    }

    /// The first listings: an offer per skill to teach and a request per
    /// skill to learn, for a month, with the ids given (drawn by the
    /// caller, one per listing, in that order).
    pub fn first_listings(
        &self,
        ids: &mut impl Iterator<Item = crate::market::ListingId>,
        now: jiff::Timestamp,
    ) -> Vec<crate::market::Listing> {
        use crate::market::{Availability, Format, Level, Listing, ListingKind, Price};
        let kinds = [(ListingKind::Offer, &self.teach), (ListingKind::Request, &self.learn)];
        let mut out = Vec::new();
        for (kind, skills) in kinds {
            for skill in skills {
                let Some(id) = ids.next() else { return out };
                let title = match kind {
                    ListingKind::Offer => format!("I can teach {skill}"),
                    ListingKind::Request => format!("I want to learn {skill}"),
                };
                out.push(Listing {
                    id,
                    version: 1,
                    kind,
                    title,
                    skills: vec![skill.to_owned()],
                    level: Level::Any,
                    description: String::new(),
                    format: Format::Online,
                    price: Price::Free,
                    availability: Availability { time_zone: self.choice.time_zone.clone(), windows: vec![] },
                    expires_at: now.saturating_add(jiff::SignedDuration::from_hours(24 * 30)).unwrap_or(now),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Onboarding;
    use crate::config::ProfileChoice;
    use crate::market::{Id16, ListingKind};

    #[test]
    fn first_listings_offer_what_one_teaches_and_ask_for_what_one_learns() {
        let choice = ProfileChoice {
            name: "Ada".into(),
            time_zone: "Europe/London".into(),
            languages: vec!["en".into()],
            communities: vec![],
        };
        let onboarding = Onboarding { choice, teach: vec!["rust".into()], learn: vec!["welsh".into(), "go".into()] };
        let mut ids = (1..).map(|n| Id16([n; 16]));
        let now = "2026-12-01T09:00:00Z".parse().unwrap();
        let listings = onboarding.first_listings(&mut ids, now);
        let kinds: Vec<_> = listings.iter().map(|l| (l.kind, l.title.as_str())).collect();
        assert_eq!(
            kinds,
            [
                (ListingKind::Offer, "I can teach rust"),
                (ListingKind::Request, "I want to learn welsh"),
                (ListingKind::Request, "I want to learn go")
            ]
        );
        assert!(listings.iter().all(|l| l.availability.time_zone == "Europe/London"));
        assert!(listings.iter().all(|l| crate::market::check_lifetime(l, now).is_ok()));
        assert_eq!(onboarding.profile().name, "Ada");
    }
}
