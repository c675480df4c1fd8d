//! A question asked before an action that goes out under the user's key
//! or is hard to undo: signing a record, blocking someone. It shows what
//! the action is about (label and value, the values often a peer's words),
//! scrolls when that does not fit, and carries the effect to run on yes.

use super::Effect;
use crate::endorse::Endorsement;
use crate::market::NegotiationId;
use crate::node::record::ToApprove;

#[derive(Clone, Debug, PartialEq)]
pub struct Confirm {
    pub title: String,
    /// What the action is about: label and value.
    pub lines: Vec<(String, String)>,
    pub question: String,
    /// What "yes" runs.
    pub effect: Effect,
    /// Lines scrolled past.
    pub scroll: u16,
}

impl Confirm {
    /// Signing the record shown, word for word, with the user's key.
    pub fn sign(id: NegotiationId, record: &ToApprove, tz: &jiff::tz::TimeZone) -> Self {
        let mut lines = record_fields(&record.record, tz);
        lines.push(("record".into(), record.digest.short()));
        Self {
            title: "Sign this record?".into(),
            lines,
            question: "Your signature goes on exactly these words, and both of you keep the record.".into(),
            effect: Effect::Approve(id, record.digest),
            scroll: 0,
        }
    }

    /// How far scrolling may go: the lines the text takes on the
    /// narrowest dialog drawn (40 columns), less a screenful. Drawing
    /// clamps to what fits the real width.
    pub fn max_scroll(&self) -> u16 {
        let wrapped: usize = self.lines.iter().map(|(_, value)| (11 + value.chars().count()).div_ceil(40)).sum();
        u16::try_from(wrapped.saturating_sub(8)).unwrap_or(u16::MAX)
    }

    /// Blocking a peer (undone from the Network tab).
    pub fn block(peer: crate::identity::PublicKey, name: &str, listings: usize) -> Self {
        Self {
            title: format!("Block {}?", crate::text::escape(name)),
            lines: vec![
                ("name".into(), name.to_owned()),
                ("key".into(), peer.fingerprint()),
                (
                    "listings".into(),
                    match listings {
                        1 => "their one listing leaves your directory".into(),
                        n => format!("their {n} listings leave your directory"),
                    },
                ),
            ],
            question: "Nothing of theirs is taken in any more. Undo it on the Network tab.".into(),
            effect: Effect::Block(peer),
            scroll: 0,
        }
    }
}

/// An endorsement's claims as label and value, in the order a reader
/// takes them in (the Portfolio and the signing question share it).
pub fn record_fields(e: &Endorsement, tz: &jiff::tz::TimeZone) -> Vec<(String, String)> {
    let mut fields = vec![
        ("teacher".into(), e.teacher.name.clone()),
        ("learner".into(), e.learner.name.clone()),
        ("skill".into(), e.skill.clone()),
        ("when".into(), format!("{} ({} min)", super::local_text(e.start, tz), e.minutes())),
        ("rating".into(), format!("{}/5", e.rating)),
        ("covered".into(), e.covered.clone()),
        ("review".into(), e.review.clone()),
        ("showed".into(), e.attestation.clone()),
    ];
    // The standards the skill is aligned to travel with the credential.
    for a in &e.alignments {
        fields.push((
            "aligned".into(),
            format!("{} {}: {} ({})", a.target_framework, a.target_code, a.target_name, a.target_url),
        ));
    }
    fields
}
