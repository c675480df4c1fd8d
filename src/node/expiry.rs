//! Own listings past their expiry are withdrawn with a signed tombstone, as
//! if their author had removed them, so every directory lets go of them.

use super::actor::Actor;

impl Actor {
    pub(super) async fn withdraw_expired_own(&mut self) {
        let now = self.config.clock.now();
        let expired: Vec<_> = match self.store.own_listings() {
            Ok(own) => own.iter().filter(|l| l.value().is_expired(now)).map(|l| l.value().id).collect(),
            Err(e) => return tracing::warn!("cannot read own listings: {e}"),
        };
        for id in expired {
            match self.withdraw(id).await {
                Ok(_) => tracing::info!(listing = %id.short(), "withdrew an expired listing"),
                Err(e) => tracing::warn!(listing = %id.short(), "cannot withdraw an expired listing: {e}"),
            }
        }
    }
}
