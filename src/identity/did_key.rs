//! `did:key` for Ed25519: multicodec `0xed01` + the 32 key bytes, base58btc
//! with the multibase prefix `z` (so every such DID starts `did:key:z6Mk`).

use super::PublicKey;

const MULTICODEC_ED25519_PUB: [u8; 2] = [0xed, 0x01];
const MULTICODEC_ED25519_PRIV: [u8; 2] = [0x80, 0x26];
const PREFIX: &str = "did:key:";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DidKeyError {
    #[error("not a did:key identifier")]
    NotDidKey,
    #[error("did:key must use base58btc multibase (prefix `z`)")]
    NotBase58btc,
    #[error("did:key is not valid base58")]
    BadBase58,
    #[error("did:key does not name an Ed25519 public key")]
    NotEd25519,
    #[error("did:key holds an invalid Ed25519 key")]
    InvalidKey,
    #[error("verification method `{0}` must be `did:key:z…#z…` with the fragment repeating the key")]
    BadVerificationMethod(String),
}

/// The multibase text of the key (`z6Mk…`), without `did:key:`.
pub fn multibase_from_public(key: &PublicKey) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&MULTICODEC_ED25519_PUB);
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

pub fn did_key_from_public(key: &PublicKey) -> String {
    format!("{PREFIX}{}", multibase_from_public(key))
}

pub fn public_from_multibase(text: &str) -> Result<PublicKey, DidKeyError> {
    PublicKey::from_bytes(*key_bytes_from_multibase(text)?.as_bytes()).map_err(|_| DidKeyError::InvalidKey)
}

/// Decodes the key bytes without checking that they are a curve point
/// (signature verification does that), for hot paths.
pub(crate) fn key_bytes_from_multibase(text: &str) -> Result<PublicKey, DidKeyError> {
    let encoded = text.strip_prefix('z').ok_or(DidKeyError::NotBase58btc)?;
    // 34 bytes encode to at most 47 base58 characters; refuse longer input early.
    if encoded.len() > 48 {
        return Err(DidKeyError::NotEd25519);
    }
    let bytes = bs58::decode(encoded).into_vec().map_err(|_| DidKeyError::BadBase58)?;
    let key = bytes.strip_prefix(&MULTICODEC_ED25519_PUB[..]).ok_or(DidKeyError::NotEd25519)?;
    let key: [u8; 32] = key.try_into().map_err(|_| DidKeyError::NotEd25519)?;
    Ok(PublicKey::from_bytes_unchecked(key))
}

pub fn public_from_did_key(did: &str) -> Result<PublicKey, DidKeyError> {
    public_from_multibase(did.strip_prefix(PREFIX).ok_or(DidKeyError::NotDidKey)?)
}

/// [`public_from_did_key`] without the curve-point check, for documents
/// whose keys are then checked by verifying signatures.
pub(crate) fn key_bytes_from_did_key(did: &str) -> Result<PublicKey, DidKeyError> {
    key_bytes_from_multibase(did.strip_prefix(PREFIX).ok_or(DidKeyError::NotDidKey)?)
}

/// Decodes a Multikey secret (`z3u2…`, multicodec `ed25519-priv`) to its
/// 32 seed bytes, as key-pair files in the W3C test suites write them.
pub fn secret_from_multibase(text: &str) -> Result<[u8; 32], DidKeyError> {
    let encoded = text.strip_prefix('z').ok_or(DidKeyError::NotBase58btc)?;
    let bytes = bs58::decode(encoded).into_vec().map_err(|_| DidKeyError::BadBase58)?;
    let seed = bytes.strip_prefix(&MULTICODEC_ED25519_PRIV[..]).ok_or(DidKeyError::NotEd25519)?;
    seed.try_into().map_err(|_| DidKeyError::NotEd25519)
}

/// Encodes a secret seed as a Multikey secret (`z3u2…`).
pub fn multibase_secret_from_seed(seed: &[u8; 32]) -> String {
    let mut bytes = Vec::with_capacity(34);
    bytes.extend_from_slice(&MULTICODEC_ED25519_PRIV);
    bytes.extend_from_slice(seed);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Resolves `did:key:z…#z…` (the form Data Integrity proofs name) to its
/// key bytes; the proof's signature check then validates the key.
pub fn public_from_verification_method(method: &str) -> Result<PublicKey, DidKeyError> {
    let bad = || DidKeyError::BadVerificationMethod(method.chars().take(120).collect());
    let (did, fragment) = method.split_once('#').ok_or_else(bad)?;
    let key = key_bytes_from_did_key(did)?;
    if did.strip_prefix(PREFIX) != Some(fragment) {
        return Err(bad());
    }
    Ok(key)
}

/// The verification method id for a key: `did:key:z…#z…`.
pub fn verification_method(key: &PublicKey) -> String {
    let multibase = multibase_from_public(key);
    format!("{PREFIX}{multibase}#{multibase}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn w3c_vector_key_round_trips() {
        let text = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let key = public_from_multibase(text).unwrap();
        assert_eq!(multibase_from_public(&key), text);
        let did = format!("did:key:{text}");
        assert_eq!(public_from_did_key(&did).unwrap(), key);
        assert_eq!(public_from_verification_method(&format!("{did}#{text}")).unwrap(), key);
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(public_from_did_key("did:web:example.org"), Err(DidKeyError::NotDidKey));
        assert_eq!(public_from_did_key("did:key:f00"), Err(DidKeyError::NotBase58btc));
        assert_eq!(public_from_did_key("did:key:z0OIl"), Err(DidKeyError::BadBase58));
        assert_eq!(public_from_did_key("did:key:z6LS"), Err(DidKeyError::NotEd25519));
        let vm = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#other";
        assert!(matches!(public_from_verification_method(vm), Err(DidKeyError::BadVerificationMethod(_))));
    }
}
