//! Table definitions: the whole on-disk layout in one place.

use redb::{MultimapTableDefinition, TableDefinition};

/// `schema_version` and other small settings.
pub const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
/// The user's own signed profile, under the key `self`.
pub const PROFILE: TableDefinition<&str, &[u8]> = TableDefinition::new("profile");
/// Own listings: listing id → signed envelope.
pub const OWN_LISTINGS: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("own_listings");
/// Listings seen from others: author ‖ listing id → latest signed envelope.
pub const SEEN_LISTINGS: TableDefinition<&[u8; 48], &[u8]> = TableDefinition::new("seen_listings");
/// Withdrawn listings: author ‖ listing id → the signed withdrawal with the
/// highest version, kept so an old copy arriving late cannot bring a listing
/// back and so the withdrawal can be passed on to peers.
pub const WITHDRAWN: TableDefinition<&[u8; 48], &[u8]> = TableDefinition::new("withdrawn");
/// Negotiation id → current state (postcard).
pub const NEGOTIATIONS: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("negotiations");
/// Negotiation id ‖ seq (big endian) → signed event envelope.
pub const NEGOTIATION_EVENTS: TableDefinition<&[u8; 20], &[u8]> = TableDefinition::new("negotiation_events");
/// Endorsement id → the exact credential bytes both parties hold.
pub const ENDORSEMENTS: TableDefinition<&str, &[u8]> = TableDefinition::new("endorsements");
/// Endorsement id → parsed summary (postcard), so a portfolio opens without
/// re-parsing every credential.
pub const ENDORSEMENT_SUMMARIES: TableDefinition<&str, &[u8]> = TableDefinition::new("endorsement_summaries");
pub const ENDORSEMENTS_BY_COUNTERPART: MultimapTableDefinition<&[u8; 32], &str> =
    MultimapTableDefinition::new("endorsements_by_counterpart");
pub const ENDORSEMENTS_BY_SKILL: MultimapTableDefinition<&str, &str> =
    MultimapTableDefinition::new("endorsements_by_skill");
/// Known peers: public key → record (postcard).
pub const PEERS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("peers");
/// Chat: negotiation id ‖ timestamp ms (big endian) ‖ message id → signed envelope.
pub const CHAT: TableDefinition<&[u8; 40], &[u8]> = TableDefinition::new("chat");
/// Co-signing progress per negotiation (postcard `CosignState`).
pub const COSIGN: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("cosign");
/// Endorsements kept out of the public portfolio: id → nothing.
pub const PRIVATE_ENDORSEMENTS: TableDefinition<&str, ()> = TableDefinition::new("private_endorsements");
/// Peers met through a ticket (`agora connect`): key → ticket text; dialled
/// at every start. Since schema 2.
pub const CONTACTS: TableDefinition<&[u8; 32], &str> = TableDefinition::new("contacts");
/// Others' signed profiles (name, bio, languages, time zone): key → the
/// latest envelope. Since schema 3.
pub const PEER_PROFILES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("peer_profiles");
/// Own listings on pause: withdrawn from the network, kept here to resume
/// (as their next version). Listing id → signed listing. Since schema 4.
pub const PAUSED_LISTINGS: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("paused_listings");
/// Messages waiting for a peer's ack, in order per peer: peer ‖ queue
/// position (big endian) → entry. Since schema 5 (replaces `outbox`).
pub const OUTBOX_QUEUE: TableDefinition<&[u8; 40], &[u8]> = TableDefinition::new("outbox_queue");
/// What each queued message stands for (a negotiation step, a chat line,
/// a co-signing part): slot → its key in `outbox_queue`, so that a repeat
/// replaces the queued one. Since schema 5.
pub const OUTBOX_SLOTS: TableDefinition<&[u8; 32], &[u8; 40]> = TableDefinition::new("outbox_slots");
/// Every envelope peers reconcile (listings, withdrawals, profiles, own
/// and others'), in reconciliation order: signed time (ms, big endian) ‖
/// SHA-256 of the envelope → kind ‖ the envelope's key (author ‖ id).
/// Since schema 5.
pub const DIRECTORY_ITEMS: TableDefinition<&[u8; 40], &[u8; 49]> = TableDefinition::new("directory_items");
/// SHA-256 of an envelope → its key in `directory_items`. Since schema 5.
pub const DIRECTORY_HASHES: TableDefinition<&[u8; 32], &[u8; 40]> = TableDefinition::new("directory_hashes");
/// Others' listings by expiry: expires (ms, big endian) ‖ author ‖ id.
/// Since schema 5.
pub const SEEN_EXPIRY: TableDefinition<&[u8; 56], ()> = TableDefinition::new("seen_expiry");
/// Withdrawals by the time they may be forgotten (every listing they
/// cover has expired by then): until (ms) ‖ author ‖ id. Since schema 5.
pub const WITHDRAWN_EXPIRY: TableDefinition<&[u8; 56], ()> = TableDefinition::new("withdrawn_expiry");
/// The highest version seen of listings that expired or were dropped
/// here, so that an older copy cannot come back: author ‖ id → version ‖
/// until (ms). Since schema 5.
pub const LISTING_HIGH_WATER: TableDefinition<&[u8; 48], &[u8; 12]> = TableDefinition::new("listing_high_water");
/// Negotiations per counterpart: peer ‖ negotiation id → (). Since schema 5.
pub const NEGOTIATIONS_BY_PEER: TableDefinition<&[u8; 48], ()> = TableDefinition::new("negotiations_by_peer");
/// How many leading steps of a negotiation the other party acknowledged:
/// id → count. Since schema 5.
pub const NEGOTIATION_ACKED: TableDefinition<&[u8; 16], u32> = TableDefinition::new("negotiation_acked");
/// Charter versions of communities: community id ‖ SHA-256 of the signed
/// version → the signed version. Since schema 6.
pub const CHARTERS: TableDefinition<&[u8; 64], &[u8]> = TableDefinition::new("charters");
/// Communities this node belongs to: community id → when it joined (ms).
/// Since schema 6.
pub const JOINED_COMMUNITIES: TableDefinition<&[u8; 32], i64> = TableDefinition::new("joined_communities");
/// A learner's goals (private): community id ‖ skill id → goal (postcard).
/// Since schema 7.
pub const GOALS: TableDefinition<&[u8], &[u8]> = TableDefinition::new("goals");
/// Hubs' validations of this user's learning (`EndorsementCredential`s the
/// user imported): credential id → the exact bytes verified. Since schema 8.
pub const VALIDATIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("validations");
/// Envelopes reconciled per community (listings placed in it, its
/// maintainers' hide notes): community id ‖ signed time (ms) ‖ SHA-256 →
/// kind ‖ the envelope's key, as in `directory_items`. Since schema 9.
pub const COMMUNITY_ITEMS: TableDefinition<&[u8; 72], &[u8; 49]> = TableDefinition::new("community_items");
/// SHA-256 of such an envelope → its key in `community_items`. Since
/// schema 9.
pub const COMMUNITY_HASHES: TableDefinition<&[u8; 32], &[u8; 72]> = TableDefinition::new("community_hashes");
/// Others' listings by place and expiry: place (a community id, or zeros
/// for the open directory) ‖ expires (ms, big endian) ‖ author ‖ id. Since
/// schema 10.
pub const PLACE_EXPIRY: TableDefinition<&[u8; 88], ()> = TableDefinition::new("place_expiry");
/// How many of others' listings each place holds. Since schema 10.
pub const PLACE_COUNTS: TableDefinition<&[u8; 32], u64> = TableDefinition::new("place_counts");
/// Maintainers' hide notes: maintainer ‖ slot (community and target) →
/// the latest signed note. Since schema 9.
pub const HIDE_NOTES: TableDefinition<&[u8; 48], &[u8]> = TableDefinition::new("hide_notes");
/// Maintainers whose notes this user does not follow: community id ‖
/// maintainer → (). Since schema 9.
pub const UNFOLLOWED: TableDefinition<&[u8; 64], ()> = TableDefinition::new("unfollowed");
/// Invitations this user holds to invite-only communities: community id
/// → the signed invitation. Since schema 9.
pub const INVITATIONS: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("invitations");
