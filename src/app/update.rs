//! The one place the client's state changes: `update(state, action)`
//! returns at most one [`Effect`] for the runtime to carry out.

use super::state::{Mode, SessionGroup, Tab};
use super::{Action, AppState, Effect, Form, FormKind};
use crate::endorse::consent::RecordDigest;
use crate::market::{Action as Step, ListingRef, Phase, Role};
use crate::node::record::Stage;

const PAGE: usize = 10;
/// More than the help ever has lines; drawing clamps to what fits.
const HELP_LINES: u16 = 60;

pub fn update(state: &mut AppState, action: Action) -> Option<Effect> {
    // What is selected now is what stays selected if the lists re-sort.
    state.remember_selection();
    let effect = match step(state, action) {
        Some(Effect::FetchTrackRecord(author)) => Some(with_circle(state, author)),
        other => other,
    };
    // Off the drawing path: trust follows new endorsements and pins.
    state.explain_selected();
    effect
}

/// Fetching an author's record also fetches, once, the portfolios of the
/// viewer's circle (counterparts and pinned peers): their sessions are the
/// first hops of every path that explains a score.
fn with_circle(state: &mut AppState, author: crate::identity::PublicKey) -> Effect {
    let me = state.me();
    let mut wanted = vec![author];
    let circle = state.snapshot.endorsements.iter().flat_map(|e| [e.teacher.key, e.learner.key]);
    for peer in circle.chain(state.trust.pinned.iter().copied()) {
        if peer != me && !wanted.contains(&peer) && !state.track_records.contains_key(&peer) && wanted.len() < 32 {
            wanted.push(peer);
            state.track_records.insert(peer, Err("fetching…".into()));
        }
    }
    if wanted.len() == 1 { Effect::FetchTrackRecord(author) } else { Effect::FetchTrackRecords(wanted) }
}

fn step(state: &mut AppState, action: Action) -> Option<Effect> {
    state.dirty = true;
    match action {
        Action::Loaded(snapshot) => {
            let mut snapshot = *snapshot;
            // A profile just saved may not be in the store this snapshot
            // was read from; a profile is never taken away.
            if snapshot.profile.is_none() {
                snapshot.profile = state.snapshot.profile.take();
            }
            state.snapshot = snapshot;
            state.refilter();
            return None;
        }
        Action::Negotiation(negotiation) => {
            let me = state.me();
            let completed = matches!(negotiation.phase, Phase::Completed { .. });
            let (id, role) = (negotiation.id, negotiation.role_of(&me));
            if let Some(item) = state.snapshot.sessions.iter_mut().find(|s| s.negotiation.id == negotiation.id) {
                item.negotiation = *negotiation;
                state.refilter();
            }
            // Completing a session leads straight to endorsing it.
            if completed && state.mode == Mode::Normal {
                let form = if role == Some(Role::Learner) { Form::review(id) } else { Form::attest(id) };
                state.mode = Mode::Form(Box::new(form));
            }
            return None;
        }
        Action::Inspected(id, lines) => {
            state.inspections.insert(id, lines);
            return None;
        }
        Action::TrackRecord(peer, record) => {
            state.track_records.insert(peer, record);
            if state.filter.min_rating.is_some() {
                state.refilter();
            }
            return None;
        }
        Action::NeighborUp(peer) => {
            state.network.neighbors.insert(peer);
            return None;
        }
        Action::NeighborDown(peer) => {
            state.network.neighbors.remove(&peer);
            return None;
        }
        Action::Relays(status) => {
            state.network.relays = status;
            return None;
        }
        Action::Done(Ok(message)) => {
            state.say(message);
            return None;
        }
        Action::Done(Err(message)) => {
            state.warn(message);
            return None;
        }
        Action::Tick(now) => {
            // Only a new minute changes what is on screen.
            state.dirty = now.as_second() / 60 != state.now.as_second() / 60;
            state.now = now;
            if state.dirty {
                state.refilter();
            }
            return None;
        }
        Action::Resize => return None,
        Action::Quit => {
            state.quit = true;
            return Some(Effect::Quit);
        }
        _ => {}
    }
    match state.mode.clone() {
        // Arrows scroll the keys; any other key closes them.
        Mode::Help(scroll) => {
            state.mode = match action {
                Action::Up => Mode::Help(scroll.saturating_sub(1)),
                Action::Down => Mode::Help(scroll.saturating_add(1).min(HELP_LINES)),
                Action::PageUp => Mode::Help(scroll.saturating_sub(PAGE as u16)),
                Action::PageDown => Mode::Help(scroll.saturating_add(PAGE as u16).min(HELP_LINES)),
                _ => Mode::Normal,
            };
            None
        }
        Mode::Search => search(state, action),
        Mode::Form(form) => form_input(state, *form, action),
        Mode::Confirm(confirm) => confirm_input(state, *confirm, action),
        Mode::Normal => normal(state, action),
    }
}

/// Yes runs the effect; no (or escape) asks nothing; arrows scroll.
fn confirm_input(state: &mut AppState, mut confirm: super::Confirm, action: Action) -> Option<Effect> {
    match action {
        Action::Open | Action::Input('y' | 'Y') => {
            state.mode = Mode::Normal;
            return Some(confirm.effect);
        }
        Action::Back | Action::Input('n' | 'N') => state.mode = Mode::Normal,
        Action::Up => confirm.scroll = confirm.scroll.saturating_sub(1),
        Action::Down => confirm.scroll = confirm.scroll.saturating_add(1).min(confirm.max_scroll()),
        Action::PageUp => confirm.scroll = confirm.scroll.saturating_sub(PAGE as u16),
        Action::PageDown => confirm.scroll = confirm.scroll.saturating_add(PAGE as u16).min(confirm.max_scroll()),
        _ => {}
    }
    if matches!(state.mode, Mode::Confirm(_)) {
        state.mode = Mode::Confirm(Box::new(confirm));
    }
    None
}

fn search(state: &mut AppState, action: Action) -> Option<Effect> {
    match action {
        Action::Input(c) if state.filter.query.chars().count() < 200 => state.filter.query.push(c),
        Action::Paste(text) => {
            let room = 200usize.saturating_sub(state.filter.query.chars().count());
            state.filter.query.extend(text.chars().filter(|c| !c.is_control()).take(room));
        }
        Action::Backspace => {
            state.filter.query.pop();
        }
        Action::Back => {
            state.filter.query.clear();
            state.mode = Mode::Normal;
        }
        Action::Open => state.mode = Mode::Normal,
        Action::Up | Action::Down => return normal(state, action),
        _ => return None,
    }
    state.selected[Tab::Discover.index()] = 0;
    state.refilter();
    fetch_for_selection(state)
}

fn form_input(state: &mut AppState, mut form: Form, action: Action) -> Option<Effect> {
    match action {
        Action::Input(c) => form.type_char(c),
        Action::Paste(text) => form.paste(&text),
        Action::Backspace => form.backspace(),
        Action::NextField | Action::Down => form.next_field(),
        Action::PrevField | Action::Up => form.prev_field(),
        Action::ChoiceLeft => form.shift_choice(false, &state.tz),
        Action::ChoiceRight => form.shift_choice(true, &state.tz),
        Action::PageUp => form.shift_time(jiff::SignedDuration::from_hours(-24), &state.tz),
        Action::PageDown => form.shift_time(jiff::SignedDuration::from_hours(24), &state.tz),
        Action::Back => {
            state.mode = Mode::Normal;
            return None;
        }
        Action::Open => {
            let effect = form.submit(state.now, &state.tz);
            if effect.is_some() {
                state.mode = Mode::Normal;
                state.notice = None;
                // The name is known at once (the store follows), so the
                // next proposal does not ask for it again.
                if let Some(Effect::Onboard(onboarding)) = &effect {
                    state.snapshot.profile = Some(onboarding.profile());
                }
                return effect;
            }
        }
        _ => {}
    }
    state.mode = Mode::Form(Box::new(form));
    None
}

fn normal(state: &mut AppState, action: Action) -> Option<Effect> {
    let tab = state.tab;
    let rows = state.rows(tab);
    let selected = &mut state.selected[tab.index()];
    let before = *selected;
    match action {
        Action::NextTab => state.tab = Tab::ALL[(tab.index() + 1) % Tab::ALL.len()],
        Action::PrevTab => state.tab = Tab::ALL[(tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()],
        Action::GoTab(n) if (1..=Tab::ALL.len()).contains(&n) => state.tab = Tab::ALL[n - 1],
        Action::Up => *selected = selected.saturating_sub(1),
        Action::Down => *selected = (*selected + 1).min(rows.saturating_sub(1)),
        // The community page is long and the list short: pages scroll it.
        Action::PageUp if tab == Tab::Communities => state.page_scroll = state.page_scroll.saturating_sub(PAGE as u16),
        Action::PageDown if tab == Tab::Communities => {
            state.page_scroll = state.page_scroll.saturating_add(PAGE as u16).min(500)
        }
        Action::PageUp => *selected = selected.saturating_sub(PAGE),
        Action::PageDown => *selected = (*selected + PAGE).min(rows.saturating_sub(1)),
        Action::Top => *selected = 0,
        Action::Bottom => *selected = rows.saturating_sub(1),
        Action::Help => state.mode = Mode::Help(0),
        Action::Back => {
            state.notice = None;
            if tab == Tab::Discover && !state.filter.query.is_empty() {
                state.filter.query.clear();
                state.refilter();
            }
        }
        Action::FastForward if state.demo => return Some(Effect::FastForward),
        // On Communities, a ticket is a community's.
        Action::Connect if tab == Tab::Communities => state.mode = Mode::Form(Box::new(Form::join_community())),
        Action::Connect => state.mode = Mode::Form(Box::new(Form::connect())),
        _ => {
            return match tab {
                Tab::Discover => discover(state, action),
                Tab::Sessions => sessions(state, action),
                Tab::Listings => listings(state, action),
                Tab::Portfolio => portfolio(state, action),
                Tab::Network => network(state, action),
                Tab::Communities => communities(state, action),
            };
        }
    }
    if state.tab != tab || state.selected[tab.index()] != before {
        state.page_scroll = 0;
        return fetch_for_selection(state);
    }
    None
}

/// On Discover, the selected author's track record is fetched once; on
/// Portfolio, the selected endorsement is verified again once.
fn fetch_for_selection(state: &mut AppState) -> Option<Effect> {
    if state.tab == Tab::Portfolio {
        let id = state.snapshot.endorsements.get(state.selected[Tab::Portfolio.index()])?.id.clone();
        if state.inspections.contains_key(&id) {
            return None;
        }
        state.inspections.insert(id.clone(), vec![("verifying…".into(), true)]);
        return Some(Effect::Inspect(id));
    }
    if state.tab != Tab::Discover {
        return None;
    }
    let author = state.selected_listing()?.author;
    if state.track_records.contains_key(&author) {
        return None;
    }
    state.track_records.insert(author, Err("fetching…".into()));
    Some(Effect::FetchTrackRecord(author))
}

fn discover(state: &mut AppState, action: Action) -> Option<Effect> {
    match action {
        Action::Search => state.mode = Mode::Search,
        Action::CycleKind => {
            state.filter.kind = state.filter.kind.next();
            state.refilter();
        }
        Action::CyclePrice => {
            state.filter.price = state.filter.price.next();
            state.refilter();
        }
        Action::CycleLanguage => {
            let languages = state.snapshot.languages();
            let next = match &state.filter.language {
                None => languages.first().cloned(),
                Some(current) => languages.iter().skip_while(|l| *l != current).nth(1).cloned(),
            };
            state.filter.language = next;
            state.refilter();
        }
        Action::CycleRating => {
            state.filter.min_rating = super::next_min_rating(state.filter.min_rating);
            state.refilter();
            if state.filter.min_rating.is_some() {
                // Fetch the records not known yet, at most 200 authors.
                let mut wanted: Vec<_> = state.snapshot.listings.iter().map(|l| l.author).collect();
                wanted.sort();
                wanted.dedup();
                wanted.retain(|a| !state.track_records.contains_key(a));
                wanted.truncate(200);
                for author in &wanted {
                    state.track_records.insert(*author, Err("fetching…".into()));
                }
                if !wanted.is_empty() {
                    return Some(Effect::FetchTrackRecords(wanted));
                }
            }
        }
        Action::ToggleOverlap => {
            if state.filter.overlapping.take().is_none() {
                let mine: Vec<(u32, u32)> =
                    state.snapshot.own.iter().flat_map(|l| l.availability.utc_week_minutes(state.now)).collect();
                if mine.is_empty() {
                    state.warn("Add weekly times to one of your listings first (My listings, e)");
                    return None;
                }
                state.filter.overlapping = Some(mine);
                state.filter.at = Some(state.now);
            }
            state.refilter();
        }
        Action::CycleLevel => {
            state.filter.level = super::next_level(state.filter.level);
            state.refilter();
        }
        Action::CyclePlace => {
            let joined: Vec<_> = state.snapshot.places().into_iter().map(|(id, _)| id).collect();
            state.filter.place = state.filter.place.next(&joined);
            state.refilter();
        }
        Action::ToggleHidden => {
            state.filter.show_hidden = !state.filter.show_hidden;
            state.refilter();
        }
        Action::Open | Action::Propose => {
            if ask_name_first(state) {
                return None;
            }
            let item = state.selected_listing()?;
            let listing = ListingRef { author: item.author, id: item.listing.id };
            let fit = super::Fit::of(&state.snapshot, &listing, None);
            let form = Form::propose(listing, &item.listing.title, &item.listing.price, fit, state.now, &state.tz);
            state.mode = Mode::Form(Box::new(form));
        }
        Action::Block => {
            let item = state.selected_listing()?;
            let (author, name) = (item.author, item.author_name.clone());
            let theirs = state.snapshot.listings.iter().filter(|l| l.author == author).count();
            state.mode = Mode::Confirm(Box::new(super::Confirm::block(author, &name, theirs)));
        }
        Action::Pin => {
            let author = state.selected_listing()?.author;
            return Some(Effect::Pin(author, state.trust.toggle_pin(author)));
        }
        _ => {}
    }
    None
}

fn sessions(state: &mut AppState, action: Action) -> Option<Effect> {
    let me = state.me();
    // A copy: the state changes below (a form, a question, a notice).
    let item = state.selected_session()?.clone();
    let n = &item.negotiation;
    let id = n.id;
    let my_move = n.awaiting().is_some() && n.awaiting() == n.role_of(&me);
    let group = SessionGroup::of(&item, &me, state.now);
    let learner = n.role_of(&me) == Some(Role::Learner);
    let to_approve = item.to_approve().map(|r| r.digest);
    let form = match action {
        // The record shown in the detail pane is the one signed: the
        // approval carries its digest, so a record that changed (or a
        // selection that moved) signs nothing it was not shown.
        Action::Accept if to_approve.is_some() => {
            if ask_name_first(state) {
                return None;
            }
            let record = item.to_approve()?;
            state.mode = Mode::Confirm(Box::new(super::Confirm::sign(id, record, &state.tz)));
            return None;
        }
        Action::Accept if my_move => return Some(Effect::Act(id, Step::Accept)),
        Action::Accept => return not_now(state, "it is not your move"),
        Action::Decline if learner && to_approve.is_some() => {
            Form::reason(FormKind::DeclineRecord(id, to_approve.unwrap_or(RecordDigest([0; 32]))))
        }
        Action::Decline if my_move => Form::reason(FormKind::Decline(id)),
        Action::Counter => match (&n.phase, n.current_terms()) {
            (Phase::Proposed { .. }, Some(terms)) if my_move => Form::counter(id, terms, &state.tz, false),
            (Phase::Agreed, Some(terms)) => Form::counter(id, terms, &state.tz, true),
            _ => return not_now(state, "nothing to counter right now"),
        },
        Action::Cancel if matches!(n.phase, Phase::Agreed | Phase::Rescheduling { .. }) => {
            Form::reason(FormKind::Cancel(id))
        }
        Action::Start if matches!(n.phase, Phase::Agreed) => return Some(Effect::Act(id, Step::Start)),
        Action::Complete if matches!(n.phase, Phase::InProgress { .. }) => {
            return Some(Effect::Act(id, Step::Complete));
        }
        Action::Chat => Form::chat(id),
        // One's own part; the teacher may revise theirs until they sign.
        Action::Endorse | Action::Open if group == SessionGroup::ToEndorse && ask_name_first(state) => return None,
        Action::Endorse | Action::Open if group == SessionGroup::ToEndorse => match item.stage() {
            Some(Stage::Approve(_)) if learner => {
                return not_now(state, "read the record: a signs it, x declines it with a reason");
            }
            _ if learner => Form::review(id),
            _ => Form::attest(id),
        },
        Action::Endorse if matches!(n.phase, Phase::Completed { .. }) => {
            return not_now(state, "your part is given; the record comes next");
        }
        Action::Endorse => return not_now(state, "endorsing comes once the session is completed"),
        Action::Open => Form::chat(id),
        _ => return None,
    };
    state.mode = Mode::Form(Box::new(form));
    None
}

/// Before the first proposal or endorsement: the name it will carry. With
/// no name chosen yet, opens the profile form and says why (signing as the
/// fingerprint stays possible, by typing it as the name); returns whether
/// it did.
fn ask_name_first(state: &mut AppState) -> bool {
    if state.snapshot.profile.as_ref().is_some_and(|p| !p.name.trim().is_empty()) {
        return false;
    }
    let zone = state.tz.iana_name().unwrap_or("UTC").to_owned();
    let mut form = Form::profile("", &zone, &[], &state.network.communities, false);
    form.title = "First, the name you sign with".into();
    state.mode = Mode::Form(Box::new(form));
    let fingerprint = state.me().fingerprint();
    state.say(format!(
        "Your name goes into your proposals and every endorsement you sign; type {fingerprint} to sign as your fingerprint"
    ));
    true
}

fn not_now(state: &mut AppState, why: &str) -> Option<Effect> {
    state.warn(why);
    None
}

fn listings(state: &mut AppState, action: Action) -> Option<Effect> {
    match action {
        Action::New => state.mode = Mode::Form(Box::new(Form::new_listing(&state.snapshot.places()))),
        Action::Edit | Action::Open => match state.selected_own()? {
            (listing, false) => {
                state.mode = Mode::Form(Box::new(Form::edit_listing(listing, &state.snapshot.places())))
            }
            (_, true) => return not_now(state, "resume it first, then edit"),
        },
        Action::Pause => {
            return Some(match state.selected_own()? {
                (listing, false) => Effect::Pause(listing.id),
                (listing, true) => Effect::Resume(listing.id),
            });
        }
        Action::Delete => return Some(Effect::Withdraw(state.selected_own()?.0.id)),
        _ => {}
    }
    None
}

fn portfolio(state: &mut AppState, action: Action) -> Option<Effect> {
    match action {
        Action::Export | Action::Open => {
            let e = state.snapshot.endorsements.get(state.selected[Tab::Portfolio.index()])?;
            Some(Effect::Export(e.id.clone()))
        }
        Action::New => {
            state.mode = Mode::Form(Box::new(Form::present()));
            None
        }
        _ => None,
    }
}

fn communities(state: &mut AppState, action: Action) -> Option<Effect> {
    match action {
        Action::New => {
            state.mode = Mode::Form(Box::new(Form::new_community()));
            None
        }
        Action::Join => {
            let community = state.snapshot.communities.get(state.selected[Tab::Communities.index()])?;
            Some(Effect::SetJoined(community.id, !community.joined))
        }
        Action::AskHub => {
            let community = state.snapshot.communities.get(state.selected[Tab::Communities.index()])?;
            let goal = community.goals.first().map(|g| g.skill.clone()).unwrap_or_default();
            let form = Form::ask_hub(community.id, &goal, state.hub_hint.as_deref().unwrap_or(""));
            state.mode = Mode::Form(Box::new(form));
            None
        }
        _ => None,
    }
}

fn network(state: &mut AppState, action: Action) -> Option<Effect> {
    match action {
        // Blocking asks first; on someone blocked already, it unblocks.
        Action::Block => {
            let peer = state.snapshot.peers.get(state.selected[Tab::Network.index()])?;
            if peer.blocked {
                return Some(Effect::Unblock(peer.key));
            }
            let (key, name) = (peer.key, peer.name.clone());
            let theirs = state.snapshot.listings.iter().filter(|l| l.author == key).count();
            state.mode = Mode::Confirm(Box::new(super::Confirm::block(key, &name, theirs)));
            None
        }
        Action::Pin => {
            let peer = state.snapshot.peers.get(state.selected[Tab::Network.index()])?.key;
            Some(Effect::Pin(peer, state.trust.toggle_pin(peer)))
        }
        Action::New => {
            state.mode = Mode::Form(Box::new(Form::connect()));
            None
        }
        Action::Edit => {
            let (name, languages) = match &state.snapshot.profile {
                Some(p) => (p.name.clone(), p.languages.clone()),
                None => (String::new(), Vec::new()),
            };
            let zone = state.tz.iana_name().unwrap_or("UTC").to_owned();
            let form = Form::profile(&name, &zone, &languages, &state.network.communities, false);
            state.mode = Mode::Form(Box::new(form));
            None
        }
        _ => None,
    }
}
