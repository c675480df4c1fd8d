//! A hub's validation: an Open Badges 3.0 `EndorsementCredential` in which
//! a hub (a school, a library, a makerspace) states what it verified of a
//! learner's co-signed endorsements ("12 sessions in rust, 18 h, with 4
//! distinct teachers"), with the endorsements' ids as evidence. The hub is
//! the issuer and signs it alone, once per cryptosuite (`eddsa-jcs-2022`
//! and `eddsa-rdfc-2022`, both `assertionMethod`), so agora and wallet
//! verifiers both accept it. Read back only in exactly the shape written.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::credential::{OB_CONTEXT, VC_CONTEXT};
use super::data_integrity::{
    CheckedProof, Cryptosuite, DocumentHashes, ProofError, ProofOptions, check_proof, create_proof, format_date,
    parse_date, verify_checked,
};
use super::rdfc::ContextSet;
use super::{Party, Suites, strict_json};
use crate::identity::{Identity, did_key_from_public, key_bytes_from_did_key};
use crate::wire::{FieldError, check_list, check_text};

pub const VALIDATION_TYPE: &str = "EndorsementCredential";
/// The hub issues it.
pub const HUB_PURPOSE: &str = "assertionMethod";
/// Endorsements one validation names as evidence at most.
pub const MAX_EVIDENCE: usize = 256;
/// Largest validation file agora reads.
pub const MAX_VALIDATION_BYTES: usize = 128 * 1024;
const MAX_VALIDATION_VALUES: usize = 4096;
const EVIDENCE_GENRE: &str = "Co-signed endorsement";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Validation {
    /// `urn:uuid:…`.
    pub id: String,
    pub hub: Party,
    pub learner: Party,
    /// What was validated, in one line: "rust", "path Rust foundations".
    pub scope: String,
    /// What the hub verified, in words.
    pub statement: String,
    /// The ids of the endorsements it verified.
    pub evidence: Vec<String>,
    pub issued: Timestamp,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq, Clone)]
pub enum ValidationError {
    #[error("not JSON: {0}")]
    Json(String),
    #[error("`{0}` is missing or is not what agora writes")]
    Shape(String),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("a validation carries exactly two proofs by its hub (jcs and rdfc, assertionMethod); {0}")]
    Proofs(String),
    #[error("proof {index}: {source}")]
    Proof { index: usize, source: ProofError },
    #[error("not valid before {0}")]
    NotYetValid(String),
}

impl Validation {
    pub fn validate(&self) -> Result<(), FieldError> {
        if !is_uuid_urn(&self.id) {
            return Err(FieldError::new("id", "must be urn:uuid:…"));
        }
        if self.hub.key == self.learner.key {
            return Err(FieldError::new("learner", "a hub does not validate itself"));
        }
        check_text("hub.name", &self.hub.name, 64, false)?;
        check_text("learner.name", &self.learner.name, 64, false)?;
        check_text("scope", &self.scope, 120, false)?;
        check_text("statement", &self.statement, 1000, false)?;
        check_list("evidence", &self.evidence, 1, MAX_EVIDENCE)?;
        for id in &self.evidence {
            if !is_uuid_urn(id) {
                return Err(FieldError::new("evidence", "each must be an endorsement's urn:uuid:…"));
            }
        }
        Ok(())
    }

    pub fn to_document(&self) -> Value {
        json!({
            "@context": [VC_CONTEXT, OB_CONTEXT],
            "id": self.id,
            "type": ["VerifiableCredential", VALIDATION_TYPE],
            "name": format!("Validated by {}: {}", self.hub.name, self.scope),
            "issuer": {
                "id": did_key_from_public(&self.hub.key),
                "type": ["Profile"],
                "name": self.hub.name,
            },
            "validFrom": format_date(self.issued),
            "credentialSubject": {
                "id": did_key_from_public(&self.learner.key),
                "type": ["EndorsementSubject"],
                "endorsementComment": self.statement,
            },
            "evidence": self.evidence.iter().map(|id| json!({
                "id": id,
                "type": ["Evidence"],
                "genre": EVIDENCE_GENRE,
            })).collect::<Vec<_>>(),
            "description": format!("{} verified {}'s co-signed endorsements in {}.", self.hub.name, self.learner.name, self.scope),
        })
    }

    /// Reads the claims of a secured document, leaving `proof` aside.
    pub fn from_secured(doc: &Value) -> Result<Self, ValidationError> {
        let text = |path: &str| {
            doc.pointer(path).and_then(Value::as_str).map(str::to_owned).ok_or(ValidationError::Shape(path.to_owned()))
        };
        let did =
            |path: &str| key_bytes_from_did_key(&text(path)?).map_err(|_| ValidationError::Shape(path.to_owned()));
        let evidence = match doc.get("evidence") {
            Some(Value::Array(items)) if !items.is_empty() && items.len() <= MAX_EVIDENCE => items
                .iter()
                .map(|e| e.get("id").and_then(Value::as_str).map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or(ValidationError::Shape("evidence".into()))?,
            _ => return Err(ValidationError::Shape("evidence".into())),
        };
        let hub_name = text("/issuer/name")?;
        let name = text("/name")?;
        let scope = name
            .strip_prefix(&format!("Validated by {hub_name}: "))
            .ok_or(ValidationError::Shape("name".into()))?
            .to_owned();
        let validation = Validation {
            id: text("/id")?,
            hub: Party { key: did("/issuer/id")?, name: hub_name },
            learner: Party { key: did("/credentialSubject/id")?, name: String::new() },
            scope,
            statement: text("/credentialSubject/endorsementComment")?,
            evidence,
            issued: parse_date(&text("/validFrom")?).ok_or(ValidationError::Shape("validFrom".into()))?,
        };
        // The learner's name is only in the description.
        let description = text("/description")?;
        let learner_name = description
            .strip_prefix(&format!("{} verified ", validation.hub.name))
            .and_then(|rest| rest.strip_suffix(&format!("'s co-signed endorsements in {}.", validation.scope)))
            .ok_or(ValidationError::Shape("description".into()))?
            .to_owned();
        let validation = Validation { learner: Party { name: learner_name, ..validation.learner }, ..validation };
        validation.validate()?;
        let mut unsecured = doc.clone();
        if let Value::Object(map) = &mut unsecured {
            map.remove("proof");
        }
        if unsecured != validation.to_document() {
            return Err(ValidationError::Shape("(document)".into()));
        }
        Ok(validation)
    }
}

fn is_uuid_urn(text: &str) -> bool {
    text.strip_prefix("urn:uuid:").is_some_and(|u| uuid::Uuid::try_parse(u).is_ok())
}

/// The hub signs `validation` once per cryptosuite; returns the file bytes.
pub fn issue(validation: &Validation, hub: &Identity, now: Timestamp) -> Result<Vec<u8>, ValidationError> {
    validation.validate()?;
    if hub.public() != validation.hub.key {
        return Err(FieldError::new("hub", "must be the signing key").into());
    }
    let mut document = validation.to_document();
    let proofs = [Cryptosuite::Jcs, Cryptosuite::Rdfc]
        .into_iter()
        .enumerate()
        .map(|(index, suite)| {
            create_proof(&document, hub, ProofOptions::new(suite, now, HUB_PURPOSE))
                .map_err(|source| ValidationError::Proof { index, source })
        })
        .collect::<Result<Vec<_>, _>>()?;
    document["proof"] = Value::Array(proofs);
    let mut bytes = serde_json::to_vec_pretty(&document).map_err(|e| ValidationError::Json(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Verifies a validation file and keeps it in `store` when it is about
/// `me`; returns it and whether it was new.
pub fn keep(
    store: &crate::store::Store,
    me: &crate::identity::PublicKey,
    bytes: &[u8],
    now: Timestamp,
) -> Result<(Validation, bool), KeepError> {
    let validation = verify(bytes, now)?;
    if validation.learner.key != *me {
        return Err(KeepError::NotYours);
    }
    let added = store.put_validation(&validation, bytes)?;
    Ok((validation, added))
}

#[derive(Debug, thiserror::Error)]
pub enum KeepError {
    #[error("the validation does not verify: {0}")]
    Invalid(#[from] ValidationError),
    #[error("this validation is about someone else; only its learner keeps it")]
    NotYours,
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

/// Whether a parsed document says it is a hub's validation.
pub fn is_validation(document: &Value) -> bool {
    document.get("type").and_then(Value::as_array).is_some_and(|types| types.iter().any(|t| t == VALIDATION_TYPE))
}

/// Verifies a validation file: its shape, that it carries exactly the
/// hub's two proofs (checked before any hashing), both signatures, and
/// that it is valid at `now`.
pub fn verify(bytes: &[u8], now: Timestamp) -> Result<Validation, ValidationError> {
    let doc = strict_json::parse_within(bytes, MAX_VALIDATION_BYTES, MAX_VALIDATION_VALUES)
        .map_err(|e| ValidationError::Json(e.to_string()))?;
    verify_value(&doc, now, Suites::All)
}

/// A validation that verified in full, with the bytes that did.
#[derive(Clone, Debug)]
pub struct VerifiedValidation {
    validation: Validation,
    bytes: Vec<u8>,
}

impl VerifiedValidation {
    pub fn validation(&self) -> &Validation {
        &self.validation
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// [`verify`], keeping the bytes that verified (to present them).
pub fn verified(bytes: Vec<u8>, now: Timestamp) -> Result<VerifiedValidation, ValidationError> {
    let validation = verify(&bytes, now)?;
    Ok(VerifiedValidation { validation, bytes })
}

/// Verifies a parsed validation: [`screen`], then the signatures of the
/// cryptosuites `suites` asks for (both proofs cover the same document,
/// hashed once per suite).
pub fn verify_value(doc: &Value, now: Timestamp, suites: Suites) -> Result<Validation, ValidationError> {
    let (validation, checked) = screened(doc, now)?;
    let unsecured = unsecured(doc);
    let proofs = proofs_of(doc);
    let mut hashes = DocumentHashes::default();
    for proof in checked.iter().filter(|c| suites.checks(Some(c.suite))) {
        verify_checked(&unsecured, proofs, proof, &mut hashes, ContextSet::builtin())
            .map_err(|source| ValidationError::Proof { index: proof.index, source })?;
    }
    Ok(validation)
}

/// Everything about a validation that needs no hashing: its shape, that it
/// carries exactly two proofs, one per cryptosuite, each the hub's
/// `assertionMethod` by the hub's key, and that it is valid at `now`.
pub fn screen(doc: &Value, now: Timestamp) -> Result<Validation, ValidationError> {
    screened(doc, now).map(|(validation, _)| validation)
}

fn screened(doc: &Value, now: Timestamp) -> Result<(Validation, Vec<CheckedProof>), ValidationError> {
    let validation = Validation::from_secured(doc)?;
    let proofs = match doc.get("proof") {
        Some(Value::Array(items)) => items.as_slice(),
        _ => return Err(ValidationError::Proofs("found none".into())),
    };
    if proofs.len() != 2 {
        return Err(ValidationError::Proofs(format!("found {}", proofs.len())));
    }
    let unsecured = unsecured(doc);
    let mut checked = Vec::with_capacity(2);
    for index in 0..proofs.len() {
        let proof =
            check_proof(&unsecured, proofs, index).map_err(|source| ValidationError::Proof { index, source })?;
        if proof.info.purpose != HUB_PURPOSE || proof.key != validation.hub.key {
            return Err(ValidationError::Proofs(format!("proof {index} is not the hub's assertion")));
        }
        if !proof.info.previous_proof.is_empty() {
            return Err(ValidationError::Proofs(format!("proof {index} chains to another")));
        }
        if proof.info.expires.as_deref().and_then(parse_date).is_some_and(|expires| expires < now) {
            return Err(ValidationError::Proofs(format!("proof {index} has expired")));
        }
        checked.push(proof);
    }
    if checked[0].suite == checked[1].suite {
        return Err(ValidationError::Proofs("one per cryptosuite".into()));
    }
    if validation.issued > now.saturating_add(jiff::SignedDuration::from_mins(10)).unwrap_or(now) {
        return Err(ValidationError::NotYetValid(format_date(validation.issued)));
    }
    Ok((validation, checked))
}

fn proofs_of(doc: &Value) -> &[Value] {
    doc.get("proof").and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn unsecured(doc: &Value) -> Value {
    let mut unsecured = doc.clone();
    if let Value::Object(map) = &mut unsecured {
        map.remove("proof");
    }
    unsecured
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Validation, Identity) {
        let hub = Identity::from_secret_bytes(&[5; 32]);
        let validation = Validation {
            id: "urn:uuid:0b6cf0a6-8a8e-4f4e-9a63-1b9c5a0d2f10".into(),
            hub: Party { key: hub.public(), name: "Kreuzberg Library".into() },
            learner: Party { key: Identity::from_secret_bytes(&[2; 32]).public(), name: "Lea".into() },
            scope: "rust".into(),
            statement: "3 sessions in rust, 4.5 h, with 2 distinct teachers".into(),
            evidence: vec!["urn:uuid:6a1f1c2e-0d0b-4c53-9b59-5b1c2f0e9a11".into()],
            issued: "2026-11-25T12:00:00Z".parse().unwrap(),
        };
        (validation, hub)
    }

    #[test]
    fn a_validation_verifies_and_any_change_does_not() {
        let (validation, hub) = sample();
        let now: Timestamp = "2026-11-26T12:00:00Z".parse().unwrap();
        let bytes = issue(&validation, &hub, now).unwrap();
        assert_eq!(verify(&bytes, now).unwrap(), validation);
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(is_validation(&doc));
        let mut inflated = doc.clone();
        inflated["credentialSubject"]["endorsementComment"] =
            json!("30 sessions in rust, 45 h, with 9 distinct teachers");
        assert!(matches!(
            verify(&serde_json::to_vec(&inflated).unwrap(), now),
            Err(ValidationError::Shape(_) | ValidationError::Proof { .. })
        ));
        let mut one = doc.clone();
        one["proof"].as_array_mut().unwrap().pop();
        assert!(matches!(verify(&serde_json::to_vec(&one).unwrap(), now), Err(ValidationError::Proofs(_))));
        // Another key signing "as the hub" is refused before any hashing.
        let eve = Identity::from_secret_bytes(&[6; 32]);
        let forged = issue(
            &Validation { hub: Party { key: eve.public(), ..validation.hub.clone() }, ..validation.clone() },
            &eve,
            now,
        )
        .unwrap();
        let mut swapped: Value = serde_json::from_slice(&forged).unwrap();
        swapped["issuer"] = doc["issuer"].clone();
        assert!(verify(&serde_json::to_vec(&swapped).unwrap(), now).is_err());
        let early: Timestamp = "2026-11-20T12:00:00Z".parse().unwrap();
        assert!(matches!(verify(&bytes, early), Err(ValidationError::NotYetValid(_))));
    }
}
