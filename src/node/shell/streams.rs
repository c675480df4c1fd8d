//! Serving request-and-answer streams on one connection, as every agora
//! protocol does: one stream at a time, each request read whole within a
//! size limit and a time limit, handed to the core through the shell, its
//! answer written back and let go, until the peer goes quiet.

use std::time::Duration;

use iroh::endpoint::Connection;
use tokio::sync::{mpsc, oneshot};

use super::ToShell;
use crate::identity::PublicKey;

/// How long an open connection may sit idle between requests.
const IDLE: Duration = Duration::from_secs(120);
/// How long one request may take to arrive whole.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// What the shell is told of one request from `from`, and where its
/// answer goes.
pub type Ask = fn(PublicKey, Vec<u8>, oneshot::Sender<Vec<u8>>) -> ToShell;

/// Serves at most `max_requests` requests of at most `limit` bytes each.
pub async fn serve(
    connection: &Connection,
    to_shell: &mpsc::Sender<ToShell>,
    limit: usize,
    max_requests: usize,
    ask: Ask,
) -> anyhow::Result<()> {
    let from = super::key(connection.remote_id());
    for _ in 0..max_requests {
        let Ok(Ok((mut send, mut recv))) = tokio::time::timeout(IDLE, connection.accept_bi()).await else {
            return Ok(());
        };
        let request = tokio::time::timeout(READ_TIMEOUT, recv.read_to_end(limit)).await??;
        let (reply, answer) = oneshot::channel();
        to_shell.send(ask(from, request, reply)).await?;
        let answer = answer.await?;
        send.write_all(&answer).await?;
        send.finish()?;
    }
    Ok(())
}
