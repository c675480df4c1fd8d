//! `agora` with no command: the terminal client on this home's node.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;

use super::Context;
use crate::market::Profile;
use crate::node::{Node, NodeConfig};
use crate::tui::Options;

pub fn run(ctx: &Context) -> anyhow::Result<ExitCode> {
    use std::io::IsTerminal as _;
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        anyhow::bail!("agora's screen needs a terminal; to run without one use `agora serve` (see `agora --help`)");
    }
    let config = ctx.config()?;
    let identity = ctx.identity()?;
    let store = Arc::new(ctx.store()?);
    let mut node_config = NodeConfig::from_config(&config)?;
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
    let options = Options {
        tz: jiff::tz::TimeZone::get(&zone).unwrap_or(jiff::tz::TimeZone::UTC),
        clock: node_config.clock.clone(),
        export_dir: ctx.home.data_dir().join("exports"),
        fast_forward: None,
        greeting: None,
        config_file: ctx.home.config_file(),
        first_run,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(async {
        let node = Node::spawn(identity, store, node_config).await?;
        #[cfg(unix)]
        let _control = node.listen_locally(&ctx.home.control_socket())?;
        crate::tui::run(node, &config, options).await
    })?;
    Ok(ExitCode::SUCCESS)
}
