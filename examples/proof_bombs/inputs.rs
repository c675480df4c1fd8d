//! The inputs measured: normal credentials and presentations, and the
//! worst ones that fit agora's size limits, each with the check a peer's
//! input meets (full verification, agora's jcs-only portfolio reading,
//! co-signing, or reading a presentation).

use agora::endorse::cosign::countersign;
use agora::endorse::presentation::{Binding, inspect_presentation};
use agora::endorse::{Endorsement, Suites, inspect_with};

use crate::common;

mod credentials;
mod parts;
mod presentations;

use credentials::*;
use presentations::*;

const JCS: &str = "eddsa-jcs-2022";
const RDFC: &str = "eddsa-rdfc-2022";

pub enum Input {
    Credential { bytes: Vec<u8>, suites: Suites },
    Presentation(Vec<u8>, Binding),
    Countersign { expected: Box<Endorsement>, draft: Vec<u8> },
}

impl Input {
    pub fn len(&self) -> usize {
        match self {
            Input::Credential { bytes, .. }
            | Input::Presentation(bytes, _)
            | Input::Countersign { draft: bytes, .. } => bytes.len(),
        }
    }

    /// Checks the input as agora would; returns "valid" or the first reason.
    pub fn check(&self) -> String {
        let now = common::now();
        let first = |problems: Vec<String>| problems.into_iter().next().unwrap_or_else(|| "valid".into());
        match self {
            Input::Credential { bytes, suites } => {
                let report = inspect_with(bytes, now, *suites);
                let mut problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
                if let Err(shape) = &report.claims {
                    problems.push(format!("shape: {shape}"));
                }
                first(problems)
            }
            Input::Presentation(bytes, request) => {
                let report = inspect_presentation(bytes, now, request, Suites::All);
                first(report.problems.iter().map(ToString::to_string).collect())
            }
            Input::Countersign { expected, draft } => match countersign(expected, draft, &parts::learner(), now) {
                Ok(_) => "valid".into(),
                Err(e) => e.to_string(),
            },
        }
    }
}

pub struct Case {
    pub name: &'static str,
    /// The normal input this one is compared with.
    pub yardstick: &'static str,
    /// Whether each run needs a fresh input (to defeat a memory of results).
    pub per_run: bool,
    pub build: fn(usize) -> Input,
}

pub const CASES: &[Case] = &[
    Case { name: "credential, normal", yardstick: "credential, normal", per_run: false, build: normal_full },
    Case {
        name: "credential, normal, jcs-only reading",
        yardstick: "credential, normal, jcs-only reading",
        per_run: false,
        build: normal_jcs,
    },
    Case { name: "credential, largest legitimate", yardstick: "credential, normal", per_run: false, build: largest },
    Case {
        name: "credential, previousProof x N (jcs)",
        yardstick: "credential, normal",
        per_run: false,
        build: refs_jcs,
    },
    Case {
        name: "credential, previousProof x N (rdfc)",
        yardstick: "credential, normal",
        per_run: false,
        build: refs_rdfc,
    },
    Case {
        name: "credential, previousProof x N, jcs-only reading",
        yardstick: "credential, normal, jcs-only reading",
        per_run: false,
        build: refs_jcs_only,
    },
    Case {
        name: "credential, previousProof x 140 (jcs), within the value limit",
        yardstick: "credential, normal",
        per_run: false,
        build: few_refs_jcs,
    },
    Case {
        name: "credential, previousProof x 140 (rdfc), within the value limit",
        yardstick: "credential, normal",
        per_run: false,
        build: few_refs_rdfc,
    },
    Case { name: "credential, chain of rdfc proofs", yardstick: "credential, normal", per_run: false, build: chain },
    Case {
        name: "credential, 8 proofs (4 more by a stranger)",
        yardstick: "credential, normal",
        per_run: false,
        build: strangers,
    },
    Case {
        name: "credential, largest legitimate, jcs-only reading",
        yardstick: "credential, normal, jcs-only reading",
        per_run: false,
        build: largest_jcs,
    },
    Case { name: "credential, hundreds of rdfc proofs", yardstick: "credential, normal", per_run: false, build: many },
    Case { name: "credential, repeated @context", yardstick: "credential, normal", per_run: true, build: contexts },
    Case { name: "credential, signed JSON-LD junk", yardstick: "credential, normal", per_run: false, build: junk },
    Case { name: "countersign, normal draft", yardstick: "countersign, normal draft", per_run: false, build: draft },
    Case {
        name: "countersign, previousProof draft",
        yardstick: "countersign, normal draft",
        per_run: false,
        build: draft_refs,
    },
    Case {
        name: "countersign, previousProof x 140 draft, within the value limit",
        yardstick: "countersign, normal draft",
        per_run: false,
        build: draft_few_refs,
    },
    Case { name: "presentation, 1 normal", yardstick: "presentation, 1 normal", per_run: false, build: vp_1 },
    Case { name: "presentation, 10 normal", yardstick: "presentation, 10 normal", per_run: false, build: vp_10 },
    Case {
        name: "presentation, 10 previousProof credentials",
        yardstick: "presentation, 10 normal",
        per_run: false,
        build: vp_refs_10,
    },
    Case {
        name: "presentation, 10 previousProof credentials, rdfc holder",
        yardstick: "presentation, 10 normal",
        per_run: false,
        build: vp_refs_10_rdfc,
    },
    Case {
        name: "presentation, 2000 normal (16 MiB limit)",
        yardstick: "presentation, 2000 normal (16 MiB limit)",
        per_run: false,
        build: vp_2000,
    },
    Case {
        name: "presentation 16 MiB, holder previousProof x N",
        yardstick: "presentation, 2000 normal (16 MiB limit)",
        per_run: false,
        build: vp_holder_refs,
    },
    Case {
        name: "presentation 16 MiB, one previousProof credential",
        yardstick: "presentation, 2000 normal (16 MiB limit)",
        per_run: false,
        build: vp_big_credential,
    },
    Case {
        name: "presentation 16 MiB, holder previousProof x 400k, within the value limit",
        yardstick: "presentation, 2000 normal (16 MiB limit)",
        per_run: false,
        build: vp_holder_few_refs,
    },
    Case {
        name: "presentation 16 MiB, one credential padded with a long name",
        yardstick: "presentation, 2000 normal (16 MiB limit)",
        per_run: false,
        build: vp_padded_credential,
    },
    Case {
        name: "presentation 16 MiB, a long challenge",
        yardstick: "presentation, 2000 normal (16 MiB limit)",
        per_run: false,
        build: vp_long_challenge,
    },
    Case {
        name: "presentation 16 MiB, empty credentials",
        yardstick: "presentation, 2000 normal (16 MiB limit)",
        per_run: false,
        build: vp_empty,
    },
];
