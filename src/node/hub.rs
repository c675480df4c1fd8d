//! `agora/hub/1`: a hub validates learning over the network. A learner's
//! agora sends one request (a presentation of their endorsements, signed
//! by them and bound to this hub, and what to validate: a skill, or the
//! path to a skill of a community's curriculum); the hub verifies every
//! proof, counts the sessions against its `[hub]` policy, and answers with
//! its signed `EndorsementCredential`, or why not. One request per stream,
//! bounded before anything is read; the binding (the hub's did:key as
//! domain, a challenge naming the current minute) keeps a presentation
//! made for another verifier, or long ago, from being used here.

use std::sync::Arc;

use iroh::endpoint::Connection;
use iroh::protocol::{AcceptError, ProtocolHandler};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::community::CommunityId;
use crate::community::hub::{Policy, Scope, assess};
use crate::endorse::presentation::{Binding, inspect_presentation};
use crate::endorse::validation::{Validation, issue};
use crate::endorse::{Party, Suites};
use crate::identity::{Identity, did_key_from_public};
use crate::market::Role;
use crate::node::Clock;
use crate::store::Store;

pub const HUB_ALPN: &[u8] = b"agora/hub/1";
/// A request holds one presentation (some hundreds of endorsements) and a
/// few words.
pub const MAX_HUB_REQUEST_BYTES: usize = 2 << 20;
/// Requests a hub considers at once; more wait.
pub const MAX_CONCURRENT: usize = 4;
/// How long a learner's agora has to send its whole request once the hub
/// takes it up, so clients that never finish cannot hold the hub's turns.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);
/// An answer holds one validation.
pub const MAX_HUB_REPLY_BYTES: usize = 256 * 1024;
/// How far the challenge's minute may be from the hub's clock.
const CHALLENGE_SKEW: SignedDuration = SignedDuration::from_mins(10);

/// What a learner asks a hub to validate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ask {
    Skill(String),
    /// The path to this skill of this community's curriculum.
    Path(CommunityId, String),
}

#[derive(Debug, Serialize, Deserialize)]
pub struct HubRequest {
    /// The presentation's JSON.
    pub presentation: Vec<u8>,
    pub ask: Ask,
}

#[derive(Debug, Serialize, Deserialize)]
pub enum HubReply {
    /// The hub's signed validation (JSON).
    Validation(Vec<u8>),
    Refused(String),
}

/// How a hub serves: its name and policy.
#[derive(Clone, Debug)]
pub struct HubSettings {
    pub name: String,
    pub policy: Policy,
    /// Validations are signed without the operator: the only way the hub
    /// answers over the network.
    pub automatic: bool,
}

/// The binding a learner's presentation to `hub` must carry at `now`.
pub fn binding_for(hub: &crate::identity::PublicKey, now: Timestamp) -> Binding {
    Binding { challenge: Some(challenge_at(now)), domain: Some(did_key_from_public(hub)) }
}

fn challenge_at(at: Timestamp) -> String {
    format!("agora-hub-{}", at.as_second().div_euclid(60))
}

/// Whether `challenge` names a minute within [`CHALLENGE_SKEW`] of `now`.
fn fresh(challenge: &str, now: Timestamp) -> bool {
    let Some(minute) = challenge.strip_prefix("agora-hub-").and_then(|m| m.parse::<i64>().ok()) else {
        return false;
    };
    let skew = CHALLENGE_SKEW.as_secs() / 60;
    (minute - now.as_second().div_euclid(60)).abs() <= skew
}

/// What the hub makes of one request: its validation, signed, or why not.
pub fn consider(
    store: &Store,
    hub: &Identity,
    settings: &HubSettings,
    request: &HubRequest,
    now: Timestamp,
) -> Result<Vec<u8>, String> {
    if !settings.automatic {
        return Err("this hub's operator reads each validation: hand them your presentation \
                    (agora portfolio export) instead"
            .into());
    }
    // Bound to this hub (its did:key as domain) and to a current minute
    // (the challenge, covered by the holder's signature).
    let expected = Binding { challenge: None, domain: Some(did_key_from_public(&hub.public())) };
    let report = inspect_presentation(&request.presentation, now, &expected, Suites::All);
    if !report.is_valid() {
        let why = report.problems.first().map(|p| p.to_string()).unwrap_or_else(|| "it presents nothing".into());
        return Err(format!("the presentation does not verify: {why}"));
    }
    let challenge = report.proof.as_ref().and_then(|p| p.challenge.clone()).unwrap_or_default();
    if !fresh(&challenge, now) {
        return Err("the presentation is not bound to a current challenge of this hub".into());
    }
    let learner = report.holder.ok_or("the presentation names no holder")?;
    let endorsements = report.learned();
    let scope = scope_of(store, &request.ask)?;
    let assessment = assess(&learner, &endorsements, &scope, &settings.policy);
    if !assessment.shortfalls.is_empty() {
        return Err(format!("{}: {}", assessment.statement, assessment.shortfalls.join("; ")));
    }
    let learner_name =
        endorsements.iter().find(|e| e.learner.key == learner).map(|e| e.learner.name.clone()).unwrap_or_default();
    let mut id = [0u8; 16];
    getrandom::fill(&mut id).map_err(|e| e.to_string())?;
    id[6] = (id[6] & 0x0f) | 0x40;
    id[8] = (id[8] & 0x3f) | 0x80;
    let validation = Validation {
        id: format!("urn:uuid:{}", uuid::Uuid::from_bytes(id)),
        hub: Party { key: hub.public(), name: settings.name.clone() },
        learner: Party { key: learner, name: learner_name },
        scope: assessment.scope,
        statement: assessment.statement,
        evidence: assessment.evidence,
        issued: now,
    };
    issue(&validation, hub, now).map_err(|e| e.to_string())
}

/// Serves hub requests on `agora/hub/1`.
#[derive(Clone)]
pub struct HubProtocol {
    identity: Arc<Identity>,
    store: Arc<Store>,
    settings: HubSettings,
    clock: Clock,
    busy: Arc<tokio::sync::Semaphore>,
    request_timeout: std::time::Duration,
}

impl std::fmt::Debug for HubProtocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubProtocol").field("name", &self.settings.name).finish_non_exhaustive()
    }
}

impl HubProtocol {
    pub fn new(identity: Identity, store: Arc<Store>, settings: HubSettings, clock: Clock) -> Self {
        Self {
            identity: Arc::new(identity),
            store,
            settings,
            clock,
            busy: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT)),
            request_timeout: REQUEST_TIMEOUT,
        }
    }

    /// The same hub, giving each request `timeout` to arrive.
    pub fn with_request_timeout(self, timeout: std::time::Duration) -> Self {
        Self { request_timeout: timeout, ..self }
    }

    async fn serve(&self, connection: &Connection) -> anyhow::Result<()> {
        // One request per stream, a few per connection.
        for _ in 0..4 {
            let Ok((mut send, mut recv)) = connection.accept_bi().await else { return Ok(()) };
            let _turn = self.busy.acquire().await?;
            let bytes = match tokio::time::timeout(self.request_timeout, recv.read_to_end(MAX_HUB_REQUEST_BYTES)).await
            {
                Ok(Ok(bytes)) => bytes,
                Ok(Err(iroh::endpoint::ReadToEndError::TooLong)) => {
                    // Read no further; say why, and serve what comes next.
                    recv.stop(0u32.into()).ok();
                    let why = format!("the request is larger than {} MiB", MAX_HUB_REQUEST_BYTES >> 20);
                    send.write_all(&postcard::to_stdvec(&HubReply::Refused(why))?).await?;
                    send.finish()?;
                    continue;
                }
                Ok(Err(e)) => return Err(e.into()),
                Err(_) => anyhow::bail!("no whole request within {:?}", self.request_timeout),
            };
            let reply = match postcard::from_bytes::<HubRequest>(&bytes) {
                Ok(request) => {
                    let (store, identity, settings, now) =
                        (self.store.clone(), self.identity.clone(), self.settings.clone(), self.clock.now());
                    // Verifying proofs is CPU work: off the async threads.
                    let outcome =
                        tokio::task::spawn_blocking(move || consider(&store, &identity, &settings, &request, now))
                            .await?;
                    match outcome {
                        Ok(validation) => {
                            tracing::info!(peer = %connection.remote_id().fmt_short(), "hub: validated");
                            HubReply::Validation(validation)
                        }
                        Err(why) => {
                            tracing::info!(peer = %connection.remote_id().fmt_short(), "hub: refused: {why}");
                            HubReply::Refused(why)
                        }
                    }
                }
                Err(_) => HubReply::Refused("malformed request".into()),
            };
            send.write_all(&postcard::to_stdvec(&reply)?).await?;
            send.finish()?;
        }
        Ok(())
    }
}

impl ProtocolHandler for HubProtocol {
    async fn accept(&self, connection: Connection) -> Result<(), AcceptError> {
        super::shell::served("hub", connection.remote_id(), self.serve(&connection).await);
        Ok(())
    }
}

/// What an ask covers: the skill, or every skill on the path to it in the
/// community's curriculum as held in `store`.
pub fn scope_of(store: &Store, ask: &Ask) -> Result<Scope, String> {
    match ask {
        Ask::Skill(skill) => Ok(Scope::Skill(skill.trim().to_lowercase())),
        Ask::Path(id, goal) => {
            let charter = store.charter(id).ok().flatten().ok_or("no charter of that community is held here")?;
            Scope::path(charter.value(), goal)
        }
    }
}

/// The endorsements `me` learned in `skills` that still verify: all a
/// hub is shown.
pub fn presentable(
    store: &Store,
    me: &crate::identity::PublicKey,
    skills: &[String],
    now: Timestamp,
) -> Result<Vec<crate::endorse::VerifiedEndorsement>, String> {
    use crate::endorse::presentation::{Selection, verified};
    let selection = Selection { role: Some(Role::Learner), ..Default::default() };
    let held = store.presentable(me, &selection).map_err(|e| e.to_string())?;
    let picked: Vec<_> =
        verified(held, now).0.into_iter().filter(|e| skills.contains(&e.endorsement().skill)).collect();
    if picked.is_empty() {
        return Err(format!("you hold no endorsement as a learner in {}", skills.join(", ")));
    }
    Ok(picked)
}

/// Sends `request` to the hub at `addr` and keeps the validation it signs
/// (only if it verifies and is about this user); returns its statement.
pub(super) async fn ask_and_keep(
    remote: &super::Remote,
    addr: iroh::EndpointAddr,
    request: &HubRequest,
) -> Result<String, super::NodeError> {
    use super::NodeError;
    match ask(&remote.endpoint, addr, request).await {
        Ok(HubReply::Validation(bytes)) => {
            let text = String::from_utf8(bytes).map_err(|_| NodeError::Invalid("the hub sent no text".into()))?;
            remote.command(super::core::Command::KeepValidation(text.clone())).await?;
            let statement = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|doc| Validation::from_secured(&doc).ok())
                .map(|v| v.statement)
                .unwrap_or_default();
            Ok(statement)
        }
        Ok(HubReply::Refused(why)) => Err(NodeError::Invalid(format!("the hub refused: {why}"))),
        Err(e) => Err(NodeError::Invalid(format!("asking the hub: {e}"))),
    }
}

/// Sends one request to the hub at `addr` and reads its answer.
pub async fn ask(
    endpoint: &iroh::Endpoint,
    addr: iroh::EndpointAddr,
    request: &HubRequest,
) -> anyhow::Result<HubReply> {
    let bytes = postcard::to_stdvec(request)?;
    anyhow::ensure!(bytes.len() <= MAX_HUB_REQUEST_BYTES, "the presentation is too large for a hub");
    let asked = async {
        let connection = endpoint.connect(addr, HUB_ALPN).await?;
        let (mut send, mut recv) = connection.open_bi().await?;
        send.write_all(&bytes).await?;
        send.finish()?;
        let answer = recv.read_to_end(MAX_HUB_REPLY_BYTES).await?;
        connection.close(0u32.into(), b"done");
        anyhow::Ok(postcard::from_bytes::<HubReply>(&answer)?)
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), asked)
        .await
        .map_err(|_| anyhow::anyhow!("the hub did not answer within a minute"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_challenge_of_the_current_minutes_is_fresh() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        assert!(fresh(&challenge_at(now), now));
        let nine = now.saturating_sub(SignedDuration::from_mins(9)).unwrap();
        assert!(fresh(&challenge_at(nine), now), "a slow clock on either side");
        let stale = now.saturating_sub(SignedDuration::from_mins(12)).unwrap();
        assert!(!fresh(&challenge_at(stale), now), "an old presentation replayed");
        let ahead = now.saturating_add(SignedDuration::from_mins(12)).unwrap();
        assert!(!fresh(&challenge_at(ahead), now));
        for junk in ["", "k7q2", "agora-hub-", "agora-hub-x", "agora-hub-99999999999999999999999"] {
            assert!(!fresh(junk, now), "{junk}");
        }
        let hub = Identity::from_secret_bytes(&[9; 32]).public();
        assert_eq!(binding_for(&hub, now).domain, Some(did_key_from_public(&hub)));
    }
}
