//! Asking the agora that runs on this home (`agora serve` or the app) to do
//! something, over its control socket, when the store is not ours to write.

use anyhow::{Context as _, bail};

use super::Context;
use crate::node::{ControlReply, ControlRequest};

/// Sends `request` to the running agora; a refusal becomes an error.
pub fn ask_running(ctx: &Context, request: ControlRequest) -> anyhow::Result<ControlReply> {
    match ask_raw(ctx, request)? {
        ControlReply::Failed(reason) => bail!("the running agora refused: {reason}"),
        reply => Ok(reply),
    }
}

/// Sends `request` to the running agora and returns its reply as it is.
#[cfg(unix)]
pub fn ask_raw(ctx: &Context, request: ControlRequest) -> anyhow::Result<ControlReply> {
    let path = ctx.home.control_socket();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime
        .block_on(crate::node::ask_control(&path, &request))
        .with_context(|| format!("an agora runs on this home but does not answer at {}", path.display()))
}

#[cfg(not(unix))]
pub fn ask_raw(_ctx: &Context, _request: ControlRequest) -> anyhow::Result<ControlReply> {
    bail!("an agora runs on this home; stop it first, or use its own screen, to do this")
}
