//! The holder's proof over a presentation: one proof, with only the fields
//! agora writes, chained to nothing, signed by the holder for
//! `authentication`, valid now, and bound to what the verifier asked for.
//! All of that is checked first; the presentation is hashed only when
//! nothing in it was found wrong by then.

use jiff::Timestamp;
use serde_json::Value;

use super::check::HolderProof;
use super::{HOLDER_PURPOSE, MAX_BINDING_CHARS, PresentationError, PresentationReport};
use crate::endorse::Suites;
use crate::endorse::data_integrity::{
    CheckedProof, DocumentHashes, ProofError, check_proof, parse_date, proof_info, verify_checked,
};
use crate::endorse::rdfc::ContextSet;
use crate::identity::did_key_from_public;
use crate::wire::MAX_FUTURE_SKEW;

/// The fields agora writes in a holder's proof (and `expires`, which it reads).
const FIELDS: &[&str] = &[
    "type",
    "cryptosuite",
    "created",
    "verificationMethod",
    "proofPurpose",
    "proofValue",
    "challenge",
    "domain",
    "expires",
    "@context",
];

/// Checks the holder's proof of `unsecured` (the presentation without its
/// `proof`); its signature only when `hash` allows and no rule of its own
/// failed.
pub(super) fn check(
    unsecured: &Value,
    proofs: &[Value],
    now: Timestamp,
    suites: Suites,
    contexts: &ContextSet,
    hash: bool,
    report: &mut PresentationReport,
) {
    if proofs.len() != 1 {
        report.problems.push(PresentationError::ProofCount(proofs.len()));
    }
    let Some(proof) = proofs.first() else {
        return;
    };
    let info = match proof_info(proof) {
        Ok(info) => info,
        Err(e) if proofs.len() == 1 => return report.problems.push(PresentationError::Proof(e)),
        Err(_) => return,
    };
    let checked = if proofs.len() == 1 { screen(unsecured, proofs, now, report).map_err(Some) } else { Err(None) };
    let checked = checked.map_err(|problem| report.problems.extend(problem)).ok();
    let signature = checked.filter(|c| hash && suites.checks(Some(c.suite))).map(|checked| {
        let result = verify_checked(unsecured, proofs, &checked, &mut DocumentHashes::default(), contexts);
        if let Err(e) = &result {
            report.problems.push(PresentationError::Proof(e.clone()));
        }
        result.map(|_| ())
    });
    report.proof = Some(HolderProof {
        cryptosuite: info.cryptosuite,
        created: info.created,
        verification_method: info.verification_method,
        purpose: info.purpose,
        challenge: info.challenge,
        domain: info.domain,
        signature,
    });
}

/// The holder's only proof, checked against every rule that needs no
/// hashing; or the first rule it breaks.
fn screen(
    unsecured: &Value,
    proofs: &[Value],
    now: Timestamp,
    report: &PresentationReport,
) -> Result<CheckedProof, PresentationError> {
    let fields = proofs[0].as_object().ok_or(PresentationError::Proof(ProofError::NotAnObject))?;
    if fields.contains_key("previousProof") {
        return Err(PresentationError::Chained);
    }
    if let Some(field) = fields.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(PresentationError::UnexpectedProofField(field.chars().take(100).collect()));
    }
    let checked = check_proof(unsecured, proofs, 0).map_err(PresentationError::Proof)?;
    let info = &checked.info;
    if report.holder.is_some_and(|holder| holder != checked.key) {
        return Err(PresentationError::NotHolder(did_key_from_public(&checked.key)));
    }
    if info.purpose != HOLDER_PURPOSE {
        return Err(PresentationError::WrongPurpose(info.purpose.chars().take(100).collect()));
    }
    if let Some(created) = parse_date(&info.created)
        && created.duration_since(now) > MAX_FUTURE_SKEW
    {
        return Err(PresentationError::NotYetValid(info.created.clone()));
    }
    if let Some(expires) = info.expires.as_deref().and_then(parse_date)
        && expires < now
    {
        return Err(PresentationError::Expired(expires.to_string()));
    }
    for (field, value, expected) in
        [("challenge", &info.challenge, &report.request.challenge), ("domain", &info.domain, &report.request.domain)]
    {
        if value.as_ref().is_some_and(|v| v.chars().count() > MAX_BINDING_CHARS) {
            return Err(PresentationError::BindingTooLong { field, max: MAX_BINDING_CHARS });
        }
        if let Some(expected) = expected
            && value.as_ref() != Some(expected)
        {
            let found = value.as_ref().map_or("none".to_owned(), |v| format!("`{v}`"));
            let expected = expected.clone();
            return Err(match field {
                "challenge" => PresentationError::Challenge { expected, found },
                _ => PresentationError::Domain { expected, found },
            });
        }
    }
    Ok(checked)
}
