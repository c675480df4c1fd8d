//! `agora` with no command: the terminal client on this home's node; with
//! `--demo`, beside a living demo marketplace of invented peers.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use super::Context;
use crate::demo::{Demo, MomentKind, NoSkip};
use crate::market::Profile;
use crate::node::{Clock, Node, NodeConfig};
use crate::tui::Options;

pub fn run(ctx: &Context, demo: bool, launched: std::time::Instant) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal as _;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!("agora's screen needs a terminal; to run without one use `agora serve` (see `agora --help`)");
    }
    let config = ctx.config()?;
    let identity = ctx.identity()?;
    let store = Arc::new(ctx.store()?);
    let mut node_config = NodeConfig::from_config(&config)?;
    if demo {
        // Loopback only: the demo never touches the network.
        node_config.net = crate::net::NetOptions::loopback();
        node_config.communities = vec![crate::demo::DEMO_COMMUNITY.to_owned()];
    }
    let zone = ctx.time_zone(&config);
    if !config.profile.name.is_empty() {
        node_config.profile = Some(Profile {
            name: config.profile.name.clone(),
            bio: config.profile.bio.clone(),
            languages: config.profile.languages.clone(),
            time_zone: zone.clone(),
        });
    }
    let first_run = config.profile.name.is_empty() && store.profile()?.is_none();
    let mut options = Options {
        tz: jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC),
        clock: node_config.clock.clone(),
        export_dir: ctx.home.data_dir().join("exports"),
        fast_forward: None,
        greeting: None,
        config_file: ctx.home.config_file(),
        first_run,
        launched,
        lan_discovery: node_config.net.lan_discovery,
        hub_hint: None,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async {
        let demo = if demo {
            let demo = Demo::start(&ctx.home.data_dir().join("demo"), Clock::default()).await?;
            node_config.clock = demo.clock();
            node_config.bootstrap = demo.tickets();
            options.clock = demo.clock();
            options.greeting = Some(format!(
                "Demo: {} invented people on this machine. Propose on a listing; {} skips ahead to your session",
                demo.peers().len(),
                crate::tui::label(&config.tui.keys.fast_forward)
            ));
            Some(Arc::new(demo))
        } else {
            None
        };
        // The demo is loopback only and needs no port of its own.
        let node = if demo.is_some() {
            Node::spawn(identity, store, node_config).await?
        } else {
            super::port::spawn(ctx, identity, store, node_config).await?
        };
        #[cfg(unix)]
        let _control = node.listen_locally(&ctx.home.control_socket())?;
        if let Some(demo) = &demo {
            demo.welcome_to_communities(&node).await;
            options.hub_hint = demo.hub_ticket().map(|t| t.to_string());
        }
        if let Some(demo) = &demo {
            let (demo, store) = (demo.clone(), node.store().clone());
            options.fast_forward = Some(Arc::new(move || match demo.fast_forward_for(&store) {
                Ok(skipped) => format!(
                    "Skipped {} ahead: your {} session may {} now",
                    crate::app::human_duration(skipped.by),
                    skipped.to.skill,
                    if skipped.to.kind == MomentKind::SessionStart { "start" } else { "be completed" }
                ),
                Err(NoSkip::NothingAhead) => {
                    "Nothing to skip to: agree on a session first (or start the one that is due)".into()
                }
                Err(NoSkip::PastToday(_)) => "The demo runs a month behind today and never skips past today \
                    (what it signs would be dated in the future): agree on an earlier time"
                    .into(),
            }));
        }
        let result = crate::tui::run(node, &config, options).await;
        if let Some(demo) = demo.and_then(Arc::into_inner) {
            demo.shutdown().await;
        }
        result
    })?;
    Ok(ExitCode::SUCCESS)
}
