//! The listing form: a new listing, or the next version of an own one,
//! with the community it is placed in (the open directory, or one of the
//! communities the user joined).

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

use super::{FieldKind, Form, FormKind, choice, text};
use crate::community::CommunityId;
use crate::market::{Availability, Format, Id16, Level, Listing, ListingKind, Placement, Price};

/// The "Community" choice: where the open directory is.
const COMMUNITY_FIELD: usize = 8;

impl Form {
    /// A new listing; `places` are the communities joined (id and name).
    pub fn new_listing(places: &[(CommunityId, String)]) -> Self {
        let mut options = vec!["open directory (everyone)"];
        options.extend(places.iter().map(|(_, name)| name.as_str()));
        Self::new(
            FormKind::NewListing(places.iter().map(|(id, _)| *id).collect()),
            "New listing",
            vec![
                choice("Kind", vec!["offer to teach", "request to learn"], 0),
                text("Title", "", 80, "e.g. Rust for beginners"),
                text("Skills", "", 120, "lowercase tags, comma separated"),
                choice("Level", vec!["any", "beginner", "intermediate", "advanced"], 0),
                text("Price", "free", 24, "free, 1 credit, 25 EUR (per hour)"),
                text("Where", "online", 80, "online, in-person:AREA or either:AREA"),
                text("Weekly times", "", 400, "e.g. mon 18:00-20:00, sat 10:00-12:00 (your zone; empty: any time)"),
                text("Description", "", 1500, "optional"),
                choice("Community", options, 0),
            ],
        )
    }

    /// The new-listing form, filled in from `listing`, to publish its next version.
    pub fn edit_listing(listing: &Listing, places: &[(CommunityId, String)]) -> Self {
        let mut form = Self::new_listing(places);
        form.kind = FormKind::EditListing(Box::new(listing.clone()), places.iter().map(|(id, _)| *id).collect());
        form.title = format!("Edit: {}", listing.title);
        let level = [Level::Any, Level::Beginner, Level::Intermediate, Level::Advanced]
            .iter()
            .position(|l| *l == listing.level)
            .unwrap_or(0);
        let place = match &listing.format {
            Format::Online => "online".to_owned(),
            Format::InPerson { area } => format!("in-person:{area}"),
            Format::Either { area } => format!("either:{area}"),
        };
        let community =
            listing.community().and_then(|c| places.iter().position(|(id, _)| *id == c)).map_or(0, |i| i + 1);
        let values = [
            String::new(),
            listing.title.clone(),
            listing.skills.join(", "),
            String::new(),
            listing.price.to_string().trim_end_matches("/h").to_owned(),
            place,
            listing.availability.windows.iter().map(|w| w.to_string().to_lowercase()).collect::<Vec<_>>().join(", "),
            listing.description.clone(),
            String::new(),
        ];
        for (field, value) in form.fields.iter_mut().zip(values) {
            if let FieldKind::Choice { selected, .. } = &mut field.kind {
                *selected = match field.label {
                    "Level" => level,
                    "Community" => community,
                    _ => usize::from(listing.kind == ListingKind::Request),
                };
            } else {
                field.value = value;
            }
        }
        form
    }

    pub(super) fn listing(
        &self,
        now: Timestamp,
        tz: &TimeZone,
        places: &[CommunityId],
    ) -> Result<Listing, (usize, String)> {
        let skills: Vec<String> =
            self.value(2).split(',').map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty()).collect();
        if skills.is_empty() {
            return Err((2, "at least one skill, like `rust`".into()));
        }
        let format = match self.value(5).split_once(':') {
            None if self.value(5) == "online" => Format::Online,
            Some(("in-person", area)) if !area.trim().is_empty() => Format::InPerson { area: area.trim().into() },
            Some(("either", area)) if !area.trim().is_empty() => Format::Either { area: area.trim().into() },
            _ => return Err((5, "online, in-person:AREA or either:AREA".into())),
        };
        let windows = self
            .value(6)
            .split(',')
            .map(str::trim)
            .filter(|w| !w.is_empty())
            .map(|w| crate::market::Window::parse(w).map_err(|e| (6, e.reason)))
            .collect::<Result<Vec<_>, _>>()?;
        let placement = match self.selected(COMMUNITY_FIELD) {
            0 => None,
            i => places.get(i - 1).map(|community| Placement { community: *community, invitation: None }),
        };
        let listing = Listing {
            id: Id16::random().map_err(|e| (0, e.to_string()))?,
            version: 1,
            kind: if self.selected(0) == 0 { ListingKind::Offer } else { ListingKind::Request },
            title: self.value(1).to_owned(),
            skills,
            level: [Level::Any, Level::Beginner, Level::Intermediate, Level::Advanced][self.selected(3).min(3)],
            description: self.value(7).to_owned(),
            format,
            price: self.value(4).parse::<Price>().map_err(|e| (4, e.to_string()))?,
            availability: Availability { time_zone: tz.iana_name().unwrap_or("UTC").to_owned(), windows },
            expires_at: now.saturating_add(SignedDuration::from_hours(24 * 30)).unwrap_or(now),
            placement,
        };
        use crate::wire::Body as _;
        listing.validate().map_err(|e| {
            let field = match e.field {
                "title" => 1,
                "skills" => 2,
                "description" => 7,
                "price" => 4,
                "availability" => 6,
                _ => 5,
            };
            (field, e.to_string())
        })?;

        Ok(listing)
    }
}
