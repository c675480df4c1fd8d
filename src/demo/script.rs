//! One persona's behaviour, as a task beside its node. It wakes on the
//! node's events, on a clock nudge and once a second, looks at its store
//! and plans the next human-like step: answer a proposal after a delay,
//! chat back, start and complete due sessions, attest or review, approve
//! the record, and now and then propose a session itself. Errors are
//! logged and the script carries on; nothing here panics.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{broadcast, watch};
use tokio::time::Instant;

use super::DemoOptions;
use super::answer::answer;
use super::browse::{Budget, pick};
use super::persona::{Persona, fill};
use super::roll::{delay, roll};
use super::schedule::describe;
use crate::endorse::cosign::Attestation;
use crate::identity::PublicKey;
use crate::market::{Action, Id16, ListingRef, Negotiation, NegotiationId, Phase, Role};
use crate::node::record::Stage;
use crate::node::{Clock, Event, Node};

/// The script looks at its store at least this often.
const TICK: Duration = Duration::from_secs(1);
/// Between two demo peers, a due session is started or completed after this.
const DEMO_STEP: Duration = Duration::from_secs(2);
/// Newcomers' listings a persona answers at most, per run.
const NEWCOMER_PROPOSALS: u32 = 2;
/// Demo proposals at most on one newcomer's listing, from all personas.
const PROPOSALS_PER_NEWCOMER_LISTING: u32 = 2;
/// Chat replies a persona sends at most per session.
const CHAT_REPLIES: usize = 3;

/// A step the script means to take in one negotiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Step {
    Answer,
    Start,
    Complete,
    /// Attest (as teacher) or review (as learner) after the session.
    Wrap,
    /// Approve the record (a persona's script is its consent).
    Approve,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct Plan {
    negotiation: NegotiationId,
    seq: u32,
    step: Step,
}

/// Proposals made on newcomers' listings, counted across all personas so
/// a newcomer hears from a few of them, not from everyone at once.
pub(super) type Claims = Arc<std::sync::Mutex<HashMap<ListingRef, u32>>>;

pub(super) struct Script {
    persona: Persona,
    node: Arc<Node>,
    me: PublicKey,
    clock: Clock,
    demo: Arc<HashSet<PublicKey>>,
    /// How many personas proposed on each newcomer listing (shared by all).
    claims: Claims,
    options: DemoOptions,
    /// Steps waiting for their moment.
    plans: HashMap<Plan, Instant>,
    /// Steps taken (or tried): never taken twice.
    done: HashSet<Plan>,
    /// Negotiations with nothing left for this persona to do.
    finished: HashSet<NegotiationId>,
    /// Chat replies waiting: the message answered and when.
    chat_plans: HashMap<NegotiationId, (Id16, Instant)>,
    answered_chats: HashSet<Id16>,
    chat_replies: HashMap<NegotiationId, usize>,
    tried: HashSet<ListingRef>,
    proposed_among_demo: u32,
    proposed_to_newcomers: u32,
    next_browse: Instant,
}

impl Script {
    pub(super) fn new(
        persona: Persona,
        node: Arc<Node>,
        clock: Clock,
        demo: Arc<HashSet<PublicKey>>,
        claims: Claims,
        options: DemoOptions,
    ) -> Self {
        let me = node.id();
        let first =
            options.proposal_gap.mul_f64(0.5 + (roll(&[persona.slug.as_bytes(), b"first"]) % 100) as f64 / 100.0);
        Self {
            persona,
            node,
            me,
            clock,
            demo,
            claims,
            options,
            plans: HashMap::new(),
            done: HashSet::new(),
            finished: HashSet::new(),
            chat_plans: HashMap::new(),
            answered_chats: HashSet::new(),
            chat_replies: HashMap::new(),
            tried: HashSet::new(),
            proposed_among_demo: 0,
            proposed_to_newcomers: 0,
            next_browse: Instant::now() + first,
        }
    }

    pub(super) async fn run(mut self, mut stop: watch::Receiver<bool>, mut nudge: watch::Receiver<()>) {
        let mut events = self.node.subscribe();
        self.remember_the_past();
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let wake = self.next_wake();
            tokio::select! {
                _ = stop.changed() => break,
                changed = nudge.changed() => if changed.is_err() { break },
                event = events.recv() => match event {
                    Ok(event) => if !self.note(event) { continue },
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        tracing::debug!(persona = %self.persona.name, missed, "events lagged; rechecking chats");
                        self.recheck_all_chats();
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                },
                _ = tick.tick() => {}
                _ = tokio::time::sleep_until(wake) => {}
            }
            if *stop.borrow() {
                break;
            }
            self.reconcile().await;
        }
        tracing::debug!(persona = %self.persona.name, "script stopped");
    }

    /// What happened before this run: old chats are not answered again and
    /// listings already negotiated on are not proposed on again.
    fn remember_the_past(&mut self) {
        let store = self.node.store().clone();
        match store.negotiations() {
            Ok(negotiations) => {
                for n in negotiations {
                    self.tried.insert(n.listing);
                    if !self.demo.contains(&n.listing.author)
                        && let Ok(mut claims) = self.claims.lock()
                    {
                        *claims.entry(n.listing).or_insert(0) += 1;
                    }
                    match store.chat(&n.id) {
                        Ok(chat) => self.answered_chats.extend(chat.iter().map(|m| m.value().id)),
                        Err(e) => tracing::warn!(persona = %self.persona.name, "reading chat: {e}"),
                    }
                }
            }
            Err(e) => tracing::warn!(persona = %self.persona.name, "reading negotiations: {e}"),
        }
    }

    /// Takes note of an event; true when it may call for a step.
    fn note(&mut self, event: Event) -> bool {
        match event {
            Event::Chat(id) => {
                self.plan_chat_reply(id);
                true
            }
            Event::ListingUpdated { author, .. } => {
                if !self.demo.contains(&author) {
                    // A newcomer's listing: look at it soon, not at once.
                    let soon = Instant::now() + self.reply_delay(&[b"browse", author.as_bytes()]);
                    self.next_browse = self.next_browse.min(soon);
                }
                true
            }
            Event::NegotiationChanged(_) | Event::EndorsementStored(_) => true,
            _ => false,
        }
    }

    fn next_wake(&self) -> Instant {
        let far = Instant::now() + TICK;
        let plans = self.plans.values().chain(self.chat_plans.values().map(|(_, at)| at));
        plans.copied().chain(self.browsing().then_some(self.next_browse)).min().unwrap_or(far).min(far)
    }

    fn reply_delay(&self, what: &[&[u8]]) -> Duration {
        let mut parts: Vec<&[u8]> = vec![self.persona.slug.as_bytes()];
        parts.extend_from_slice(what);
        delay(self.persona.behaviour.reply_delay_secs, self.options.pace, roll(&parts))
    }

    /// Looks at every open negotiation, plans what is due and takes the
    /// steps whose moment has come.
    async fn reconcile(&mut self) {
        let negotiations = match self.node.store().negotiations() {
            Ok(negotiations) => negotiations,
            Err(e) => return tracing::warn!(persona = %self.persona.name, "reading negotiations: {e}"),
        };
        let now = Instant::now();
        let mut wanted = HashSet::new();
        for n in &negotiations {
            if self.finished.contains(&n.id) {
                continue;
            }
            let Some((step, wait)) = self.wanted_step(n) else { continue };
            let plan = Plan { negotiation: n.id, seq: n.seq, step };
            if !self.done.contains(&plan) {
                wanted.insert(plan);
                self.plans.entry(plan).or_insert(now + wait);
            }
        }
        self.plans.retain(|plan, _| wanted.contains(plan));
        let due: Vec<Plan> = self.plans.iter().filter(|(_, at)| **at <= now).map(|(plan, _)| *plan).collect();
        for plan in due {
            self.plans.remove(&plan);
            self.done.insert(plan);
            if let Some(n) = negotiations.iter().find(|n| n.id == plan.negotiation) {
                self.take(plan.step, n).await;
            }
        }
        self.chat_back(now).await;
        if self.browsing() && self.next_browse <= now {
            self.browse().await;
        }
    }

    /// What this persona should do next in `n`, and how long it waits first.
    fn wanted_step(&mut self, n: &Negotiation) -> Option<(Step, Duration)> {
        let role = n.role_of(&self.me)?;
        let other = n.party(role.other());
        let newcomer = !self.demo.contains(&other);
        // With a newcomer, the newcomer drives the session and the persona
        // steps in only after a grace; between personas, the teacher does.
        let drive =
            if newcomer { Some(self.options.newcomer_grace) } else { (role == Role::Teacher).then_some(DEMO_STEP) };
        let now = self.clock.now();
        let seq = n.seq.to_le_bytes();
        match &n.phase {
            Phase::Proposed { by, .. } | Phase::Rescheduling { by, .. } if *by != role => {
                Some((Step::Answer, self.reply_delay(&[&n.id.0, &seq])))
            }
            Phase::Agreed if n.agreed.as_ref().is_some_and(|t| t.start <= now) => drive.map(|d| (Step::Start, d)),
            Phase::InProgress { started_at } => {
                let minutes = n.agreed.as_ref().map_or(60, |t| t.duration_minutes);
                let end = started_at.saturating_add(jiff::SignedDuration::from_mins(minutes.into())).ok()?;
                (end <= now).then_some(drive).flatten().map(|d| (Step::Complete, d))
            }
            Phase::Completed { .. } => match self.node.cosign_progress(n).map(|p| p.stage) {
                Ok(Stage::Endorsed) => {
                    self.finished.insert(n.id);
                    None
                }
                Ok(Stage::GiveYourPart) => Some((Step::Wrap, self.reply_delay(&[&n.id.0, b"wrap"]))),
                Ok(Stage::Approve(_)) => Some((Step::Approve, self.reply_delay(&[&n.id.0, b"approve"]))),
                Ok(_) => None,
                Err(e) => {
                    tracing::warn!(persona = %self.persona.name, "reading co-signing state: {e}");
                    None
                }
            },
            phase if phase.is_closed() => {
                self.finished.insert(n.id);
                None
            }
            _ => None,
        }
    }

    async fn take(&mut self, step: Step, n: &Negotiation) {
        let name = self.persona.name.clone();
        let result = match step {
            Step::Answer => self.answer(n).await,
            Step::Start => self.node.act(n.id, Action::Start).await.map(drop),
            Step::Complete => self.node.act(n.id, Action::Complete).await.map(drop),
            Step::Wrap => self.wrap(n).await,
            Step::Approve => self.approve(n).await,
        };
        match result {
            Ok(()) => tracing::info!(persona = %name, negotiation = %n.id.short(), ?step, "took a step"),
            Err(e) => tracing::warn!(persona = %name, negotiation = %n.id.short(), ?step, "step failed: {e}"),
        }
    }

    async fn answer(&mut self, n: &Negotiation) -> Result<(), crate::node::NodeError> {
        let Some(terms) = n.current_terms() else { return Ok(()) };
        let mine = if n.listing.author == self.me { self.node.store().own_listing(&n.listing.id)? } else { None };
        let b = &self.persona.behaviour;
        let dice = roll(&[self.persona.slug.as_bytes(), &n.id.0, &n.seq.to_le_bytes()]);
        let mine = mine.as_ref().map(|l| &l.value().availability);
        let reply = answer(b, &self.persona.time_zone, n, terms, mine, self.clock.now(), dice);
        tracing::info!(persona = %self.persona.name, negotiation = %n.id.short(), answer = reply.action.name(), "answering");
        let declined = matches!(reply.action, Action::Decline { .. });
        match self.node.act(n.id, reply.action).await {
            // The learner is too far in time-credit debt for this persona.
            Err(crate::node::NodeError::BelowDebtLimit(refused)) if matches!(n.phase, Phase::Proposed { .. }) => {
                tracing::info!(persona = %self.persona.name, negotiation = %n.id.short(), "declining: {refused}");
                let reason = refused.to_learner();
                return self.node.act(n.id, Action::Decline { reason }).await.map(drop);
            }
            result => result?,
        };
        if declined {
            // The reason already says it.
            return Ok(());
        }
        self.node.chat(n.id, reply.line).await
    }

    async fn wrap(&mut self, n: &Negotiation) -> Result<(), crate::node::NodeError> {
        let b = &self.persona.behaviour;
        let topic = n.agreed.as_ref().map_or(n.skill.as_str(), |t| t.topic.as_str());
        if n.teacher == self.me {
            let attestation = Attestation {
                covered: fill(&b.covered, &n.skill, "", topic),
                showed: fill(&b.showed, &n.skill, "", topic),
            };
            self.node.attest(n.id, attestation).await
        } else {
            self.node.review(n.id, b.rating, fill(&b.review, &n.skill, "", topic)).await
        }
    }

    /// Signs the record waiting for this persona, as it reads now.
    async fn approve(&mut self, n: &Negotiation) -> Result<(), crate::node::NodeError> {
        match self.node.cosign_progress(n)?.stage {
            Stage::Approve(record) => self.node.approve(n.id, record.digest).await,
            _ => Ok(()),
        }
    }

    fn recheck_all_chats(&mut self) {
        if let Ok(negotiations) = self.node.store().negotiations() {
            for n in negotiations {
                self.plan_chat_reply(n.id);
            }
        }
    }

    /// Plans a reply when a newcomer's message is the last word.
    fn plan_chat_reply(&mut self, id: NegotiationId) {
        let Ok(Some(n)) = self.node.store().negotiation(&id) else { return };
        let Some(role) = n.role_of(&self.me) else { return };
        if self.demo.contains(&n.party(role.other()))
            || self.chat_replies.get(&id).copied().unwrap_or(0) >= CHAT_REPLIES
        {
            return;
        }
        let last = match self.node.store().chat(&id) {
            Ok(chat) => chat.into_iter().max_by_key(|m| m.timestamp()),
            Err(e) => return tracing::warn!(persona = %self.persona.name, "reading chat: {e}"),
        };
        let Some(last) = last else { return };
        let message = last.value().id;
        if last.author() == self.me || self.answered_chats.contains(&message) {
            return;
        }
        let at = Instant::now() + self.reply_delay(&[&message.0]);
        let entry = self.chat_plans.entry(id).or_insert((message, at));
        entry.0 = message;
    }

    async fn chat_back(&mut self, now: Instant) {
        let due: Vec<_> =
            self.chat_plans.iter().filter(|(_, (_, at))| *at <= now).map(|(id, (m, _))| (*id, *m)).collect();
        for (id, message) in due {
            self.chat_plans.remove(&id);
            self.answered_chats.insert(message);
            if self.spoke_last(&id) {
                continue;
            }
            // In character: as the teacher or the learner of this session,
            // and a question gets an answer, not "Sounds good!".
            let Ok(Some(n)) = self.node.store().negotiation(&id) else { continue };
            let Some(role) = n.role_of(&self.me) else { continue };
            let question = match self.node.store().chat(&id) {
                Ok(chat) => chat.iter().max_by_key(|m| m.timestamp()).is_some_and(|m| m.value().text.contains('?')),
                Err(_) => false,
            };
            let topic = n
                .current_terms()
                .map_or(n.skill.clone(), |t| if t.topic.trim().is_empty() { n.skill.clone() } else { t.topic.clone() });
            let count = self.chat_replies.entry(id).or_insert(0);
            let line = self.persona.behaviour.reply(role, question, *count, &topic);
            *count += 1;
            if let Err(e) = self.node.chat(id, line).await {
                tracing::warn!(persona = %self.persona.name, negotiation = %id.short(), "chat failed: {e}");
            }
        }
    }

    /// Whether this persona's message is the latest in the chat (say, the
    /// line sent with an answer): then there is nothing to reply to.
    fn spoke_last(&self, id: &NegotiationId) -> bool {
        match self.node.store().chat(id) {
            Ok(chat) => chat.iter().max_by_key(|m| m.timestamp()).is_some_and(|m| m.author() == self.me),
            Err(_) => false,
        }
    }

    fn budget(&self) -> Budget {
        Budget {
            among_demo: self.persona.behaviour.proposals.saturating_sub(self.proposed_among_demo),
            to_newcomers: NEWCOMER_PROPOSALS.saturating_sub(self.proposed_to_newcomers),
        }
    }

    fn browsing(&self) -> bool {
        let budget = self.budget();
        self.options.proposals && (budget.among_demo > 0 || budget.to_newcomers > 0)
    }

    /// Proposes a session on a listing worth it, if there is one.
    async fn browse(&mut self) {
        self.next_browse = Instant::now() + self.options.proposal_gap;
        let now = self.clock.now();
        let seen = match self.node.store().seen_listings(now) {
            Ok(seen) => seen,
            Err(e) => return tracing::warn!(persona = %self.persona.name, "reading listings: {e}"),
        };
        let demo = self.demo.clone();
        let choice = {
            let Ok(mut claims) = self.claims.lock() else { return };
            let mut skip = self.tried.clone();
            skip.extend(claims.iter().filter(|(_, n)| **n >= PROPOSALS_PER_NEWCOMER_LISTING).map(|(l, _)| *l));
            let choice = pick(&self.persona, self.me, |k| demo.contains(k), &seen, &skip, self.budget(), now);
            if let Some(choice) = &choice
                && !demo.contains(&choice.listing.author)
            {
                *claims.entry(choice.listing).or_insert(0) += 1;
            }
            choice
        };
        let Some(choice) = choice else { return };
        self.tried.insert(choice.listing);
        if demo.contains(&choice.listing.author) {
            self.proposed_among_demo += 1;
        } else {
            self.proposed_to_newcomers += 1;
        }
        let line = fill(
            &self.persona.behaviour.say_propose,
            &choice.skill,
            &describe(choice.terms.start, &self.persona.time_zone),
            &choice.terms.topic,
        );
        match self.node.propose(choice.listing, choice.terms).await {
            Ok(n) => {
                tracing::info!(persona = %self.persona.name, negotiation = %n.id.short(), skill = %n.skill, "proposed a session");
                if let Err(e) = self.node.chat(n.id, line).await {
                    tracing::warn!(persona = %self.persona.name, "chat failed: {e}");
                }
            }
            Err(e) => tracing::warn!(persona = %self.persona.name, "proposal failed: {e}"),
        }
    }
}
