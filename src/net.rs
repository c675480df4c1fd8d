//! The network edge: the iroh endpoint built from the user's key, community
//! topics on iroh-gossip, contact tickets, and the directory sync protocol.
//! Everything here carries bytes; meaning comes from [`crate::wire`].

mod community;
mod directory;
mod endpoint;
mod frame;
mod session;
mod ticket;

pub use community::{DEFAULT_COMMUNITY, topic_for};
pub use directory::{
    DIRECTORY_ALPN, DirectoryReply, DirectoryRequest, MAX_CHARTER_ASKS, MAX_DIRECTORY_MESSAGE_BYTES, MAX_FETCH,
    MAX_KNOWN_VERSIONS,
};
pub use endpoint::{NetError, NetOptions, bind};
pub use frame::{Frame, FrameError, MAX_FRAME_BYTES};
pub use session::{Ack, MAX_ACK_BYTES, MAX_RESYNC_STEPS, MAX_SESSION_MESSAGE_BYTES, SESSION_ALPN, SessionMessage};
pub use ticket::{Ticket, TicketError};
