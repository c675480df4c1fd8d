//! `agora/session/1` on the wire. The listener reads each stream's message,
//! hands it to the core through the shell and writes back its ack; a
//! connection may carry many messages, one stream each, in order.

use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use tokio::sync::mpsc;

use super::ToShell;
use crate::net::MAX_SESSION_MESSAGE_BYTES;

/// One delivery, connect to ack.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
/// Messages taken from one connection before it must reconnect.
const MAX_MESSAGES_PER_CONNECTION: usize = 4096;

#[derive(Debug, Clone)]
pub struct SessionProtocol {
    to_shell: mpsc::Sender<ToShell>,
}

impl SessionProtocol {
    pub(crate) fn new(to_shell: mpsc::Sender<ToShell>) -> Self {
        Self { to_shell }
    }

    async fn serve(&self, connection: &Connection) -> anyhow::Result<()> {
        let ask: super::streams::Ask = |from, bytes, reply| ToShell::Session { from, bytes, reply };
        super::streams::serve(connection, &self.to_shell, MAX_SESSION_MESSAGE_BYTES, MAX_MESSAGES_PER_CONNECTION, ask)
            .await
    }
}

impl ProtocolHandler for SessionProtocol {
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        super::served("session", connection.remote_id(), self.serve(&connection).await);
        Ok(())
    }
}
