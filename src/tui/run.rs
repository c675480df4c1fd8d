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
use crate::app::{Action, AppState, Effect, NetworkView, Snapshot, update};
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
    /// A hub's ticket to offer in the ask-a-hub form (the demo's library).
    pub hub_hint: Option<String>,
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
    state.trust.pinned = config.trust.pinned_keys();
    state.hub_hint = options.hub_hint.clone();
    state.explain_selected();
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
            let done = super::effects::carry_out(effect, &node, &options, &actions).await;
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
