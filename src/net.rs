//! The network edge: the iroh endpoint built from the user's key, community
//! topics on iroh-gossip, contact tickets, and the directory sync protocol.
//! Everything here carries bytes; meaning comes from [`crate::wire`].

mod community;
mod endpoint;
mod frame;
mod session;
mod ticket;

pub use community::{DEFAULT_COMMUNITY, topic_for};
pub use endpoint::{NetError, NetOptions, bind};
pub use frame::{Frame, FrameError, MAX_FRAME_BYTES};
pub use session::{Ack, MAX_SESSION_MESSAGE_BYTES, SESSION_ALPN, SessionMessage};
pub use ticket::{Ticket, TicketError};

/// Pull the listings a neighbor has and we lack (anti-entropy).
pub const DIRECTORY_ALPN: &[u8] = b"agora/directory/1";
