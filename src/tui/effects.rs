//! Carrying out what the user asked (an [`Effect`]) with the node, in the
//! background: each returns the status line's message, and some also send
//! data back as actions (a negotiation's new state, a track record, a
//! verification report).

use n0_future::StreamExt as _;
use tokio::sync::mpsc;

use super::run::Options;
use crate::app::{Action, Effect, TrackRecord};
use crate::node::Node;

/// Does what the user asked; returns the status line's message.
pub(super) async fn carry_out(
    effect: Effect,
    node: &Node,
    options: &Options,
    actions: &mpsc::UnboundedSender<Action>,
) -> Option<Result<String, String>> {
    let said = |r: Result<String, crate::node::NodeError>| {
        Some(r.map_err(|e| crate::app::explain(&e, &options.tz, options.clock.now())))
    };
    match effect {
        Effect::Quit => None,
        Effect::Publish(listing) => {
            let title = listing.title.clone();
            said(node.publish_listing(listing).await.map(|_| format!("Published “{title}”")))
        }
        Effect::Withdraw(id) => said(node.withdraw_listing(id).await.map(|_| "Withdrawn everywhere".into())),
        Effect::Pause(id) => {
            said(node.pause_listing(id).await.map(|_| "Paused: withdrawn everywhere, kept here".into()))
        }
        Effect::Resume(id) => said(node.resume_listing(id).await.map(|_| "Resumed: published again".into())),
        Effect::Propose(listing, terms) => {
            said(node.propose(listing, terms).await.map(|_| "Proposed: see Sessions for their answer".into()))
        }
        Effect::Act(id, step) => {
            let what = step.done();
            said(node.act(id, step).await.map(|n| {
                let message = format!("{what}: the session is now {}", n.phase.name());
                let _ = actions.send(Action::Negotiation(Box::new(n)));
                message
            }))
        }
        Effect::Chat(id, text) => {
            said(node.chat(id, text).await.map(|_| "Message kept and on its way (the chat says while it waits)".into()))
        }
        Effect::Review(id, rating, words) => said(
            node.review(id, rating, words)
                .await
                .map(|_| "Review sent; you will read the whole record before you sign it".into()),
        ),
        Effect::Attest(id, attestation) => said(
            node.attest(id, attestation)
                .await
                .map(|_| "Your part is kept; read the whole record, then press a to sign it".into()),
        ),
        Effect::Approve(id, seen) => said(node.approve(id, seen).await.map(|_| {
            let endorsed = node.store().negotiation(&id).ok().flatten().and_then(|n| node.cosign_progress(&n).ok());
            match endorsed.map(|p| p.stage) {
                Some(crate::node::record::Stage::Endorsed) => {
                    "Endorsement signed by both and stored: see your portfolio".into()
                }
                _ => format!("Signed the record {} you read; waiting for their signature", seen.short()),
            }
        })),
        Effect::DeclineRecord(id, seen, reason) => {
            said(node.decline_record(id, seen, reason).await.map(|_| "Declined; the teacher reads why".into()))
        }
        Effect::Connect(ticket) => match ticket.parse() {
            Ok(ticket) => said(node.connect(ticket).await.map(|_| "Connecting; their listings follow".into())),
            Err(e) => Some(Err(format!("{e}"))),
        },
        Effect::Unblock(peer) => said(
            node.set_blocked(peer, false)
                .await
                .map(|_| format!("Unblocked {}; their listings come back with the next sync", peer.fingerprint())),
        ),
        Effect::Block(peer) => said(
            node.set_blocked(peer, true)
                .await
                .map(|n| format!("Blocked {}; {n} listing(s) removed", peer.fingerprint())),
        ),
        Effect::SetJoined(id, joined) => {
            said(node.set_joined(id, joined).await.map(|changed| match (joined, changed) {
                (true, true) => format!("Joined community {}", id.short()),
                (true, false) => format!("Already in community {}", id.short()),
                (false, true) => format!("Left community {}; its charter stays, to join again", id.short()),
                (false, false) => format!("Not in community {}", id.short()),
            }))
        }
        Effect::FoundCommunity(founding) => {
            let mut nonce = [0u8; 16];
            if let Err(e) = getrandom::fill(&mut nonce) {
                return Some(Err(format!("no randomness for the community's id: {e}")));
            }
            let charter = founding.charter(node.id(), nonce);
            let (id, name) = (charter.id(), charter.name.clone());
            said(node.publish_charter(charter).await.map(|_| {
                format!("Founded “{name}” ({}): share it with `agora community ticket {}`", id.short(), id.short())
            }))
        }
        Effect::JoinCommunity(text) => match text.parse::<crate::community::ticket::CommunityTicket>() {
            Ok(ticket) => {
                let member = crate::identity::PublicKey::from(*ticket.member.addr.id.as_bytes());
                let id = ticket.community;
                if let Some(invitation) = ticket.invitation
                    && let Err(e) = node.keep_invitation(invitation).await
                {
                    return Some(Err(format!("the ticket's invitation: {e}")));
                }
                match node.connect(ticket.member).await {
                    Ok(_) => said(node.join_via(id, member).await.map(|_| {
                        format!(
                            "Joined community {}; its charter is on its way from {}",
                            id.short(),
                            member.fingerprint()
                        )
                    })),
                    Err(e) => said(Err(e)),
                }
            }
            Err(e) => Some(Err(e.to_string())),
        },
        Effect::AskHub(text, ask) => match text.parse::<crate::net::Ticket>() {
            Ok(ticket) => said(node.ask_hub(ticket, ask).await.map(|statement| {
                format!("Validated: {statement} (kept beside your endorsements: see your portfolio)")
            })),
            Err(e) => Some(Err(e.to_string())),
        },
        Effect::Pin(peer, pinned) => Some(
            crate::config::set_pinned(&options.config_file, &peer, pinned)
                .map(|_| {
                    let what = if pinned { "Pinned" } else { "Unpinned" };
                    format!("{what} {}: trust is counted from your circle and your pins", peer.fingerprint())
                })
                .map_err(|e| e.to_string()),
        ),
        Effect::FetchTrackRecord(peer) => {
            let _ = actions.send(Action::TrackRecord(peer, track_record(node, peer).await));
            None
        }
        Effect::FetchTrackRecords(peers) => {
            // A few at a time, each verified here.
            use n0_future::BufferedStreamExt as _;
            let mut fetches = n0_future::stream::iter(peers)
                .map(|peer| async move { (peer, track_record(node, peer).await) })
                .buffered_unordered(8);
            while let Some((peer, record)) = fetches.next().await {
                let _ = actions.send(Action::TrackRecord(peer, record));
            }
            None
        }
        Effect::Export(id) => Some(export(node, &id, &options.export_dir)),
        Effect::Present(selection, binding) => Some(present(node, selection, binding, options).await),
        Effect::Inspect(id) => {
            let lines = inspect(node, &id, options.clock.now());
            let _ = actions.send(Action::Inspected(id, lines));
            None
        }
        Effect::FastForward => options.fast_forward.as_ref().map(|f| Ok(f())),
        Effect::Onboard(onboarding) => Some(onboard(node, onboarding, options).await),
    }
}

/// Saves the profile to config.toml, announces it, and publishes a first
/// offer per skill to teach and a first request per skill to learn.
async fn onboard(node: &Node, onboarding: crate::app::Onboarding, options: &Options) -> Result<String, String> {
    let choice = &onboarding.choice;
    crate::config::save_profile(&options.config_file, choice).map_err(|e| e.to_string())?;
    node.set_profile(onboarding.profile()).await.map_err(|e| e.to_string())?;
    let mut ids = std::iter::from_fn(|| crate::market::Id16::random().ok());
    let listings = onboarding.first_listings(&mut ids, options.clock.now());
    let published = listings.len();
    for listing in listings {
        node.publish_listing(listing).await.map_err(|e| e.to_string())?;
    }
    Ok(if published > 0 {
        format!("Welcome, {}! {published} listing(s) published; edit them under My listings", choice.name)
    } else {
        format!("Saved, {}", choice.name)
    })
}

/// `peer`'s public endorsements, fetched and verified, as a track record.
async fn track_record(node: &Node, peer: crate::identity::PublicKey) -> Result<TrackRecord, String> {
    node.fetch_portfolio(peer)
        .await
        .map(|p| {
            let endorsements: Vec<_> = p.verified.iter().map(|e| e.endorsement().clone()).collect();
            TrackRecord::of(&peer, &endorsements, p.refused)
        })
        .map_err(|_| "not reachable right now".to_owned())
}

/// Each proof's verdict, then the whole record's, in words.
fn inspect(node: &Node, id: &str, now: jiff::Timestamp) -> Vec<(String, bool)> {
    let bytes = match node.store().endorsement_bytes(id) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return vec![("not in the store".into(), false)],
        Err(e) => return vec![(e.to_string(), false)],
    };
    let report = crate::endorse::inspect(&bytes, now);
    let mut lines: Vec<(String, bool)> = report
        .proofs
        .iter()
        .map(|p| {
            let who = match p.role {
                Some(crate::market::Role::Teacher) => "teacher",
                Some(crate::market::Role::Learner) => "learner",
                None => "stranger",
            };
            match &p.signature {
                Some(Ok(())) => (format!("{who}'s {} proof: valid", p.cryptosuite), true),
                Some(Err(e)) => (format!("{who}'s {} proof: {e}", p.cryptosuite), false),
                None => (format!("{who}'s {} proof: not checked", p.cryptosuite), true),
            }
        })
        .collect();
    for problem in &report.problems {
        lines.push((problem.to_string(), false));
    }
    lines.push(if report.is_valid() {
        ("VALID: signed by both, verified just now".into(), true)
    } else {
        ("NOT VALID".into(), false)
    });
    lines
}

/// Picks and verifies the endorsements off the runtime threads, has the
/// node sign the presentation, and writes it to the export folder.
async fn present(
    node: &Node,
    selection: crate::endorse::presentation::Selection,
    binding: crate::endorse::presentation::Binding,
    options: &Options,
) -> Result<String, String> {
    let (store, me, now) = (node.store().clone(), node.id(), options.clock.now());
    use crate::endorse::presentation::{verified, verified_validations};
    let ((picked, left_out), (validations, stale)) = tokio::task::spawn_blocking(move || {
        let picked = verified(store.presentable(&me, &selection)?, now);
        let ids: Vec<&str> = picked.0.iter().map(|e| e.endorsement().id.as_str()).collect();
        let validations = verified_validations(store.presentable_validations(&selection, &ids)?, now);
        Ok::<_, crate::store::StoreError>((picked, validations))
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    if picked.is_empty() && validations.is_empty() {
        return Err("no endorsement of yours matches".into());
    }
    let contents = crate::endorse::presentation::contents(&picked, validations.len());
    let left_out = left_out + stale;
    let suite = crate::endorse::data_integrity::Cryptosuite::Jcs;
    let bytes = node.present(picked, validations, binding, suite).await.map_err(|e| e.to_string())?;
    let dir = &options.export_dir;
    crate::files::ensure_private_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("presentation-{}.json", now.strftime("%Y%m%d-%H%M%S")));
    crate::files::write_private(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    let skipped = if left_out > 0 { format!("; {left_out} left out, no longer valid") } else { String::new() };
    Ok(format!("Wrote {}: {contents}, signed by you{skipped}", path.display(),))
}

fn export(node: &Node, id: &str, dir: &std::path::Path) -> Result<String, String> {
    let bytes = node.store().endorsement_bytes(id).map_err(|e| e.to_string())?.ok_or("no such endorsement")?;
    crate::files::ensure_private_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.json", crate::cli::short_id(id)));
    crate::files::write_private(&path, &bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(format!("Wrote {} (check it with `agora verify`)", path.display()))
}
