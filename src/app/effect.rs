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
    Propose(ListingRef, Terms),
    Act(NegotiationId, Step),
    Chat(NegotiationId, String),
    Review(NegotiationId, u8, String),
    Attest(NegotiationId, Attestation),
    Connect(String),
    Block(PublicKey),
    FetchTrackRecord(PublicKey),
    Export(String),
    FastForward,
}
