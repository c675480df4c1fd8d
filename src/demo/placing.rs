//! Demo people take part in the demo's communities: each joins both, the
//! listings their persona file places in a community are published there
//! (as their next version), and a maintainer hides one that is off topic.
//! What cannot be done is logged and left out: the demo goes on.

use std::sync::Arc;
use std::time::Duration;

use super::Persona;
use super::communities::HIDDEN;
use crate::community::{CommunityId, HideNote, Target};
use crate::identity::PublicKey;
use crate::market::{ListingRef, Placement};
use crate::node::{Clock, Node};

/// How long the demo waits, in all, for its peers to get the charters of
/// the communities they joined (usually well under a second).
const CHARTER_WAIT: Duration = Duration::from_secs(15);

pub(super) async fn take_part(
    nodes: &[Arc<Node>],
    personas: &[Persona],
    founded: &[(CommunityId, String, PublicKey)],
    clock: &Clock,
) {
    for node in nodes {
        for (id, name, founder) in founded {
            if node.id() == *founder {
                continue;
            }
            if let Err(e) = node.join_via(*id, *founder).await {
                tracing::warn!(community = name, "a demo peer could not join: {e}");
            }
        }
    }
    let deadline = tokio::time::Instant::now() + CHARTER_WAIT;
    for (persona, node) in personas.iter().zip(nodes) {
        let Ok(listings) = persona.listings(clock.now()) else { continue };
        for (mut listing, wanted) in listings.into_iter().zip(&persona.listings) {
            let Some(community) = wanted.community.as_deref() else { continue };
            let Some((id, _, _)) = founded.iter().find(|(_, name, _)| name == community) else { continue };
            if !charter_held(node, id, deadline).await {
                tracing::warn!(community, "a demo peer never got the charter; its listing stays open");
                continue;
            }
            let held = node.store().own_listing(&listing.id).ok().flatten();
            if held.as_ref().is_some_and(|l| l.value().community() == Some(*id)) {
                continue;
            }
            listing.version = held.map_or(1, |l| l.value().version.saturating_add(1));
            listing.placement = Some(Placement { community: *id, invitation: None });
            if let Err(e) = node.publish_listing(listing).await {
                tracing::warn!(community, "a demo listing could not be placed: {e}");
            }
        }
    }
    hide_the_off_topic_one(nodes, personas, founded, clock).await;
}

/// Waits (until `deadline` at most) until `node` holds the charter of `id`.
async fn charter_held(node: &Node, id: &CommunityId, deadline: tokio::time::Instant) -> bool {
    let held = || node.store().charter(id).ok().flatten().is_some();
    tokio::time::timeout_at(deadline, async {
        while !held() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .is_ok()
}

async fn hide_the_off_topic_one(
    nodes: &[Arc<Node>],
    personas: &[Persona],
    founded: &[(CommunityId, String, PublicKey)],
    clock: &Clock,
) {
    let (title, maintainer, reason) = HIDDEN;
    let find = || -> Option<(Arc<Node>, ListingRef, CommunityId)> {
        let (author, persona) =
            nodes.iter().zip(personas).find(|(_, p)| p.listings.iter().any(|l| l.title == title))?;
        let index = persona.listings.iter().position(|l| l.title == title)?;
        let listing = persona.listings(clock.now()).ok()?.into_iter().nth(index)?;
        let community = persona.listings[index].community.as_deref()?;
        let (id, _, _) = founded.iter().find(|(_, name, _)| name == community)?;
        let hider = nodes.iter().zip(personas).find(|(_, p)| p.name == maintainer)?.0.clone();
        Some((hider, ListingRef { author: author.id(), id: listing.id }, *id))
    };
    let Some((hider, listing, community)) = find() else { return };
    let held = hider.store().hide_notes(&community).unwrap_or_default();
    if held.iter().any(|n| n.value().target == Target::Listing(listing)) {
        return;
    }
    let note = HideNote { community, target: Target::Listing(listing), hidden: true, reason: reason.to_owned() };
    if let Err(e) = hider.hide(note).await {
        tracing::warn!("the demo maintainer could not hide the off-topic listing: {e}");
    }
}
