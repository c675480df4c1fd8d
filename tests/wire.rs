//! Signed envelopes: every malformed, forged or stale input gets a typed error.

mod common;

use agora::market::{Availability, Format, Id16, Level, Listing, ListingKind, ListingWithdrawal, Price, Profile};
use agora::wire::{MAX_ENVELOPE_BYTES, WireError, open, seal};
use common::{identity, now, ts};
use jiff::SignedDuration;
use proptest::prelude::*;

fn listing() -> Listing {
    Listing {
        id: Id16([7; 16]),
        version: 3,
        kind: ListingKind::Offer,
        title: "Rust for beginners".into(),
        skills: vec!["rust".into(), "ownership".into()],
        level: Level::Beginner,
        description: "Bring a laptop.\nWe start from zero.".into(),
        format: Format::Online,
        price: Price::Credits { centi_per_hour: 100 },
        availability: Availability { time_zone: "Europe/Berlin".into(), windows: vec![] },
        expires_at: ts("2026-12-25T00:00:00Z"),
    }
}

#[test]
fn seal_then_open_round_trips() {
    let author = identity(1);
    let sealed = seal(&author, &listing(), now()).unwrap();
    let opened = open::<Listing>(sealed.bytes(), now()).unwrap();
    assert_eq!(opened.value(), &listing());
    assert_eq!(opened.author(), author.public());
    assert_eq!(opened.timestamp(), now());
    assert_eq!(opened.bytes(), sealed.bytes());
}

#[test]
fn wrong_domain_is_refused_before_decoding() {
    let sealed = seal(&identity(1), &ListingWithdrawal { id: Id16([1; 16]), version: 1 }, now()).unwrap();
    let err = open::<Listing>(sealed.bytes(), now()).unwrap_err();
    assert!(matches!(err, WireError::WrongDomain { expected: "agora/listing/1", .. }), "{err:?}");
}

#[test]
fn every_bit_flip_is_refused() {
    let bytes = seal(&identity(1), &listing(), now()).unwrap().bytes().to_vec();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut bad = bytes.clone();
            bad[i] ^= 1 << bit;
            assert!(open::<Listing>(&bad, now()).is_err(), "flip of bit {bit} in byte {i} accepted");
        }
    }
}

#[test]
fn truncation_and_trailing_bytes_are_refused() {
    let bytes = seal(&identity(1), &listing(), now()).unwrap().bytes().to_vec();
    for cut in 0..bytes.len() {
        assert!(open::<Listing>(&bytes[..cut], now()).is_err(), "truncated at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(open::<Listing>(&longer, now()).unwrap_err(), WireError::TrailingBytes(1));
}

#[test]
fn another_authors_key_does_not_verify() {
    let mut bytes = seal(&identity(1), &listing(), now()).unwrap().bytes().to_vec();
    let me = identity(1).public();
    let other = identity(2).public();
    let at = bytes.windows(32).position(|w| w == me.as_bytes()).unwrap();
    bytes[at..at + 32].copy_from_slice(other.as_bytes());
    assert_eq!(open::<Listing>(&bytes, now()).unwrap_err(), WireError::BadSignature);
}

#[test]
fn far_future_timestamps_are_refused_and_small_skew_is_fine() {
    let soon = now().saturating_add(SignedDuration::from_mins(9)).unwrap();
    let later = now().saturating_add(SignedDuration::from_mins(11)).unwrap();
    assert!(open::<Listing>(seal(&identity(1), &listing(), soon).unwrap().bytes(), now()).is_ok());
    let err = open::<Listing>(seal(&identity(1), &listing(), later).unwrap().bytes(), now()).unwrap_err();
    assert!(matches!(err, WireError::FromTheFuture { seconds: 660 }), "{err:?}");
}

#[test]
fn limits_are_enforced_on_both_sides() {
    let mut long = listing();
    long.title = "x".repeat(81);
    assert!(matches!(seal(&identity(1), &long, now()), Err(WireError::Invalid(e)) if e.field == "title"));
    let mut escape = listing();
    escape.title = "hi\u{1b}[2J".into();
    assert!(seal(&identity(1), &escape, now()).is_err());
    let profile = Profile {
        name: "Ada".into(),
        bio: String::new(),
        languages: vec!["en".into()],
        time_zone: "Mars/Olympus".into(),
    };
    assert!(matches!(seal(&identity(1), &profile, now()), Err(WireError::Invalid(e)) if e.field == "time_zone"));
    assert!(matches!(open::<Listing>(&vec![0; MAX_ENVELOPE_BYTES + 1], now()), Err(WireError::TooLarge { .. })));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Arbitrary bytes never panic the decoder, and never verify.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        prop_assert!(open::<Listing>(&bytes, now()).is_err());
        prop_assert!(open::<Profile>(&bytes, now()).is_err());
        prop_assert!(open::<agora::market::NegotiationEvent>(&bytes, now()).is_err());
    }

    /// Random edits of a valid envelope (overwrite, insert, delete) are refused.
    #[test]
    fn mutated_envelopes_are_refused(pos in any::<prop::sample::Index>(), byte in any::<u8>(), op in 0u8..3) {
        let mut bytes = seal(&identity(1), &listing(), now()).unwrap().bytes().to_vec();
        let i = pos.index(bytes.len());
        match op {
            0 => { prop_assume!(bytes[i] != byte); bytes[i] = byte; }
            1 => bytes.insert(i, byte),
            _ => { bytes.remove(i); }
        }
        prop_assert!(open::<Listing>(&bytes, now()).is_err());
    }

    /// Arbitrary JSON-ish text never panics the credential verifier.
    #[test]
    fn arbitrary_text_never_panics_endorsement_verify(text in ".{0,512}") {
        prop_assert!(agora::endorse::verify(text.as_bytes(), now()).is_err());
    }
}
