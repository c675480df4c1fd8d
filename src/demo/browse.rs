//! Which listing a persona proposes a session on, and on what terms: offers
//! teaching what it wants to learn, requests for what it teaches, and now
//! and then a newcomer's listing (newcomers come first, so a person trying
//! the demo hears from someone). Pure: the caller passes time and rolls.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};

use super::persona::Persona;
use super::roll::{chance, roll};
use super::schedule::next_slot;
use crate::identity::PublicKey;
use crate::market::{Listing, ListingKind, ListingRef, Terms};
use crate::wire::Verified;

/// Proposals are for a slot at least this far ahead.
const PROPOSAL_LEAD: SignedDuration = SignedDuration::from_hours(2);
/// Proposed sessions last this long.
const PROPOSAL_MINUTES: u16 = 60;

/// What a persona may still propose in this run.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// On other demo peers' listings.
    pub among_demo: u32,
    /// On newcomers' listings.
    pub to_newcomers: u32,
}

/// A proposal to make.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pick {
    pub listing: ListingRef,
    pub skill: String,
    pub terms: Terms,
}

/// The best listing to propose on now, if any.
pub fn pick(
    persona: &Persona,
    me: PublicKey,
    is_demo: impl Fn(&PublicKey) -> bool,
    seen: &[Verified<Listing>],
    tried: &HashSet<ListingRef>,
    budget: Budget,
    now: Timestamp,
) -> Option<Pick> {
    let (learns, teaches) = (persona.learns(), persona.teaches());
    let overlaps = |skills: &[String], wanted: &[String]| skills.iter().any(|s| wanted.contains(s));
    let mut best: Option<(u8, u64, &Verified<Listing>)> = None;
    for entry in seen {
        let (author, listing) = (entry.author(), entry.value());
        let reference = ListingRef { author, id: listing.id };
        if author == me || tried.contains(&reference) || listing.is_expired(now) {
            continue;
        }
        let newcomer = !is_demo(&author);
        if (newcomer && budget.to_newcomers == 0) || (!newcomer && budget.among_demo == 0) {
            continue;
        }
        let dice = roll(&[persona.slug.as_bytes(), &listing.id.0]);
        let wanted = match listing.kind {
            ListingKind::Offer => {
                let curious =
                    newcomer && chance(persona.behaviour.curiosity, dice) && !overlaps(&listing.skills, &teaches);
                overlaps(&listing.skills, &learns) || curious
            }
            ListingKind::Request => overlaps(&listing.skills, &teaches),
        };
        let rank = u8::from(newcomer);
        if wanted && best.is_none_or(|(r, d, _)| (rank, dice) > (r, d)) {
            best = Some((rank, dice, entry));
        }
    }
    let (_, _, entry) = best?;
    let listing = entry.value();
    let earliest = now.saturating_add(PROPOSAL_LEAD).unwrap_or(now);
    Some(Pick {
        listing: ListingRef { author: entry.author(), id: listing.id },
        skill: listing.skill().to_owned(),
        terms: Terms {
            start: next_slot(&listing.availability, earliest),
            duration_minutes: PROPOSAL_MINUTES,
            price: listing.price.clone(),
            topic: listing.title.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;
    use crate::wire::{open, seal};

    #[test]
    fn prefers_newcomers_then_wanted_skills_and_respects_budget() {
        let now = Timestamp::now();
        let personas = Persona::all().unwrap();
        let lukas = personas.iter().find(|p| p.slug == "lukas").unwrap();
        let ines = personas.iter().find(|p| p.slug == "ines").unwrap();
        let ines_key = Identity::from_secret_bytes(&ines.secret());
        let newcomer = Identity::from_secret_bytes(&[9; 32]);
        let sealed = |who: &Identity, l: &Listing| open::<Listing>(seal(who, l, now).unwrap().bytes(), now).unwrap();
        let rust_offer = sealed(&ines_key, &ines.listings(now).unwrap()[0]);
        let mut calculus = ines.listings(now).unwrap()[0].clone();
        (calculus.id, calculus.skills, calculus.title) =
            (crate::market::Id16([5; 16]), vec!["calculus".into()], "Calculus".into());
        let newcomer_offer = sealed(&newcomer, &calculus);
        let demo = ines_key.public();
        let is_demo = |k: &PublicKey| *k == demo;
        let me = Identity::from_secret_bytes(&lukas.secret()).public();
        let seen = vec![rust_offer.clone(), newcomer_offer.clone()];
        let budget = Budget { among_demo: 1, to_newcomers: 1 };

        let first = pick(lukas, me, is_demo, &seen, &HashSet::new(), budget, now).unwrap();
        assert_eq!(first.listing.author, newcomer.public(), "newcomers first");
        assert!(first.terms.start >= now.saturating_add(PROPOSAL_LEAD).unwrap());
        let tried: HashSet<_> = [first.listing].into();
        let second = pick(lukas, me, is_demo, &seen, &tried, budget, now).unwrap();
        assert_eq!((second.listing.author, second.skill.as_str()), (demo, "rust"));
        let spent = Budget { among_demo: 0, to_newcomers: 0 };
        assert_eq!(pick(lukas, me, is_demo, &seen, &HashSet::new(), spent, now), None);
        // A teacher of Rust does not propose to learn Rust from another.
        assert_eq!(pick(ines, demo, is_demo, &[rust_offer], &HashSet::new(), budget, now), None);
    }
}
