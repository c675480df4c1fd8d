//! The local control socket: how `agora listing add`, `agora listing
//! remove`, `agora connect`, `agora ticket`, `agora block` and the `agora
//! session` commands reach the agora already running on the same home
//! (which owns the store and the key's endpoint). Session steps go through
//! the same rules as the client's (the debt limit on accepting, approval
//! of the exact record before signing).
//!
//! One JSON request line in, one JSON reply line out, over a Unix socket
//! that only its owner may open (mode 0600 in the data directory).

use serde::{Deserialize, Serialize};

use crate::endorse::consent::RecordDigest;
use crate::endorse::cosign::Attestation;
use crate::market::{Action, Listing, ListingId, ListingRef, Negotiation, NegotiationId, Terms};

/// Longest request line accepted: a charter with a full curriculum (48 KiB
/// signed) takes several times that as JSON.
pub const MAX_REQUEST_BYTES: usize = 512 * 1024;

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
    /// A step in a session, as the client would take it.
    Session(SessionRequest),
    /// Join (true) or leave a community, by its id (hex).
    SetJoined(String, bool),
    /// Join a community through a community ticket (text): meet its
    /// member and ask them for the charter.
    JoinVia(String),
    /// Sign and keep a charter version.
    PublishCharter(Box<crate::community::Charter>),
    /// Keep a hub's validation (the file's text).
    KeepValidation(String),
    /// Sign and pass on a hide note (this user maintains its community).
    Hide(crate::community::HideNote),
    /// Follow (true) or stop following a maintainer's notes in a community.
    Follow(crate::community::CommunityId, crate::identity::PublicKey, bool),
    /// Keep this user's invitation to an invite-only community.
    KeepInvitation(Vec<u8>),
    /// Ask the hub behind this ticket to validate (a [`crate::node::hub::HubRequest`],
    /// encoded); what it signs is kept beside the endorsements.
    AskHub(String, Vec<u8>),
}

/// What `agora session` asks of the running node.
#[derive(Debug, Serialize, Deserialize)]
pub enum SessionRequest {
    Propose(ListingRef, Terms),
    Act(NegotiationId, Action),
    Chat(NegotiationId, String),
    Review(NegotiationId, u8, String),
    Attest(NegotiationId, Attestation),
    /// Sign the record with this digest (the one the user was shown).
    Approve(NegotiationId, RecordDigest),
    /// The learner turns the draft with this digest down.
    DeclineRecord(NegotiationId, RecordDigest, String),
}

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum ControlReply {
    Done,
    Withdrawn(bool),
    /// How many of a blocked peer's listings left the directory.
    Dropped(usize),
    Ticket(String),
    /// A negotiation as it stands after the step.
    Negotiation(Box<Negotiation>),
    /// A line to show (a hub's statement of what it validated).
    Said(String),
    Failed(String),
}

#[cfg(unix)]
pub use unix::{ControlSocket, ask};

#[cfg(unix)]
mod unix {
    //! The socket is bound in a private staging directory, given its mode
    //! and only then renamed into place, so it is never reachable with a
    //! looser one. At most [`MAX_CONNECTIONS`] requests are served at once;
    //! another connection gets a one-line "busy" reply and is closed (and
    //! beyond as many refusals in progress, closed at once).

    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    use tokio::net::{UnixListener, UnixStream};
    use tokio::sync::Semaphore;

    use super::{ControlReply, ControlRequest, MAX_REQUEST_BYTES, SessionRequest};
    use crate::node::core::{Command, Done};
    use crate::node::{NodeError, Remote};

    /// How long one request may take, connect to reply.
    const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
    /// Requests served at the same time; more connections are told "busy".
    const MAX_CONNECTIONS: usize = 16;
    /// How long a refused connection is read from after its "busy" reply.
    const BUSY_LINGER: Duration = Duration::from_secs(2);

    /// The listening socket; removed when dropped.
    pub struct ControlSocket {
        path: PathBuf,
        task: tokio::task::JoinHandle<()>,
    }

    impl ControlSocket {
        pub(crate) fn listen(path: &Path, remote: Remote) -> Result<Self, NodeError> {
            let failed = |e: std::io::Error| NodeError::Invalid(format!("control socket {}: {e}", path.display()));
            let listener = bind_private(path).map_err(failed)?;
            let task = tokio::spawn(accept_loop(listener, remote));
            Ok(Self { path: path.to_path_buf(), task })
        }

        /// Requests served at the same time; further connections are told
        /// the node is busy.
        pub const MAX_CONNECTIONS: usize = MAX_CONNECTIONS;

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

    /// Binds the socket under a temporary name in a new 0700 directory
    /// beside `path`, makes it 0600, then renames it to `path`: no moment
    /// exists when another user could reach it (a chmod after binding at
    /// `path` would leave one).
    fn bind_private(path: &Path) -> std::io::Result<UnixListener> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        // tempfile makes the directory 0700; it is removed when dropped.
        let staging = tempfile::Builder::new().prefix(".ctl").tempdir_in(dir)?;
        let temp = staging.path().join("s");
        let listener = UnixListener::bind(&temp)?;
        std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(0o600))?;
        // Whoever left a socket at `path` is gone: this process holds the store.
        std::fs::rename(&temp, path)?;
        Ok(listener)
    }

    async fn accept_loop(listener: UnixListener, remote: Remote) {
        let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        // Refusing takes a moment too (see `refuse_busy`), so it is bounded
        // as well; beyond both bounds a connection is simply closed.
        let refusals = Arc::new(Semaphore::new(MAX_CONNECTIONS));
        while let Ok((stream, _)) = listener.accept().await {
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                match refusals.clone().try_acquire_owned() {
                    Ok(permit) => {
                        tokio::spawn(async move {
                            refuse_busy(stream).await;
                            drop(permit);
                        });
                    }
                    Err(_) => tracing::debug!("control socket busy; closed a connection"),
                }
                continue;
            };
            let remote = remote.clone();
            tokio::spawn(async move {
                if tokio::time::timeout(REQUEST_TIMEOUT, serve(stream, remote)).await.is_err() {
                    tracing::debug!("control request timed out");
                }
                drop(permit);
            });
        }
    }

    /// Answers with one "busy" line at once, then reads what the client
    /// sends (so it can finish writing its request and read the answer,
    /// rather than meet a closed socket) for at most [`BUSY_LINGER`].
    async fn refuse_busy(stream: UnixStream) {
        tracing::debug!("control socket busy; refusing a connection");
        let reply = ControlReply::Failed(format!("busy: {MAX_CONNECTIONS} local requests already running; try again"));
        let Ok(mut text) = serde_json::to_vec(&reply) else { return };
        text.push(b'\n');
        let (read, mut write) = stream.into_split();
        if write.write_all(&text).await.is_err() {
            return;
        }
        let mut reader = BufReader::new(read).take(MAX_REQUEST_BYTES as u64);
        let _ = tokio::time::timeout(BUSY_LINGER, reader.read_until(b'\n', &mut Vec::new())).await;
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
            ControlRequest::Session(request) => session(request, remote).await,
            ControlRequest::AskHub(ticket, request) => ask_hub(remote, &ticket, &request).await,
            ControlRequest::Hide(note) => remote.command(Command::Hide(note)).await.map(|_| ControlReply::Done),
            ControlRequest::Follow(community, maintainer, follow) => {
                remote.command(Command::Follow(community, maintainer, follow)).await.map(|done| match done {
                    Done::Bool(changed) => ControlReply::Withdrawn(changed),
                    _ => ControlReply::Withdrawn(false),
                })
            }
            ControlRequest::KeepInvitation(bytes) => {
                remote.command(Command::KeepInvitation(bytes)).await.map(|_| ControlReply::Done)
            }
            ControlRequest::JoinVia(text) => match text.parse::<crate::community::ticket::CommunityTicket>() {
                Ok(ticket) => {
                    let member = crate::identity::PublicKey::from(*ticket.member.addr.id.as_bytes());
                    if let Some(invitation) = ticket.invitation.clone()
                        && let Err(e) = remote.command(Command::KeepInvitation(invitation)).await
                    {
                        return ControlReply::Failed(format!("the ticket's invitation: {e}"));
                    }
                    match remote.connect(ticket.member).await {
                        Ok(_) => {
                            remote.command(Command::JoinVia(ticket.community, member)).await.map(|done| match done {
                                Done::Bool(changed) => ControlReply::Withdrawn(changed),
                                _ => ControlReply::Withdrawn(false),
                            })
                        }
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(NodeError::Ticket(format!("{e}"))),
            },
            ControlRequest::KeepValidation(text) => {
                remote.command(Command::KeepValidation(text)).await.map(|done| match done {
                    Done::Bool(added) => ControlReply::Withdrawn(added),
                    _ => ControlReply::Withdrawn(false),
                })
            }
            ControlRequest::PublishCharter(charter) => {
                remote.command(Command::PublishCharter(*charter)).await.map(|_| ControlReply::Done)
            }
            ControlRequest::SetJoined(hex, joined) => match crate::community::CommunityId::from_hex(&hex) {
                Some(id) => remote.command(Command::SetJoined(id, joined)).await.map(|done| match done {
                    Done::Bool(changed) => ControlReply::Withdrawn(changed),
                    _ => ControlReply::Withdrawn(false),
                }),
                None => Err(NodeError::Invalid("not a community id".into())),
            },
        };
        result.unwrap_or_else(|e| ControlReply::Failed(e.to_string()))
    }

    /// Sends the request to the hub and keeps the validation it signs.
    async fn ask_hub(remote: &Remote, ticket: &str, request: &[u8]) -> Result<ControlReply, NodeError> {
        let ticket: crate::net::Ticket = ticket.parse().map_err(|e| NodeError::Ticket(format!("{e}")))?;
        let request: crate::node::hub::HubRequest =
            postcard::from_bytes(request).map_err(|_| NodeError::Invalid("a malformed hub request".into()))?;
        crate::node::hub::ask_and_keep(remote, ticket.addr, &request).await.map(ControlReply::Said)
    }

    async fn session(request: SessionRequest, remote: &Remote) -> Result<ControlReply, NodeError> {
        let done = |result: Result<Done, NodeError>| result.map(|_| ControlReply::Done);
        match request {
            SessionRequest::Propose(listing, terms) => match remote.command(Command::Propose(listing, terms)).await? {
                Done::Negotiation(n) => Ok(ControlReply::Negotiation(n)),
                _ => Ok(ControlReply::Done),
            },
            SessionRequest::Act(id, action) => {
                remote.act(id, action).await.map(|n| ControlReply::Negotiation(Box::new(n)))
            }
            SessionRequest::Chat(id, text) => done(remote.command(Command::Chat(id, text)).await),
            SessionRequest::Review(id, rating, words) => done(remote.command(Command::Review(id, rating, words)).await),
            SessionRequest::Attest(id, attestation) => done(remote.command(Command::Attest(id, attestation)).await),
            SessionRequest::Approve(id, seen) => done(remote.command(Command::Approve(id, seen)).await),
            SessionRequest::DeclineRecord(id, seen, reason) => {
                done(remote.command(Command::DeclineRecord(id, seen, reason)).await)
            }
        }
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
