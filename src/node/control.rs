//! The local control socket: how `agora listing add`, `agora listing
//! remove`, `agora connect` and `agora ticket` reach the agora already
//! running on the same home (which owns the store and the key's endpoint).
//!
//! One JSON request line in, one JSON reply line out, over a Unix socket
//! that only its owner may open (mode 0600 in the data directory).

use serde::{Deserialize, Serialize};

use crate::market::{Listing, ListingId};

/// Longest request line accepted.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;

#[derive(Debug, Serialize, Deserialize)]
pub enum ControlRequest {
    /// Sign, store and announce this listing.
    Publish(Listing),
    Withdraw(ListingId),
    /// Dial the ticket's peer, join its communities and keep it as a contact.
    Connect(String),
    /// The node's current contact ticket.
    Ticket,
    /// Block (true) or unblock a peer, by did:key.
    SetBlocked(String, bool),
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum ControlReply {
    Done,
    Withdrawn(bool),
    /// How many of a blocked peer's listings left the directory.
    Dropped(usize),
    Ticket(String),
    Failed(String),
}

#[cfg(unix)]
pub use unix::{ControlSocket, ask};

#[cfg(unix)]
mod unix {
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::time::Duration;

    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{UnixListener, UnixStream};

    use super::{ControlReply, ControlRequest, MAX_REQUEST_BYTES};
    use crate::node::core::{Command, Done};
    use crate::node::{NodeError, Remote};

    /// How long one request may take, connect to reply.
    const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

    /// The listening socket; removed when dropped.
    pub struct ControlSocket {
        path: PathBuf,
        task: tokio::task::JoinHandle<()>,
    }

    impl ControlSocket {
        pub(crate) fn listen(path: &Path, remote: Remote) -> Result<Self, NodeError> {
            let failed = |e: std::io::Error| NodeError::Invalid(format!("control socket {}: {e}", path.display()));
            // Whoever left a socket here is gone: this process holds the store.
            let _ = std::fs::remove_file(path);
            let listener = UnixListener::bind(path).map_err(failed)?;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(failed)?;
            let task = tokio::spawn(accept_loop(listener, remote));
            Ok(Self { path: path.to_path_buf(), task })
        }

        pub fn path(&self) -> &Path {
            &self.path
        }
    }

    impl Drop for ControlSocket {
        fn drop(&mut self) {
            self.task.abort();
            let _ = std::fs::remove_file(&self.path);
        }
    }

    async fn accept_loop(listener: UnixListener, remote: Remote) {
        while let Ok((stream, _)) = listener.accept().await {
            let remote = remote.clone();
            tokio::spawn(async move {
                if tokio::time::timeout(REQUEST_TIMEOUT, serve(stream, remote)).await.is_err() {
                    tracing::debug!("control request timed out");
                }
            });
        }
    }

    async fn serve(stream: UnixStream, remote: Remote) {
        let (read, mut write) = stream.into_split();
        let mut line = Vec::new();
        let mut reader = BufReader::new(read).take(MAX_REQUEST_BYTES as u64 + 1);
        let reply = match reader.read_until(b'\n', &mut line).await {
            Ok(_) if line.len() > MAX_REQUEST_BYTES => ControlReply::Failed("request too long".into()),
            Ok(_) => match serde_json::from_slice::<ControlRequest>(&line) {
                Ok(request) => answer(request, &remote).await,
                Err(e) => ControlReply::Failed(format!("not a control request: {e}")),
            },
            Err(e) => ControlReply::Failed(e.to_string()),
        };
        let Ok(mut text) = serde_json::to_vec(&reply) else { return };
        text.push(b'\n');
        let _ = write.write_all(&text).await;
    }

    async fn answer(request: ControlRequest, remote: &Remote) -> ControlReply {
        let result = match request {
            ControlRequest::Publish(listing) => {
                remote.command(Command::Publish(listing)).await.map(|_| ControlReply::Done)
            }
            ControlRequest::Withdraw(id) => remote.command(Command::Withdraw(id)).await.map(|done| match done {
                Done::Bool(withdrawn) => ControlReply::Withdrawn(withdrawn),
                _ => ControlReply::Withdrawn(false),
            }),
            ControlRequest::Connect(text) => match text.parse() {
                Ok(ticket) => remote.connect(ticket).await.map(|_| ControlReply::Done),
                Err(e) => Err(NodeError::Ticket(format!("{e}"))),
            },
            ControlRequest::Ticket => Ok(ControlReply::Ticket(remote.ticket().to_string())),
            ControlRequest::SetBlocked(did, blocked) => match crate::identity::public_from_did_key(&did) {
                Ok(peer) => remote.command(Command::SetBlocked(peer, blocked)).await.map(|done| match done {
                    Done::Count(n) => ControlReply::Dropped(n),
                    _ => ControlReply::Dropped(0),
                }),
                Err(e) => Err(NodeError::Invalid(format!("{e}"))),
            },
        };
        result.unwrap_or_else(|e| ControlReply::Failed(e.to_string()))
    }

    /// Sends one request to the agora listening at `path`.
    pub async fn ask(path: &Path, request: &ControlRequest) -> std::io::Result<ControlReply> {
        let work = async {
            let mut stream = UnixStream::connect(path).await?;
            let mut text = serde_json::to_vec(request)?;
            text.push(b'\n');
            stream.write_all(&text).await?;
            let mut line = String::new();
            BufReader::new(stream).read_line(&mut line).await?;
            Ok(serde_json::from_str(&line)?)
        };
        tokio::time::timeout(REQUEST_TIMEOUT, work)
            .await
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "the running agora did not answer"))?
    }
}
