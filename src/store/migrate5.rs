//! Schema 4 → 5: the outbox in order per peer with slots, the
//! reconciliation index of the directory, expiry indexes, high-water marks
//! and the per-peer negotiation index. Built from what the store holds, in
//! the migration's one transaction.

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use serde::Deserialize;

use super::StoreError;
use super::error::corrupt;
use super::items::{self, ItemKind};
use super::listings::{SELF_KEY, decode, seen_key, timed_key, withdrawal_until};
use super::outbox::{Queued, Slot, queue_in};
use super::tables::*;
use crate::identity::PublicKey;
use crate::market::{Listing, ListingWithdrawal, Negotiation, Profile};

/// The schema-4 outbox: queued-at ms ‖ content hash → entry.
const OLD_OUTBOX: TableDefinition<&[u8; 24], &[u8]> = TableDefinition::new("outbox");

#[derive(Deserialize)]
struct OldQueued {
    to: PublicKey,
    message: Vec<u8>,
    #[allow(dead_code)]
    attempts: u32,
    #[allow(dead_code)]
    next_attempt: i64,
}

/// Creates the schema-5 tables (also for a new store).
pub(super) fn create(tx: &WriteTransaction) -> Result<(), StoreError> {
    tx.open_table(OUTBOX_QUEUE)?;
    tx.open_table(OUTBOX_SLOTS)?;
    tx.open_table(DIRECTORY_ITEMS)?;
    tx.open_table(DIRECTORY_HASHES)?;
    tx.open_table(SEEN_EXPIRY)?;
    tx.open_table(WITHDRAWN_EXPIRY)?;
    tx.open_table(LISTING_HIGH_WATER)?;
    tx.open_table(NEGOTIATIONS_BY_PEER)?;
    tx.open_table(NEGOTIATION_ACKED)?;
    Ok(())
}

pub(super) fn run(tx: &WriteTransaction) -> Result<(), StoreError> {
    create(tx)?;
    move_outbox(tx)?;
    index_directory(tx)?;
    index_negotiations(tx)?;
    Ok(())
}

fn move_outbox(tx: &WriteTransaction) -> Result<(), StoreError> {
    let old: Vec<([u8; 24], Vec<u8>)> = match tx.open_table(OLD_OUTBOX) {
        Ok(table) => table
            .iter()?
            .map(|row| {
                let (k, v) = row?;
                Ok((*k.value(), v.value().to_vec()))
            })
            .collect::<Result<_, StoreError>>()?,
        Err(e) => return Err(e.into()),
    };
    for (key, value) in old {
        // A damaged entry cannot be delivered anyway.
        let Ok(entry) = postcard::from_bytes::<OldQueued>(&value) else { continue };
        let mut legacy = [0u8; 16];
        legacy.copy_from_slice(&key[8..]);
        queue_in(tx, &Queued::new(entry.to, Slot::Legacy(legacy), entry.message))?;
    }
    tx.delete_table(OLD_OUTBOX)?;
    Ok(())
}

fn index_directory(tx: &WriteTransaction) -> Result<(), StoreError> {
    let own: Vec<Vec<u8>> =
        tx.open_table(OWN_LISTINGS)?.iter()?.map(|r| Ok(r?.1.value().to_vec())).collect::<Result<_, StoreError>>()?;
    for bytes in own {
        let Ok(listing) = decode::<Listing>(&bytes) else { continue };
        let key = seen_key(&listing.author(), &listing.value().id);
        items::add(tx, ItemKind::Listing, &key, &bytes, listing.timestamp().as_millisecond(), None)?;
    }
    let seen: Vec<([u8; 48], Vec<u8>)> = tx
        .open_table(SEEN_LISTINGS)?
        .iter()?
        .map(|r| {
            let (k, v) = r?;
            Ok((*k.value(), v.value().to_vec()))
        })
        .collect::<Result<_, StoreError>>()?;
    for (key, bytes) in seen {
        let Ok(listing) = decode::<Listing>(&bytes) else { continue };
        items::add(tx, ItemKind::Listing, &key, &bytes, listing.timestamp().as_millisecond(), None)?;
        tx.open_table(SEEN_EXPIRY)?.insert(&timed_key(listing.value().expires_at, &key), ())?;
    }
    let withdrawn: Vec<([u8; 48], Vec<u8>)> = tx
        .open_table(WITHDRAWN)?
        .iter()?
        .map(|r| {
            let (k, v) = r?;
            Ok((*k.value(), v.value().to_vec()))
        })
        .collect::<Result<_, StoreError>>()?;
    for (key, bytes) in withdrawn {
        let Ok(withdrawal) = decode::<ListingWithdrawal>(&bytes) else { continue };
        items::add(tx, ItemKind::Withdrawal, &key, &bytes, withdrawal.timestamp().as_millisecond(), None)?;
        tx.open_table(WITHDRAWN_EXPIRY)?.insert(&timed_key(withdrawal_until(&withdrawal), &key), ())?;
    }
    let profiles: Vec<Vec<u8>> =
        tx.open_table(PEER_PROFILES)?.iter()?.map(|r| Ok(r?.1.value().to_vec())).collect::<Result<_, StoreError>>()?;
    let own_profile = tx.open_table(PROFILE)?.get(SELF_KEY)?.map(|v| v.value().to_vec());
    for bytes in profiles.into_iter().chain(own_profile) {
        let Ok(profile) = decode::<Profile>(&bytes) else { continue };
        let key = items::profile_key(profile.author().as_bytes());
        items::add(tx, ItemKind::Profile, &key, &bytes, profile.timestamp().as_millisecond(), None)?;
    }
    Ok(())
}

fn index_negotiations(tx: &WriteTransaction) -> Result<(), StoreError> {
    let states: Vec<Vec<u8>> =
        tx.open_table(NEGOTIATIONS)?.iter()?.map(|r| Ok(r?.1.value().to_vec())).collect::<Result<_, StoreError>>()?;
    let mut by_peer = tx.open_table(NEGOTIATIONS_BY_PEER)?;
    for bytes in states {
        let Ok(state) = postcard::from_bytes::<Negotiation>(&bytes).map_err(|e| corrupt("negotiation", e)) else {
            continue;
        };
        for peer in [state.teacher, state.learner] {
            let mut key = [0u8; 48];
            key[..32].copy_from_slice(peer.as_bytes());
            key[32..].copy_from_slice(&state.id.0);
            by_peer.insert(&key, ())?;
        }
    }
    Ok(())
}
