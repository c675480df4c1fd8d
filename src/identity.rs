//! The user's identity: one Ed25519 secret that is at once the iroh endpoint
//! key and the signing key for envelopes and credential proofs.

mod did_key;
mod public_key;

pub(crate) use did_key::key_bytes_from_did_key;
pub use did_key::{
    DidKeyError, did_key_from_public, multibase_from_public, multibase_secret_from_seed, public_from_did_key,
    public_from_multibase, public_from_verification_method, secret_from_multibase, verification_method,
};
pub use public_key::PublicKey;

use ed25519_dalek::{Signer, SigningKey};

/// A user's secret key. Cloning is deliberately not offered: there is one
/// owner, and everything else borrows it.
pub struct Identity {
    signing: SigningKey,
}

impl Identity {
    /// Builds an identity from the 32 secret bytes stored in `identity.key`.
    pub fn from_secret_bytes(bytes: &[u8; 32]) -> Self {
        Self { signing: SigningKey::from_bytes(bytes) }
    }

    /// Draws a fresh secret from the operating system's generator.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self::from_secret_bytes(&bytes))
    }

    /// The 32 secret bytes, for writing the key file.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.signing.to_bytes()
    }

    /// The same secret as an iroh endpoint key: the endpoint id *is* the
    /// user's public key.
    pub fn iroh_secret_key(&self) -> iroh::SecretKey {
        iroh::SecretKey::from_bytes(&self.signing.to_bytes())
    }

    pub fn public(&self) -> PublicKey {
        PublicKey::from_bytes_unchecked(self.signing.verifying_key().to_bytes())
    }

    /// `did:key:z6Mk…` naming this identity.
    pub fn did(&self) -> String {
        did_key_from_public(&self.public())
    }

    /// Signs raw bytes. Callers are responsible for domain separation.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.signing.sign(message).to_bytes()
    }
}

/// The identity's secret as Multikey text (`z3u2…`), the key file format.
pub fn multibase_secret(identity: &Identity) -> String {
    multibase_secret_from_seed(&identity.signing.to_bytes())
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("public", &self.public()).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_iroh_endpoint_id_is_the_signing_key() {
        let identity = Identity::from_secret_bytes(&[42; 32]);
        let endpoint = identity.iroh_secret_key().public();
        assert_eq!(endpoint.as_bytes(), identity.public().as_bytes());
        assert_eq!(endpoint.to_string(), identity.public().to_hex());
        let message = b"same key, same signature";
        let signature = identity.iroh_secret_key().sign(message);
        assert!(identity.public().verify(message, &signature.to_bytes()));
    }

    #[test]
    fn did_key_and_secret_text_round_trip() {
        let identity = Identity::from_secret_bytes(&[7; 32]);
        assert!(identity.did().starts_with("did:key:z6Mk"));
        assert_eq!(public_from_did_key(&identity.did()).unwrap(), identity.public());
        let text = multibase_secret(&identity);
        assert!(text.starts_with("z3u2"));
        assert_eq!(secret_from_multibase(&text).unwrap(), [7; 32]);
    }
}
