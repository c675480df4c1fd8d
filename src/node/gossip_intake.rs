//! Gossip messages taken in runs: whatever is already queued when the actor
//! wakes up is handled together, and the listings among it are written in
//! one transaction. A burst of news then costs one disk sync instead of one
//! per message; a lone message is written at once, as before.

use iroh_gossip::api::{Event as GossipEvent, Message};

use super::Event;
use super::actor::{Actor, Internal, key};
use super::intake::take_frame;
use crate::store::DirectoryBatch;

/// At most this many queued messages are handled before the actor looks at
/// its commands and timers again.
const MAX_RUN: usize = 256;

impl Actor {
    /// Handles `first` and what is queued behind it, in order; consecutive
    /// gossip messages go into one store batch.
    pub(super) async fn handle_queued(&mut self, first: Internal) {
        let mut run = Vec::new();
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(internal) = next {
            taken += 1;
            match internal {
                Internal::Gossip(GossipEvent::Received(message)) => run.push(message),
                other => {
                    self.take_gossip(std::mem::take(&mut run)).await;
                    self.handle_internal(other).await;
                }
            }
            next = if taken < MAX_RUN { self.internal_rx.try_recv().ok() } else { None };
        }
        self.take_gossip(run).await;
    }

    /// Verifies and stores a run of gossip messages in one batch; events go
    /// out once the batch is durable.
    pub(super) async fn take_gossip(&mut self, messages: Vec<Message>) {
        let admitted: Vec<Message> = messages
            .into_iter()
            .filter(|message| match self.admit(key(message.delivered_from)) {
                Ok(()) => true,
                Err(reason) => {
                    tracing::debug!(from = %message.delivered_from, "dropped gossip: {reason}");
                    false
                }
            })
            .collect();
        if admitted.is_empty() {
            return;
        }
        let batch = match self.store.directory_batch() {
            Ok(batch) => batch,
            Err(e) => return tracing::warn!("not taking gossip: {e}"),
        };
        let now = self.config.clock.now();
        let policy = self.policy();
        let mut events = Vec::new();
        for message in &admitted {
            match take_frame(&batch, &message.content, now, &policy) {
                Ok(Some(event)) => events.push(event),
                Ok(None) => {}
                Err(e) => {
                    tracing::debug!(from = %message.delivered_from, "refused gossip: {e}");
                    events.push(Event::Rejected { from: key(message.delivered_from), reason: e.to_string() });
                }
            }
        }
        if let Err(e) = commit_off_runtime(batch, &self.writes).await {
            // Lost news comes back with the next directory pull.
            tracing::warn!("storing gossip: {e}");
            events.retain(|event| matches!(event, Event::Rejected { .. }));
        }
        for event in events {
            self.emit(event);
        }
    }
}

/// Commits `batch` on a blocking thread: the disk sync then holds up only
/// this actor, not the runtime's workers and everything else on them.
/// The commit holds one of `writes`' permits until it is done, even when
/// the actor is aborted while waiting for it.
pub(super) async fn commit_off_runtime(
    batch: DirectoryBatch,
    writes: &std::sync::Arc<tokio::sync::Semaphore>,
) -> Result<(), String> {
    let permit = writes.clone().acquire_owned().await.map_err(|e| e.to_string())?;
    let commit = move || {
        let result = batch.commit();
        drop(permit);
        result
    };
    match tokio::task::spawn_blocking(commit).await {
        Ok(result) => result.map_err(|e| e.to_string()),
        Err(e) => Err(format!("commit task failed: {e}")),
    }
}
