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
    /// Found a community: the runtime draws its nonce and signs it.
    FoundCommunity(Founding),
    /// Join a community by its ticket (text, checked).
    JoinCommunity(String),
    /// Ask the hub behind this ticket (text, checked) to validate.
    AskHub(String, crate::node::hub::Ask),
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
                    placement: None,
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

/// What the user typed to found a community.
#[derive(Clone, Debug, PartialEq)]
pub struct Founding {
    pub name: String,
    pub description: String,
    pub languages: Vec<String>,
    pub rules: Vec<String>,
    pub invite_only: bool,
}

impl Founding {
    /// The charter it makes, founded by `founder` with `nonce`.
    pub fn charter(&self, founder: crate::identity::PublicKey, nonce: [u8; 16]) -> crate::community::Charter {
        crate::community::Charter {
            founder,
            nonce,
            version: 1,
            previous: None,
            name: self.name.clone(),
            description: self.description.clone(),
            languages: self.languages.clone(),
            rules: self.rules.clone(),
            maintainers: vec![founder],
            admission: if self.invite_only {
                crate::community::Admission::InviteOnly
            } else {
                crate::community::Admission::Open
            },
            curriculum: crate::community::Curriculum::default(),
        }
    }

    /// The charter's own checks, with the form field each concerns.
    pub fn check(&self) -> Result<(), (usize, String)> {
        use crate::wire::Body as _;
        let probe = self.charter(crate::identity::Identity::from_secret_bytes(&[1; 32]).public(), [0; 16]);
        probe.validate().map_err(|e| {
            let field = match e.field {
                "name" => 0,
                "description" => 1,
                "languages" => 2,
                _ => 3,
            };
            (field, e.to_string())
        })
    }
}
