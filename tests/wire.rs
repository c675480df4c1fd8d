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
        placement: None,
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
    assert!(matches!(err, WireError::WrongDomain { expected: "agora/listing/2", .. }), "{err:?}");
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

/// The envelope layout, written out independently of the library, so a
/// change to the wire format cannot slip in unnoticed. Also lets the test
/// sign bodies the library would never produce.
mod raw {
    use serde::Serialize;

    #[derive(Serialize)]
    pub struct Header<'a> {
        pub format: u8,
        pub domain: &'a str,
        pub author: [u8; 32],
        pub timestamp_ms: i64,
        pub body: &'a [u8],
    }

    pub fn envelope(signer: &agora::identity::Identity, domain: &str, timestamp_ms: i64, body: &[u8]) -> Vec<u8> {
        let header = Header { format: 1, domain, author: *signer.public().as_bytes(), timestamp_ms, body };
        let mut bytes = postcard::to_stdvec(&header).unwrap();
        let mut message = b"agora envelope v1\0".to_vec();
        message.extend_from_slice(&bytes);
        bytes.extend_from_slice(&signer.sign(&message));
        bytes
    }
}

#[test]
fn the_wire_format_is_pinned() {
    let signer = identity(1);
    let body = postcard::to_stdvec(&listing()).unwrap();
    let by_hand = raw::envelope(&signer, "agora/listing/2", now().as_millisecond(), &body);
    assert_eq!(by_hand, seal(&signer, &listing(), now()).unwrap().bytes());
}

#[test]
fn a_listing_signed_before_communities_still_opens_in_the_open_directory() {
    let signer = identity(1);
    let ms = now().as_millisecond();
    // The first form had no placement: today's body without its last
    // field (`None`, one zero byte).
    let mut v2 = postcard::to_stdvec(&listing()).unwrap();
    assert_eq!(v2.pop(), Some(0));
    let v1 = v2;
    let opened = open::<Listing>(&raw::envelope(&signer, "agora/listing/1", ms, &v1), now()).unwrap();
    assert_eq!(opened.value(), &listing());
    assert_eq!(opened.value().community(), None);
    // Today's body under the old tag is not a listing of the old form.
    let today = postcard::to_stdvec(&listing()).unwrap();
    let err = open::<Listing>(&raw::envelope(&signer, "agora/listing/1", ms, &today), now()).unwrap_err();
    assert_eq!(err, WireError::BodyTrailingBytes(1));
    // An old body under today's tag is cut short.
    let err = open::<Listing>(&raw::envelope(&signer, "agora/listing/2", ms, &v1), now()).unwrap_err();
    assert!(matches!(err, WireError::Body(_)), "{err:?}");
}

#[test]
fn validly_signed_garbage_is_refused_without_panicking() {
    let signer = identity(1);
    let ms = now().as_millisecond();
    // A body that is not a listing at all.
    let err = open::<Listing>(&raw::envelope(&signer, "agora/listing/2", ms, &[0xff; 40]), now()).unwrap_err();
    assert!(matches!(err, WireError::Body(_)), "{err:?}");
    // A listing body with invalid UTF-8 in its title.
    let mut body = postcard::to_stdvec(&listing()).unwrap();
    let at = body.windows(4).position(|w| w == b"Rust").unwrap();
    body[at] = 0xff;
    assert!(matches!(
        open::<Listing>(&raw::envelope(&signer, "agora/listing/2", ms, &body), now()),
        Err(WireError::Body(_))
    ));
    // A valid listing with bytes after it.
    let mut body = postcard::to_stdvec(&listing()).unwrap();
    body.extend_from_slice(&[1, 2, 3]);
    let err = open::<Listing>(&raw::envelope(&signer, "agora/listing/2", ms, &body), now()).unwrap_err();
    assert_eq!(err, WireError::BodyTrailingBytes(3));
    // Dates beyond what a calendar holds.
    let body = postcard::to_stdvec(&listing()).unwrap();
    let err = open::<Listing>(&raw::envelope(&signer, "agora/listing/2", i64::MIN, &body), now()).unwrap_err();
    assert_eq!(err, WireError::TimestampOutOfRange);
    // A body over its kind's limit, even though validly signed.
    let err = open::<Listing>(&raw::envelope(&signer, "agora/listing/2", ms, &vec![0; 3401]), now()).unwrap_err();
    assert!(matches!(err, WireError::TooLarge { len: 3401, max: 3400 }));
    // An unknown format version.
    let mut bytes = raw::envelope(&signer, "agora/listing/2", ms, &body);
    bytes[0] = 2;
    assert_eq!(open::<Listing>(&bytes, now()).unwrap_err(), WireError::UnknownFormat(2));
}

proptest! {
    /// Swapping two spans of a valid envelope (re-ordered fields) is refused.
    #[test]
    fn reordered_envelopes_are_refused(a in any::<prop::sample::Index>(), b in any::<prop::sample::Index>(), len in 1usize..16) {
        let bytes = seal(&identity(1), &listing(), now()).unwrap().bytes().to_vec();
        let (x, y) = (a.index(bytes.len() - len), b.index(bytes.len() - len));
        let (x, y) = (x.min(y), x.max(y));
        prop_assume!(y >= x + len && bytes[x..x + len] != bytes[y..y + len]);
        let mut swapped = bytes.clone();
        swapped[x..x + len].copy_from_slice(&bytes[y..y + len]);
        swapped[y..y + len].copy_from_slice(&bytes[x..x + len]);
        prop_assert!(open::<Listing>(&swapped, now()).is_err());
    }
}
