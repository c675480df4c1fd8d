//! Changing one's own profile while the node runs: signed, stored, and
//! announced to the communities at once.

use super::NodeError;
use super::actor::Actor;
use crate::market::Profile;
use crate::net::Frame;
use crate::wire::seal;

impl Actor {
    pub(super) async fn set_profile(&mut self, profile: Profile) -> Result<(), NodeError> {
        let signed = seal(&self.identity, &profile, self.config.clock.now())?;
        self.store.put_profile(&signed)?;
        self.config.profile = Some(profile);
        self.broadcast(Frame::Profile(signed.bytes().to_vec())).await;
        Ok(())
    }
}
