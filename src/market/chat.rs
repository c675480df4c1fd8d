//! Chat messages, always tied to one negotiation.

use serde::{Deserialize, Serialize};

use super::{Id16, NegotiationId};
use crate::wire::{Body, FieldError, check_text};

pub const MAX_CHAT_CHARS: usize = 2000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub negotiation: NegotiationId,
    /// Random per message: resending the same message is idempotent.
    pub id: Id16,
    pub text: String,
}

impl Body for ChatMessage {
    const DOMAIN: &'static str = "agora/chat/1";
    const MAX_BODY_BYTES: usize = 4 * MAX_CHAT_CHARS + 64;

    fn validate(&self) -> Result<(), FieldError> {
        if self.text.trim().is_empty() {
            return Err(FieldError::new("text", "must not be empty"));
        }
        check_text("text", &self.text, MAX_CHAT_CHARS, true)
    }
}
