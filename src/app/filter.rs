//! Discover's search as you type, with nucleo's matcher (the one helix
//! uses) over title, skills, author, level and description, plus kind and
//! price filters, best matches first. Each word must appear as written;
//! only when nothing matches that way do the words match fuzzily (letters
//! in order, gaps allowed), so `rust` finds Rust and `rst` still does.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::ListingItem;
use crate::community::CommunityId;
use crate::market::{Level, ListingKind, Price};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KindFilter {
    #[default]
    All,
    Offers,
    Requests,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PriceFilter {
    #[default]
    Any,
    Free,
    Credits,
    Money,
}

/// Where Discover's listings come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Place {
    #[default]
    Everywhere,
    /// Listings placed in no community.
    Open,
    /// Listings placed in this community.
    In(CommunityId),
}

impl Place {
    /// Everywhere, the open directory, each community joined, everywhere…
    pub fn next(self, joined: &[CommunityId]) -> Self {
        match self {
            Place::Everywhere => Place::Open,
            Place::Open => joined.first().map_or(Place::Everywhere, |c| Place::In(*c)),
            Place::In(c) => match joined.iter().position(|j| *j == c) {
                Some(i) if i + 1 < joined.len() => Place::In(joined[i + 1]),
                _ => Place::Everywhere,
            },
        }
    }

    pub fn admits(self, community: Option<CommunityId>) -> bool {
        match self {
            Place::Everywhere => true,
            Place::Open => community.is_none(),
            Place::In(c) => community == Some(c),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// Where listings come from.
    pub place: Place,
    /// Also show listings that maintainers' notes hide.
    pub show_hidden: bool,
    pub query: String,
    pub kind: KindFilter,
    pub price: PriceFilter,
    /// Listings for this level (listings for any level always pass).
    pub level: Option<Level>,
    /// Listings whose author speaks this language.
    pub language: Option<String>,
    /// Only listings whose weekly windows overlap these (the user's own,
    /// as UTC minutes of the week).
    pub overlapping: Option<Vec<(u32, u32)>>,
    /// When the overlap is computed (the zones' offsets at that time).
    pub at: Option<jiff::Timestamp>,
    /// Only authors whose verified track record averages at least this.
    pub min_rating: Option<f64>,
}

/// Track records known so far, by author.
pub type Records = std::collections::HashMap<crate::identity::PublicKey, Result<super::TrackRecord, String>>;

/// The next minimum-rating filter: none, 3, 4, 4.5, none…
pub fn next_min_rating(current: Option<f64>) -> Option<f64> {
    match current {
        None => Some(3.0),
        Some(r) if r < 4.0 => Some(4.0),
        Some(r) if r < 4.5 => Some(4.5),
        Some(_) => None,
    }
}

/// The next level filter: any, beginner, intermediate, advanced, any…
pub fn next_level(level: Option<Level>) -> Option<Level> {
    match level {
        None => Some(Level::Beginner),
        Some(Level::Beginner) => Some(Level::Intermediate),
        Some(Level::Intermediate) => Some(Level::Advanced),
        Some(Level::Advanced | Level::Any) => None,
    }
}

impl KindFilter {
    pub fn next(self) -> Self {
        match self {
            KindFilter::All => KindFilter::Offers,
            KindFilter::Offers => KindFilter::Requests,
            KindFilter::Requests => KindFilter::All,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            KindFilter::All => "all kinds",
            KindFilter::Offers => "offers",
            KindFilter::Requests => "requests",
        }
    }
}

impl PriceFilter {
    pub fn next(self) -> Self {
        match self {
            PriceFilter::Any => PriceFilter::Free,
            PriceFilter::Free => PriceFilter::Credits,
            PriceFilter::Credits => PriceFilter::Money,
            PriceFilter::Money => PriceFilter::Any,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PriceFilter::Any => "any price",
            PriceFilter::Free => "free",
            PriceFilter::Credits => "time credits",
            PriceFilter::Money => "money",
        }
    }
}

impl Filter {
    /// Indexes of the listings that pass, best match first (ties keep the
    /// listings' order).
    /// The rows that pass, best match first. The words match as written
    /// when they are found in any listing at all, else their letters match
    /// fuzzily; which of the two is decided by the words alone, so adding
    /// a filter only ever narrows what the words found.
    pub fn apply(&self, listings: &[ListingItem], records: &Records) -> Vec<usize> {
        let query = self.query.trim();
        let kind =
            if query.is_empty() || self.found_as_written(listings) { AtomKind::Substring } else { AtomKind::Fuzzy };
        self.matching(listings, records, kind)
    }

    fn found_as_written(&self, listings: &[ListingItem]) -> bool {
        let pattern = Pattern::new(self.query.trim(), CaseMatching::Ignore, Normalization::Smart, AtomKind::Substring);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        listings.iter().any(|item| pattern.score(Utf32Str::new(&item.haystack, &mut buf), &mut matcher).is_some())
    }

    fn matching(&self, listings: &[ListingItem], records: &Records, kind: AtomKind) -> Vec<usize> {
        let pattern = Pattern::new(self.query.trim(), CaseMatching::Ignore, Normalization::Smart, kind);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        let mut hits: Vec<(u32, usize)> = listings
            .iter()
            .enumerate()
            .filter(|(_, item)| self.keeps(item) && self.rated_enough(item, records))
            .filter_map(|(i, item)| {
                if self.query.trim().is_empty() {
                    return Some((0, i));
                }
                pattern.score(Utf32Str::new(&item.haystack, &mut buf), &mut matcher).map(|score| (score, i))
            })
            .collect();
        hits.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        hits.into_iter().map(|(_, i)| i).collect()
    }

    /// With a minimum rating, only authors whose fetched, verified record
    /// meets it (unknown or unreachable authors are left out).
    fn rated_enough(&self, item: &ListingItem, records: &Records) -> bool {
        let Some(minimum) = self.min_rating else { return true };
        matches!(records.get(&item.author), Some(Ok(r)) if r.average_rating.is_some_and(|a| a >= minimum))
    }

    fn keeps(&self, item: &ListingItem) -> bool {
        let kind = match self.kind {
            KindFilter::All => true,
            KindFilter::Offers => item.listing.kind == ListingKind::Offer,
            KindFilter::Requests => item.listing.kind == ListingKind::Request,
        };
        let price = matches!(
            (self.price, &item.listing.price),
            (PriceFilter::Any, _)
                | (PriceFilter::Free, Price::Free)
                | (PriceFilter::Credits, Price::Credits { .. })
                | (PriceFilter::Money, Price::Money { .. })
        );
        let level = match self.level {
            None => true,
            Some(wanted) => item.listing.level == wanted || item.listing.level == Level::Any,
        };
        let language = self.language.as_ref().is_none_or(|l| item.languages.iter().any(|spoken| spoken == l));
        let time = match (&self.overlapping, self.at) {
            (Some(mine), Some(at)) => crate::market::overlap(mine, &item.listing.availability.utc_week_minutes(at)),
            _ => true,
        };
        let place = self.place.admits(item.community) && (self.show_hidden || item.hidden.is_none());
        kind && price && level && language && time && place
    }
}
