//! `agora/directory/2` on the wire: each stream is one reconciliation or
//! fetch round, read whole (bounded), answered by the core through the
//! shell, written back, and let go. How many peers may be served at once
//! is bounded; what each may ask is the core's business.

use std::sync::Arc;
use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use tokio::sync::{Semaphore, mpsc, oneshot};

use super::ToShell;
use crate::net::MAX_DIRECTORY_MESSAGE_BYTES;

/// One round, request to answer.
pub const ROUND_TIMEOUT: Duration = Duration::from_secs(10);
/// Peers served at once.
const MAX_SERVED: usize = 64;
/// Rounds on one connection before it must reconnect.
const MAX_ROUNDS_PER_CONNECTION: usize = 4096;
const IDLE: Duration = Duration::from_secs(120);

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
        let from = super::key(connection.remote_id());
        for _ in 0..MAX_ROUNDS_PER_CONNECTION {
            let Ok(Ok((mut send, mut recv))) = tokio::time::timeout(IDLE, connection.accept_bi()).await else {
                return Ok(());
            };
            let bytes = tokio::time::timeout(ROUND_TIMEOUT, recv.read_to_end(MAX_DIRECTORY_MESSAGE_BYTES)).await??;
            let (reply, answer) = oneshot::channel();
            self.to_shell.send(ToShell::Directory { from, bytes, reply }).await?;
            let answer = answer.await?;
            send.write_all(&answer).await?;
            send.finish()?;
        }
        Ok(())
    }
}

impl ProtocolHandler for DirectoryProtocol {
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        super::served("directory", connection.remote_id(), self.serve(&connection).await);
        Ok(())
    }
}
