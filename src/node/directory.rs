//! Anti-entropy over `agora/directory/1`: the dialer sends its digest, the
//! listener answers with every envelope the dialer lacks or holds older.
//! Gossip alone drops messages at scale; this makes the directory converge.

use std::sync::Arc;
use std::time::Duration;

use super::Clock;
use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use iroh::{Endpoint, EndpointId};

use crate::net::DIRECTORY_ALPN;
use crate::store::{DigestEntry, Store};

/// Digest from the dialer: 56 bytes an entry, so ~37k entries.
const MAX_DIGEST_BYTES: usize = 2 << 20;
/// Envelopes in one answer (listings are at most ~3 KiB each).
pub const MAX_ANSWER_BYTES: usize = 32 << 20;
/// A whole pull, connect to last byte.
pub const PULL_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone)]
pub struct DirectoryProtocol {
    store: Arc<Store>,
    clock: Clock,
}

impl DirectoryProtocol {
    pub fn new(store: Arc<Store>, clock: Clock) -> Self {
        Self { store, clock }
    }

    async fn serve(&self, connection: &Connection) -> anyhow::Result<()> {
        let (mut send, mut recv) = connection.accept_bi().await?;
        let request = recv.read_to_end(MAX_DIGEST_BYTES).await?;
        let theirs: Vec<DigestEntry> = postcard::from_bytes(&request)?;
        let missing = self.store.missing_from(&theirs, self.clock.now())?;
        let answer = postcard::to_stdvec(&missing)?;
        if answer.len() > MAX_ANSWER_BYTES {
            anyhow::bail!("answer of {} bytes is over the limit", answer.len());
        }
        send.write_all(&answer).await?;
        send.finish()?;
        connection.closed().await;
        Ok(())
    }
}

impl ProtocolHandler for DirectoryProtocol {
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        super::served("directory", connection.remote_id(), self.serve(&connection).await);
        Ok(())
    }
}

/// Asks `peer` for what we lack; returns the raw envelopes (unverified).
pub async fn pull(endpoint: &Endpoint, peer: EndpointId, digest: &[DigestEntry]) -> anyhow::Result<Vec<Vec<u8>>> {
    let work = async {
        let connection = endpoint.connect(peer, DIRECTORY_ALPN).await?;
        let (mut send, mut recv) = connection.open_bi().await?;
        send.write_all(&postcard::to_stdvec(digest)?).await?;
        send.finish()?;
        let answer = recv.read_to_end(MAX_ANSWER_BYTES).await?;
        connection.close(0u32.into(), b"done");
        Ok::<_, anyhow::Error>(postcard::from_bytes::<Vec<Vec<u8>>>(&answer)?)
    };
    tokio::time::timeout(PULL_TIMEOUT, work).await.map_err(|_| anyhow::anyhow!("directory pull timed out"))?
}
