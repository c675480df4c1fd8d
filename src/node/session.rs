//! `agora/session/1` on the wire: the listener hands each message to the
//! actor and writes back its ack; the sender delivers one message and
//! reads the ack.

use std::time::Duration;

use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{Endpoint, EndpointId};
use tokio::sync::{mpsc, oneshot};

use crate::net::{Ack, MAX_SESSION_MESSAGE_BYTES, SESSION_ALPN, SessionMessage};

/// One delivery, connect to ack.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_ACK_BYTES: usize = 4096;
/// Messages taken from one connection before it must reconnect.
const MAX_MESSAGES_PER_CONNECTION: usize = 1024;

/// A message from a peer, waiting for the actor's verdict.
pub struct Inbound {
    pub from: EndpointId,
    /// `None` when the bytes were not a session message at all (the actor
    /// still counts it against the sender's rate).
    pub message: Option<SessionMessage>,
    pub reply: oneshot::Sender<Ack>,
}

#[derive(Debug, Clone)]
pub struct SessionProtocol {
    to_actor: mpsc::Sender<Inbound>,
}

impl SessionProtocol {
    pub fn new(to_actor: mpsc::Sender<Inbound>) -> Self {
        Self { to_actor }
    }

    async fn serve(&self, connection: &Connection) -> anyhow::Result<()> {
        let from = connection.remote_id();
        for _ in 0..MAX_MESSAGES_PER_CONNECTION {
            let Ok((mut send, mut recv)) = connection.accept_bi().await else { return Ok(()) };
            let bytes = recv.read_to_end(MAX_SESSION_MESSAGE_BYTES).await?;
            let message = postcard::from_bytes::<SessionMessage>(&bytes).ok();
            let (reply, verdict) = oneshot::channel();
            self.to_actor.send(Inbound { from, message, reply }).await?;
            let ack = verdict.await?;
            send.write_all(&postcard::to_stdvec(&ack)?).await?;
            send.finish()?;
        }
        Ok(())
    }
}

impl ProtocolHandler for SessionProtocol {
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        super::served("session", connection.remote_id(), self.serve(&connection).await);
        Ok(())
    }
}

/// Delivers one encoded message to `peer` and returns its ack.
pub async fn deliver(endpoint: &Endpoint, peer: EndpointId, message: &[u8]) -> anyhow::Result<Ack> {
    let work = async {
        let connection = endpoint.connect(peer, SESSION_ALPN).await?;
        let (mut send, mut recv) = connection.open_bi().await?;
        send.write_all(message).await?;
        send.finish()?;
        let ack = recv.read_to_end(MAX_ACK_BYTES).await?;
        connection.close(0u32.into(), b"done");
        Ok::<_, anyhow::Error>(postcard::from_bytes::<Ack>(&ack)?)
    };
    tokio::time::timeout(DELIVERY_TIMEOUT, work).await.map_err(|_| anyhow::anyhow!("delivery timed out"))?
}
