//! `agora/directory/2` on the wire: each stream is one reconciliation or
//! fetch round, read whole (bounded), answered by the core through the
//! shell, written back, and let go. How many peers may be served at once
//! is bounded; what each may ask is the core's business.

use std::sync::Arc;
use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use tokio::sync::{Semaphore, mpsc};

use super::ToShell;
use crate::net::MAX_DIRECTORY_MESSAGE_BYTES;

/// One round, request to answer.
pub const ROUND_TIMEOUT: Duration = Duration::from_secs(10);
/// Peers served at once.
const MAX_SERVED: usize = 64;
/// Rounds on one connection before it must reconnect.
const MAX_ROUNDS_PER_CONNECTION: usize = 4096;

#[derive(Debug, Clone)]
pub struct DirectoryProtocol {
    to_shell: mpsc::Sender<ToShell>,
    served: Arc<Semaphore>,
}

impl DirectoryProtocol {
    pub(crate) fn new(to_shell: mpsc::Sender<ToShell>) -> Self {
        Self { to_shell, served: Arc::new(Semaphore::new(MAX_SERVED)) }
    }

    async fn serve(&self, connection: &Connection) -> anyhow::Result<()> {
        let Ok(_permit) = self.served.try_acquire() else {
            connection.close(1u32.into(), b"busy");
            return Ok(());
        };
        let ask: super::streams::Ask = |from, bytes, reply| ToShell::Directory { from, bytes, reply };
        super::streams::serve(connection, &self.to_shell, MAX_DIRECTORY_MESSAGE_BYTES, MAX_ROUNDS_PER_CONNECTION, ask)
            .await
    }
}

impl ProtocolHandler for DirectoryProtocol {
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        super::served("directory", connection.remote_id(), self.serve(&connection).await);
        Ok(())
    }
}
