//! Warm connections: one QUIC connection per peer and protocol, opened on
//! first use and reused for every message after it (each message is one
//! stream), so a negotiation step costs a stream, not a handshake. A
//! connection that has closed is dropped and dialled again once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use iroh::endpoint::{Connection, RecvStream, SendStream};
use iroh::{Endpoint, EndpointId};

/// Connections kept at most; past it the pool starts afresh.
const MAX_CONNECTIONS: usize = 512;

#[derive(Debug)]
pub struct Pool {
    endpoint: Endpoint,
    connections: Mutex<HashMap<(EndpointId, &'static [u8]), Connection>>,
}

impl Pool {
    pub fn new(endpoint: Endpoint) -> Self {
        Self { endpoint, connections: Mutex::new(HashMap::new()) }
    }

    async fn connection(&self, peer: EndpointId, alpn: &'static [u8], fresh: bool) -> anyhow::Result<Connection> {
        if !fresh {
            let cached =
                self.connections.lock().map_err(|_| anyhow::anyhow!("pool poisoned"))?.get(&(peer, alpn)).cloned();
            if let Some(connection) = cached.filter(|c| c.close_reason().is_none()) {
                return Ok(connection);
            }
        }
        let connection = self.endpoint.connect(peer, alpn).await?;
        let mut connections = self.connections.lock().map_err(|_| anyhow::anyhow!("pool poisoned"))?;
        if connections.len() >= MAX_CONNECTIONS {
            connections.retain(|_, c| c.close_reason().is_none());
            if connections.len() >= MAX_CONNECTIONS {
                connections.clear();
            }
        }
        connections.insert((peer, alpn), connection.clone());
        Ok(connection)
    }

    /// Opens a stream to `peer` on `alpn`, reusing a warm connection when
    /// there is one that still works.
    async fn stream(&self, peer: EndpointId, alpn: &'static [u8]) -> anyhow::Result<(SendStream, RecvStream)> {
        let warm = self.connection(peer, alpn, false).await?;
        match warm.open_bi().await {
            Ok(stream) => Ok(stream),
            Err(_) => Ok(self.connection(peer, alpn, true).await?.open_bi().await?),
        }
    }

    /// Sends `request` on a stream of its own and reads the answer (at most
    /// `limit` bytes), all within `timeout`.
    pub async fn request(
        &self,
        peer: EndpointId,
        alpn: &'static [u8],
        request: &[u8],
        limit: usize,
        timeout: Duration,
    ) -> anyhow::Result<Vec<u8>> {
        let work = async {
            let (mut send, mut recv) = self.stream(peer, alpn).await?;
            send.write_all(request).await?;
            send.finish()?;
            Ok::<_, anyhow::Error>(recv.read_to_end(limit).await?)
        };
        let result = match tokio::time::timeout(timeout, work).await {
            Ok(result) => result,
            Err(_) => Err(anyhow::anyhow!("no answer within {timeout:?}")),
        };
        if result.is_err() {
            // A connection that failed once (the peer restarted, the path
            // changed) is not trusted again: the next request dials anew.
            self.forget(peer);
        }
        result
    }

    /// Drops every connection to `peer`, e.g. when it dialled in anew (it
    /// may have restarted, leaving ours pointing at nothing).
    pub fn forget(&self, peer: EndpointId) {
        if let Ok(mut connections) = self.connections.lock() {
            connections.retain(|(id, _), _| *id != peer);
        }
    }

    /// Forgets every connection (closing them).
    pub fn close_all(&self) {
        if let Ok(mut connections) = self.connections.lock() {
            for (_, connection) in connections.drain() {
                connection.close(0u32.into(), b"bye");
            }
        }
    }
}
