//! The event loop: terminal events, node events, a once-a-second tick and
//! finished effects all become actions; each goes through `update`, and a
//! frame is drawn only when something changed. Effects run as tasks, the
//! store is read on a blocking thread, so no frame waits on either.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event as Term, EventStream,
    MouseEventKind,
};
use crossterm::execute;
use jiff::tz::TimeZone;
use n0_future::StreamExt;
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;

use super::{Keymap, Screen, Theme};
use crate::app::{Action, AppState, Effect, NetworkView, Snapshot, TrackRecord, update};
use crate::config::Config;
use crate::node::{Clock, Event, Node};

/// Moves the demo's clock on; returns what it skipped to, for the status line.
pub type FastForward = Arc<dyn Fn() -> String + Send + Sync>;

#[derive(Clone)]
pub struct Options {
    pub tz: TimeZone,
    pub clock: Clock,
    /// Where exported endorsements are written.
    pub export_dir: PathBuf,
    /// Set in the demo.
    pub fast_forward: Option<FastForward>,
    /// A first line for the status bar.
    pub greeting: Option<String>,
    /// The user's config.toml, where the profile is saved.
    pub config_file: PathBuf,
    /// No profile yet: open the welcome form first.
    pub first_run: bool,
    /// When the process started, for the first-frame figure in the log.
    pub launched: std::time::Instant,
    /// mDNS on the local network is on (shown on the Network tab).
    pub lan_discovery: bool,
}

/// Runs the client until the user quits, then shuts the node down.
pub async fn run(node: Node, config: &Config, options: Options) -> anyhow::Result<()> {
    let node = Arc::new(node);
    let me = node.id();
    let store = node.store().clone();
    let first = {
        let (store, now) = (store.clone(), options.clock.now());
        tokio::task::spawn_blocking(move || Snapshot::load(&store, me, now)).await??
    };
    let network = NetworkView {
        relays: node.relays(),
        lan_discovery: options.lan_discovery,
        neighbors: Default::default(),
        ticket: node.ticket().to_string(),
        communities: config.communities.clone(),
    };
    let mut state =
        AppState::new(first, network, options.clock.now(), options.tz.clone(), options.fast_forward.is_some());
    if let Some(greeting) = &options.greeting {
        state.say(greeting.clone());
    }
    if options.first_run {
        let zone = options.tz.iana_name().unwrap_or("UTC");
        let form = crate::app::Form::profile("", zone, &config.profile.languages, &config.communities, true);
        state.mode = crate::app::Mode::Form(Box::new(form));
    }
    let options = Arc::new(options);
    let keymap = Keymap::new(config.tui.keys.clone());
    let theme = Theme::new(config.tui.theme);

    let (actions, mut inbox) = mpsc::unbounded_channel::<Action>();
    let reload = Arc::new(Notify::new());
    let mut background = JoinSet::new();
    background.spawn(follow_node(node.subscribe(), actions.clone(), reload.clone()));
    background.spawn(reload_on_demand(store.clone(), me, options.clock.clone(), reload.clone(), actions.clone()));
    background.spawn(tick(options.clock.clone(), actions.clone()));

    let mut terminal = ratatui::try_init().context("agora needs a terminal (or use `agora serve` to run headless)")?;
    let _ = execute!(std::io::stdout(), EnableBracketedPaste);
    if config.tui.mouse {
        let _ = execute!(std::io::stdout(), EnableMouseCapture);
    }
    let mut terminal_events = EventStream::new();
    let mut effects = JoinSet::new();
    let mut first_frame = true;
    let result = loop {
        if state.dirty {
            state.dirty = false;
            if let Err(e) = terminal.draw(|frame| {
                frame.render_widget(&Screen { state: &state, keys: &keymap, theme: &theme }, frame.area())
            }) {
                break Err(e).context("drawing");
            }
            if first_frame {
                first_frame = false;
                let listings = state.snapshot.listings.len();
                tracing::info!(listings, "first frame {} ms after launch", options.launched.elapsed().as_millis());
            }
        }
        let action = tokio::select! {
            event = terminal_events.next() => match event {
                Some(Ok(event)) => match translate(event, &keymap, &state) {
                    Some(action) => action,
                    None => continue,
                },
                Some(Err(e)) => break Err(e).context("reading the terminal"),
                None => break Ok(()),
            },
            Some(action) = inbox.recv() => action,
            Some(_) = effects.join_next(), if !effects.is_empty() => continue,
        };
        let Some(effect) = update(&mut state, action) else { continue };
        if effect == Effect::Quit {
            break Ok(());
        }
        let (node, actions, reload) = (node.clone(), actions.clone(), reload.clone());
        let options = options.clone();
        effects.spawn(async move {
            let done = carry_out(effect, &node, &options, &actions).await;
            if let Some(done) = done {
                let _ = actions.send(Action::Done(done));
            }
            reload.notify_one();
        });
    };
    if config.tui.mouse {
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
    }
    let _ = execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
    effects.abort_all();
    background.abort_all();
    while effects.join_next().await.is_some() {}
    while background.join_next().await.is_some() {}
    match Arc::into_inner(node) {
        Some(node) => node.shutdown().await,
        None => tracing::warn!("the node was still in use at exit"),
    }
    result
}

fn translate(event: Term, keymap: &Keymap, state: &AppState) -> Option<Action> {
    match event {
        Term::Key(key) => keymap.action(key, &state.mode),
        Term::Paste(text) => Some(Action::Paste(text)),
        Term::Resize(..) => Some(Action::Resize),
        Term::Mouse(mouse) => match mouse.kind {
            MouseEventKind::ScrollUp => Some(Action::Up),
            MouseEventKind::ScrollDown => Some(Action::Down),
            MouseEventKind::Down(_) if mouse.row == 0 => {
                super::view::tab_at(mouse.column, state).map(|tab| Action::GoTab(tab.index() + 1))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Node events: status ones become actions; data ones ask for a reload.
async fn follow_node(
    mut events: tokio::sync::broadcast::Receiver<Event>,
    actions: mpsc::UnboundedSender<Action>,
    reload: Arc<Notify>,
) {
    loop {
        let action = match events.recv().await {
            Ok(Event::NeighborUp(peer)) => Action::NeighborUp(peer),
            Ok(Event::NeighborDown(peer)) => Action::NeighborDown(peer),
            Ok(Event::Relays(status)) => Action::Relays(status),
            Ok(Event::DeliveryRefused { reason, .. }) => Action::Done(Err(format!("a peer refused: {reason}"))),
            Ok(Event::EndorsementStored(_)) => {
                reload.notify_one();
                Action::Done(Ok("Endorsement signed by both and stored: see your portfolio".into()))
            }
            Ok(Event::Delivered(_) | Event::Rejected { .. }) => continue,
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                reload.notify_one();
                continue;
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        };
        if actions.send(action).is_err() {
            return;
        }
    }
}

/// Reads the store when asked, at most every 100 ms however often asked.
async fn reload_on_demand(
    store: Arc<crate::store::Store>,
    me: crate::identity::PublicKey,
    clock: Clock,
    reload: Arc<Notify>,
    actions: mpsc::UnboundedSender<Action>,
) {
    loop {
        reload.notified().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        let (store, now) = (store.clone(), clock.now());
        match tokio::task::spawn_blocking(move || Snapshot::load(&store, me, now)).await {
            Ok(Ok(snapshot)) => {
                if actions.send(Action::Loaded(Box::new(snapshot))).is_err() {
                    return;
                }
            }
            Ok(Err(e)) => tracing::warn!("reading the store: {e}"),
            Err(e) => tracing::warn!("reading the store: {e}"),
        }
    }
}

async fn tick(clock: Clock, actions: mpsc::UnboundedSender<Action>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        every.tick().await;
        if actions.send(Action::Tick(clock.now())).is_err() {
            return;
        }
    }
}

/// Does what the user asked; returns the status line's message.
async fn carry_out(
    effect: Effect,
    node: &Node,
    options: &Options,
    actions: &mpsc::UnboundedSender<Action>,
) -> Option<Result<String, String>> {
    let said = |r: Result<String, crate::node::NodeError>| Some(r.map_err(|e| e.to_string()));
    match effect {
        Effect::Quit => None,
        Effect::Publish(listing) => {
            let title = listing.title.clone();
            said(node.publish_listing(listing).await.map(|_| format!("Published “{title}”")))
        }
        Effect::Withdraw(id) => said(node.withdraw_listing(id).await.map(|_| "Withdrawn everywhere".into())),
        Effect::Pause(id) => {
            said(node.pause_listing(id).await.map(|_| "Paused: withdrawn everywhere, kept here".into()))
        }
        Effect::Resume(id) => said(node.resume_listing(id).await.map(|_| "Resumed: published again".into())),
        Effect::Propose(listing, terms) => {
            said(node.propose(listing, terms).await.map(|_| "Proposed: see Sessions for their answer".into()))
        }
        Effect::Act(id, step) => {
            let what = step_name(&step);
            said(node.act(id, step).await.map(|n| {
                let message = format!("{what}: the session is now {}", n.phase.name());
                let _ = actions.send(Action::Negotiation(Box::new(n)));
                message
            }))
        }
        Effect::Chat(id, text) => said(node.chat(id, text).await.map(|_| "Sent".into())),
        Effect::Review(id, rating, words) => {
            said(node.review(id, rating, words).await.map(|_| "Review signed; waiting for the teacher's part".into()))
        }
        Effect::Attest(id, attestation) => {
            said(node.attest(id, attestation).await.map(|_| "Attestation signed; the endorsement follows".into()))
        }
        Effect::Connect(ticket) => match ticket.parse() {
            Ok(ticket) => said(node.connect(ticket).await.map(|_| "Connecting; their listings follow".into())),
            Err(e) => Some(Err(format!("{e}"))),
        },
        Effect::Block(peer) => said(
            node.set_blocked(peer, true)
                .await
                .map(|n| format!("Blocked {}; {n} listing(s) removed", peer.fingerprint())),
        ),
        Effect::FetchTrackRecord(peer) => {
            let _ = actions.send(Action::TrackRecord(peer, track_record(node, peer).await));
            None
        }
        Effect::FetchTrackRecords(peers) => {
            // A few at a time, each verified here.
            use n0_future::BufferedStreamExt as _;
            let mut fetches = n0_future::stream::iter(peers)
                .map(|peer| async move { (peer, track_record(node, peer).await) })
                .buffered_unordered(8);
            while let Some((peer, record)) = fetches.next().await {
                let _ = actions.send(Action::TrackRecord(peer, record));
            }
            None
        }
        Effect::Export(id) => Some(export(node, &id, &options.export_dir)),
        Effect::Inspect(id) => {
            let lines = inspect(node, &id, options.clock.now());
            let _ = actions.send(Action::Inspected(id, lines));
            None
        }
        Effect::FastForward => options.fast_forward.as_ref().map(|f| Ok(f())),
        Effect::Onboard(onboarding) => Some(onboard(node, onboarding, options).await),
    }
}

/// Saves the profile to config.toml, announces it, and publishes a first
/// offer per skill to teach and a first request per skill to learn.
async fn onboard(node: &Node, onboarding: crate::app::Onboarding, options: &Options) -> Result<String, String> {
    let choice = &onboarding.choice;
    crate::config::save_profile(&options.config_file, choice).map_err(|e| e.to_string())?;
    let profile = crate::market::Profile {
        name: choice.name.clone(),
        bio: String::new(),
        languages: choice.languages.clone(),
        time_zone: choice.time_zone.clone(),
    };
    node.set_profile(profile).await.map_err(|e| e.to_string())?;
    let now = options.clock.now();
    let kinds = [
        (crate::market::ListingKind::Offer, &onboarding.teach),
        (crate::market::ListingKind::Request, &onboarding.learn),
    ];
    let mut published = 0;
    for (kind, skills) in kinds {
        for skill in skills {
            let listing = first_listing(kind, skill, &choice.time_zone, now).map_err(|e| e.to_string())?;
            node.publish_listing(listing).await.map_err(|e| e.to_string())?;
            published += 1;
        }
    }
    Ok(if published > 0 {
        format!("Welcome, {}! {published} listing(s) published; edit them under My listings", choice.name)
    } else {
        format!("Saved, {}", choice.name)
    })
}

fn first_listing(
    kind: crate::market::ListingKind,
    skill: &str,
    zone: &str,
    now: jiff::Timestamp,
) -> Result<crate::market::Listing, getrandom::Error> {
    use crate::market::{Availability, Format, Id16, Level, Listing, ListingKind, Price};
    let title = match kind {
        ListingKind::Offer => format!("I can teach {skill}"),
        ListingKind::Request => format!("I want to learn {skill}"),
    };
    Ok(Listing {
        id: Id16::random()?,
        version: 1,
        kind,
        title,
        skills: vec![skill.to_owned()],
        level: Level::Any,
        description: String::new(),
        format: Format::Online,
        price: Price::Free,
        availability: Availability { time_zone: zone.to_owned(), windows: vec![] },
        expires_at: now.saturating_add(jiff::SignedDuration::from_hours(24 * 30)).unwrap_or(now),
    })
}

fn step_name(step: &crate::market::Action) -> &'static str {
    use crate::market::Action as S;
    match step {
        S::Propose { .. } => "Proposed",
        S::Counter { .. } => "Countered",
        S::Accept => "Accepted",
        S::Decline { .. } => "Declined",
        S::Cancel { .. } => "Cancelled",
        S::Reschedule { .. } => "Asked to reschedule",
        S::Start => "Started",
        S::Complete => "Completed",
        S::ReportNoShow => "Reported a no-show",
    }
}

/// `peer`'s public endorsements, fetched and verified, as a track record.
async fn track_record(node: &Node, peer: crate::identity::PublicKey) -> Result<TrackRecord, String> {
    node.fetch_portfolio(peer)
        .await
        .map(|p| {
            let endorsements: Vec<_> = p.verified.iter().map(|e| e.endorsement().clone()).collect();
            TrackRecord::of(&peer, &endorsements, p.refused)
        })
        .map_err(|_| "not reachable right now".to_owned())
}

/// Each proof's verdict, then the whole record's, in words.
fn inspect(node: &Node, id: &str, now: jiff::Timestamp) -> Vec<(String, bool)> {
    let bytes = match node.store().endorsement_bytes(id) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return vec![("not in the store".into(), false)],
        Err(e) => return vec![(e.to_string(), false)],
    };
    let report = crate::endorse::inspect(&bytes, now);
    let mut lines: Vec<(String, bool)> = report
        .proofs
        .iter()
        .map(|p| {
            let who = match p.role {
                Some(crate::market::Role::Teacher) => "teacher",
                Some(crate::market::Role::Learner) => "learner",
                None => "stranger",
            };
            match &p.signature {
                Ok(()) => (format!("{who}'s proof ({}): valid", p.purpose), true),
                Err(e) => (format!("{who}'s proof ({}): {e}", p.purpose), false),
            }
        })
        .collect();
    for problem in &report.problems {
        lines.push((problem.to_string(), false));
    }
    lines.push(if report.is_valid() {
        ("VALID: signed by both, verified just now".into(), true)
    } else {
        ("NOT VALID".into(), false)
    });
    lines
}

fn export(node: &Node, id: &str, dir: &std::path::Path) -> Result<String, String> {
    let bytes = node.store().endorsement_bytes(id).map_err(|e| e.to_string())?.ok_or("no such endorsement")?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.json", crate::cli::short_id(id)));
    std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(format!("Wrote {} (check it with `agora verify`)", path.display()))
}
