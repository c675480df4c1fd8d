//! What the client asks the node to do. The runtime carries each out in the
//! background and reports back with [`super::Action::Done`].

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
    Connect(String),
    Block(PublicKey),
    /// Save a peer as pinned (true) or not (false) in the config.
    Pin(PublicKey, bool),
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
