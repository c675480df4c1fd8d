//! Store failures, each with a message a user can act on.

use std::path::PathBuf;

use crate::market::NegotiationError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} is already in use by another agora process; close it or use another --home")]
    AlreadyInUse(PathBuf),
    #[error("this store is open read-only (a running agora owns it)")]
    ReadOnly,
    #[error("store was written by an older agora (schema {found}); run agora once to upgrade it")]
    OlderSchema { found: u64 },
    #[error("cannot open store {path}: {reason}")]
    Open { path: PathBuf, reason: String },
    #[error(
        "{path} is not an agora store: {what}. Nothing was changed; move it away (e.g. `mv {path} {path}.broken`) \
         to start an empty store, or put back a backup"
    )]
    NotAStore { path: PathBuf, what: String },
    #[error("store was written by a newer agora (schema {found}); this build reads up to schema {supported}")]
    NewerSchema { found: u64, supported: u64 },
    #[error("store record `{what}` is damaged: {reason}")]
    Corrupt { what: &'static str, reason: String },
    #[error("at most {max} {what}; leave one first")]
    Full { what: &'static str, max: usize },
    #[error("store error: {0}")]
    Database(#[from] redb::Error),
    #[error(transparent)]
    Negotiation(#[from] NegotiationError),
}

macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StoreError {
            fn from(e: $t) -> Self {
                StoreError::Database(e.into())
            }
        }
    )*};
}

from_redb!(redb::TransactionError, redb::TableError, redb::StorageError, redb::CommitError);

pub(crate) fn corrupt(what: &'static str, reason: impl ToString) -> StoreError {
    StoreError::Corrupt { what, reason: reason.to_string() }
}
