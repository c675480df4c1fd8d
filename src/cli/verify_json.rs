//! `agora verify --json`: the same findings as the report, for machines.

use serde_json::{Value, json};

use super::verify::role_name;
use crate::endorse::Report;
use crate::endorse::presentation::PresentationReport;
use crate::endorse::validation::{Validation, ValidationError};
use crate::identity::did_key_from_public;

pub fn credential(report: &Report) -> Value {
    let mut value = json!({
        "kind": "credential",
        "valid": report.is_valid(),
        "wallet_ready": report.wallet_ready(),
        "proofs": report.proofs.iter().enumerate().map(|(index, p)| json!({
            "index": index,
            "signer": p.role.map(|r| role_name(Some(r))),
            "cryptosuite": p.cryptosuite,
            "purpose": p.purpose,
            "created": p.created,
            "verification_method": p.verification_method,
            "verified": p.signature.as_ref().map(|s| s.is_ok()),
            "error": p.signature.as_ref().and_then(|s| s.as_ref().err()).map(|e| e.to_string()),
        })).collect::<Vec<_>>(),
        "problems": report.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
    });
    match &report.claims {
        Ok(e) => {
            let party = |p: &crate::endorse::Party| json!({ "did": did_key_from_public(&p.key), "name": p.name });
            value["id"] = json!(e.id);
            value["skill"] = json!(e.skill);
            value["teacher"] = party(&e.teacher);
            value["learner"] = party(&e.learner);
            value["start"] = json!(e.start.to_string());
            value["end"] = json!(e.end.to_string());
            value["minutes"] = json!(e.minutes());
            value["rating"] = json!(e.rating);
            value["covered"] = json!(e.covered);
            value["review"] = json!(e.review);
            value["attestation"] = json!(e.attestation);
        }
        Err(shape) => value["shape_error"] = json!(shape.to_string()),
    }
    value
}

/// A hub's validation: what it says, or why it does not verify.
pub fn validation(result: &Result<Validation, ValidationError>) -> Value {
    match result {
        Ok(v) => json!({
            "valid": true, "kind": "validation", "id": v.id,
            "hub": did_key_from_public(&v.hub.key), "hub_name": v.hub.name,
            "learner": did_key_from_public(&v.learner.key), "learner_name": v.learner.name,
            "scope": v.scope, "statement": v.statement, "evidence": v.evidence, "valid_from": v.issued.to_string(),
        }),
        Err(e) => json!({ "valid": false, "kind": "validation", "problems": [e.to_string()] }),
    }
}

pub fn presentation(report: &PresentationReport) -> Value {
    json!({
        "kind": "presentation",
        "valid": report.is_valid(),
        "id": report.id,
        "holder": report.holder.as_ref().map(did_key_from_public),
        "proof": report.proof.as_ref().map(|p| json!({
            "cryptosuite": p.cryptosuite,
            "purpose": p.purpose,
            "created": p.created,
            "verification_method": p.verification_method,
            "challenge": p.challenge,
            "domain": p.domain,
            "verified": p.signature.as_ref().map(|s| s.is_ok()),
            "error": p.signature.as_ref().and_then(|s| s.as_ref().err()).map(|e| e.to_string()),
        })),
        "challenge_checked": report.request.challenge.is_some(),
        "domain_checked": report.request.domain.is_some(),
        "credentials": report.credentials.iter().map(|c| {
            let mut value = credential(&c.report);
            value["index"] = json!(c.index);
            value["holder_role"] = json!(c.holder_role.map(|r| role_name(Some(r))));
            value
        }).collect::<Vec<_>>(),
        "validations": report.validations.iter().map(|v| {
            let mut value = validation(&v.validation);
            value["index"] = json!(v.index);
            value
        }).collect::<Vec<_>>(),
        "problems": report.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>(),
    })
}
