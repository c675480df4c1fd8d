//! The debt limit, checked when this node, as the teacher, accepts a
//! session on a listing priced in time credits.
//!
//! The learner's balance is recomputed here from endorsements alone: those
//! this node holds that name the learner, plus the learner's public
//! portfolio fetched over the network (each entry verified on arrival),
//! counted once each. When the learner cannot be reached in time, what is
//! held here is used, and the log says so.
//!
//! Limits of this design, by construction: a learner can mark endorsements
//! of sessions they learned in as private, so that their portfolio looks
//! richer than it is; those this teacher's own store holds (sessions with
//! this teacher) still count. And only completed, co-signed sessions
//! count: sessions a learner has agreed elsewhere but not yet held do not.

use std::sync::Arc;
use std::time::Duration;

use super::{Clock, NodeError, shell};
use crate::endorse::Endorsement;
use crate::endorse::timebank::{DebtLimit, Timebank};
use crate::identity::PublicKey;
use crate::market::{Negotiation, NegotiationId, Price, Role};
use crate::store::Store;

/// How long an accept waits for the learner's portfolio before it settles
/// for the endorsements held here.
const PORTFOLIO_WAIT: Duration = Duration::from_secs(5);

/// What the check needs, cheap to clone: the client, the control socket
/// and scripts all accept through it.
#[derive(Clone)]
pub(crate) struct DebtCheck {
    pub id: PublicKey,
    pub store: Arc<Store>,
    pub clock: Clock,
    pub limit: Option<DebtLimit>,
    pub pool: Arc<shell::pool::Pool>,
}

impl DebtCheck {
    /// Refuses (with [`NodeError::BelowDebtLimit`]) an accept that would take
    /// the learner below this teacher's debt limit; passes everything else
    /// on to the negotiation itself, which has the last word on turns.
    pub(super) async fn check(&self, id: &NegotiationId) -> Result<(), NodeError> {
        let Some(limit) = self.limit else { return Ok(()) };
        let Some(negotiation) = self.store.negotiation(id)? else { return Ok(()) };
        if negotiation.teacher != self.id || negotiation.awaiting() != Some(Role::Teacher) {
            return Ok(());
        }
        let Some(terms) = negotiation.current_terms() else { return Ok(()) };
        if !matches!(terms.price, Price::Credits { .. }) && !self.listing_priced_in_credits(&negotiation)? {
            return Ok(());
        }
        let learner = negotiation.learner;
        let endorsements = self.endorsements_naming(learner).await?;
        let bank = Timebank::of(&learner, &endorsements);
        let name = self.display_name(&learner, &endorsements)?;
        let balance = bank.balance_minutes();
        tracing::info!(learner = %learner.fingerprint(), balance, sessions = bank.sessions, "time-credit check");
        limit.check(&name, balance, i64::from(terms.duration_minutes))?;
        Ok(())
    }

    /// Whether the listing the negotiation is about asks for credits, when
    /// it is still known here (own, paused, or seen in the directory).
    fn listing_priced_in_credits(&self, negotiation: &Negotiation) -> Result<bool, NodeError> {
        let wanted = &negotiation.listing;
        let listing = if wanted.author == self.id {
            match self.store.own_listing(&wanted.id)? {
                Some(own) => Some(own),
                None => self.store.paused_listings()?.into_iter().find(|l| l.value().id == wanted.id),
            }
        } else {
            self.store
                .seen_listings(self.clock.now())?
                .into_iter()
                .find(|l| l.author() == wanted.author && l.value().id == wanted.id)
        };
        Ok(listing.is_some_and(|l| matches!(l.value().price, Price::Credits { .. })))
    }

    /// The endorsements held here that name `person`, and those `person`
    /// presents, verified (duplicates are fine: the timebank counts ids once).
    async fn endorsements_naming(&self, person: PublicKey) -> Result<Vec<Endorsement>, NodeError> {
        let mut all = Vec::new();
        for id in self.store.endorsements_with(&person)? {
            all.extend(self.store.endorsement_summary(&id)?);
        }
        let fetch = shell::portfolio::fetch(&self.pool, person, self.clock.now());
        match tokio::time::timeout(PORTFOLIO_WAIT, fetch).await {
            Ok(Ok(portfolio)) => {
                if portfolio.refused > 0 {
                    tracing::info!(peer = %person.fingerprint(), refused = portfolio.refused, "portfolio entries refused");
                }
                all.extend(portfolio.verified.iter().map(|v| v.endorsement().clone()));
            }
            Ok(Err(e)) => tracing::warn!(
                peer = %person.fingerprint(),
                "learner's portfolio unavailable ({e}); counting only the {} endorsements held here",
                all.len()
            ),
            Err(_) => tracing::warn!(
                peer = %person.fingerprint(),
                "learner's portfolio did not arrive within {PORTFOLIO_WAIT:?}; counting only the {} endorsements held here",
                all.len()
            ),
        }
        Ok(all)
    }

    /// The name `person` gave in their signed profile, else the one in their
    /// latest endorsement, else their fingerprint.
    fn display_name(&self, person: &PublicKey, endorsements: &[Endorsement]) -> Result<String, NodeError> {
        if let Some(peer) = self.store.peer(person)?.filter(|p| !p.name.is_empty()) {
            return Ok(peer.name);
        }
        let latest = endorsements
            .iter()
            .filter_map(|e| {
                let party = if e.teacher.key == *person { &e.teacher } else { &e.learner };
                (party.key == *person).then_some((e.end, &e.id, &party.name))
            })
            .max();
        Ok(latest.map_or_else(|| person.fingerprint(), |(_, _, name)| name.clone()))
    }
}
