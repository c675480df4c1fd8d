//! agora: a terminal peer-to-peer tutoring marketplace.
//!
//! Map of the crate (pure modules take time and keys as arguments; only the
//! edges touch files, and later the node touches the network):
//!
//! - [`identity`]: the user's Ed25519 key, its `did:key` name and fingerprint.
//! - [`wire`]: signed envelopes, size limits, and [`wire::Verified`], the only
//!   way a peer's statement reaches the store.
//! - [`market`]: profiles, listings and the pure negotiation state machine.
//! - [`endorse`]: co-signed endorsement credentials (W3C VC 2.0, Open Badges
//!   3.0 shape, proof sets in `eddsa-jcs-2022` and `eddsa-rdfc-2022`), their
//!   verification, presentations signed by their holder, and what is drawn
//!   from them: reputation (statistics, trust as a viewer sees it) and time
//!   credits.
//! - [`store`]: the local redb store (all-or-nothing writes, schema version).
//! - [`config`]: `config.toml` defaults plus the user's overrides.
//! - [`home`]: where an instance keeps its key, config and store (`AGORA_HOME`).
//! - [`files`]: private directories and files, replaced whole.
//! - [`text`]: peers' and files' text made safe to print on a terminal.
//! - [`net`]: the iroh endpoint, community topics, tickets and wire frames.
//! - [`node`]: the pure core that makes every protocol decision, and the
//!   shell that runs it on iroh (endpoint, gossip, connections, timers).
//! - [`app`]: the terminal client's state and pure update (no terminal).
//! - [`tui`]: drawing that state with ratatui, keys, and the event loop.
//! - [`demo`]: a living demo marketplace of invented peers on loopback.
//! - [`sim`]: a seeded simulated network of node cores (tests, figures).
//! - [`cli`]: the command-line interface used by the `agora` binary.

pub mod app;
pub mod cli;
pub mod community;
pub mod config;
pub mod demo;
pub mod endorse;
pub mod files;
pub mod hex;
pub mod home;
pub mod identity;
pub mod market;
pub mod net;
pub mod node;
pub mod sim;
pub mod store;
pub mod text;
pub mod tui;
pub mod wire;
