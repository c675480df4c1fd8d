//! The W3C Data Integrity EdDSA test vectors (vc-di-eddsa), byte for byte.

use agora::endorse::data_integrity::{
    Cryptosuite, ProofOptions, create_proof, create_proof_with, document_hash, hash_data, proof_info, verify_proof,
    verify_proof_with,
};
use agora::endorse::rdfc::{self, ContextSet, RdfcError};
use agora::identity::{Identity, public_from_multibase, secret_from_multibase};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/w3c-vc-di-eddsa");

fn text(path: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{path}")).unwrap().trim_end().to_owned()
}

fn json(path: &str) -> Value {
    serde_json::from_str(&text(path)).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key_pair(file: &str, name: Option<&str>) -> Identity {
    let pair = json(file);
    let pair = name.map_or(pair.clone(), |n| pair[n].clone());
    let seed = secret_from_multibase(pair["privateKeyMultibase"].as_str().unwrap()).unwrap();
    let identity = Identity::from_secret_bytes(&seed);
    let public = public_from_multibase(pair["publicKeyMultibase"].as_str().unwrap()).unwrap();
    assert_eq!(identity.public(), public, "vector key pair is consistent");
    identity
}

#[test]
fn eddsa_jcs_2022_intermediate_values_and_signature() {
    let unsigned = json("unsigned.json");
    let proof_config = json("eddsa-jcs-2022/proofConfigJCS.json");

    let canonical_doc = serde_json_canonicalizer::to_string(&unsigned).unwrap();
    assert_eq!(canonical_doc, text("eddsa-jcs-2022/canonDocJCS.txt"));
    let canonical_proof = serde_json_canonicalizer::to_string(&proof_config).unwrap();
    assert_eq!(canonical_proof, text("eddsa-jcs-2022/proofCanonJCS.txt"));

    let doc_hash = document_hash(&unsigned).unwrap();
    assert_eq!(hex(&doc_hash), text("eddsa-jcs-2022/docHashJCS.txt"));
    assert_eq!(hex(&Sha256::digest(canonical_proof.as_bytes())), text("eddsa-jcs-2022/proofHashJCS.txt"));
    let combined = hash_data(&proof_config, &doc_hash).unwrap();
    assert_eq!(hex(&combined), text("eddsa-jcs-2022/combinedHashJCS.txt"));

    let signer = key_pair("keyPair.json", None);
    assert_eq!(hex(&signer.sign(&combined)), text("eddsa-jcs-2022/sigHexJCS.txt"));

    let options = ProofOptions {
        cryptosuite: Cryptosuite::Jcs,
        created: "2023-02-24T23:36:38Z".parse().unwrap(),
        purpose: "assertionMethod",
        id: None,
        previous_proof: None,
        challenge: None,
        domain: None,
    };
    let proof = create_proof(&unsigned, &signer, options).unwrap();
    assert_eq!(proof["proofValue"], text("eddsa-jcs-2022/sigBTC58JCS.txt"));
    let mut signed = unsigned.clone();
    signed["proof"] = proof;
    assert_eq!(signed, json("eddsa-jcs-2022/signedJCS.json"), "the whole signed document matches");
}

#[test]
fn eddsa_jcs_2022_signed_vector_verifies_and_tampering_fails() {
    let signed = json("eddsa-jcs-2022/signedJCS.json");
    let key = verify_proof(&signed, 0).unwrap();
    assert_eq!(key, key_pair("keyPair.json", None).public());

    let mut tampered = signed.clone();
    tampered["credentialSubject"]["alumniOf"] = json!("The School of Forgery");
    assert!(verify_proof(&tampered, 0).is_err());
    let mut tampered = signed.clone();
    tampered["proof"]["created"] = json!("2023-02-24T23:36:39Z");
    assert!(verify_proof(&tampered, 0).is_err());
    let mut tampered = signed;
    tampered["proof"]["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
    assert!(verify_proof(&tampered, 0).is_err());
}

fn contexts() -> ContextSet {
    let fixture = |name: &str| std::fs::read_to_string(format!("{DIR}/../contexts/{name}")).unwrap();
    ContextSet::builtin()
        .with("https://www.w3.org/ns/credentials/examples/v2", &fixture("credentials-examples-v2.jsonld"))
        .with("https://w3id.org/citizenship/v4rc1", &fixture("citizenship-v4rc1.jsonld"))
}

/// Creates the vector's proof from its unsigned document and compares every
/// intermediate value and the signed document.
fn check_rdfc_vector(unsigned: &str, dir: &str) {
    let contexts = contexts();
    let unsigned = json(unsigned);
    let mut config = json(&format!("{dir}/proofConfigDataInt.json"));
    assert_eq!(rdfc::canonicalize(&unsigned, &contexts).unwrap(), text_raw(&format!("{dir}/canonDocDataInt.txt")));
    assert_eq!(rdfc::canonicalize(&config, &contexts).unwrap(), text_raw(&format!("{dir}/proofCanonDataInt.txt")));
    let doc_hash = Cryptosuite::Rdfc.hash(&unsigned, &contexts).unwrap();
    assert_eq!(hex(&doc_hash), text(&format!("{dir}/docHashDataInt.txt")));
    assert_eq!(hex(&Cryptosuite::Rdfc.hash(&config, &contexts).unwrap()), text(&format!("{dir}/proofHashDataInt.txt")));
    let combined = Cryptosuite::Rdfc.hash_data(&config, &doc_hash, &contexts).unwrap();
    assert_eq!(hex(&combined), text(&format!("{dir}/combinedHashDataInt.txt")));
    let signer = key_pair("keyPair.json", None);
    assert_eq!(hex(&signer.sign(&combined)), text(&format!("{dir}/sigHexDataInt.txt")));

    let info = proof_info(&config).unwrap();
    config.as_object_mut().unwrap().remove("@context");
    let options = ProofOptions {
        cryptosuite: Cryptosuite::Rdfc,
        created: info.created.parse().unwrap(),
        purpose: &info.purpose,
        id: None,
        previous_proof: None,
        challenge: None,
        domain: None,
    };
    let proof = create_proof_with(&unsigned, &signer, options, &contexts).unwrap();
    assert_eq!(proof["proofValue"], text(&format!("{dir}/sigBTC58DataInt.txt")));
    let mut signed = unsigned;
    signed["proof"] = proof;
    assert_eq!(signed, json(&format!("{dir}/signedDataInt.json")), "the whole signed document matches");
    assert_eq!(verify_proof_with(&signed, 0, &contexts).unwrap(), signer.public());
}

fn text_raw(path: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{path}")).unwrap()
}

#[test]
fn eddsa_rdfc_2022_vector_byte_for_byte() {
    check_rdfc_vector("unsigned.json", "eddsa-rdfc-2022");
}

#[test]
fn eddsa_rdfc_2022_employment_vector_byte_for_byte() {
    let dir = "eddsa-rdfc-2022/employ";
    // This vector ships intermediate values only; the signature is checked by
    // recomputing it from them.
    let contexts = contexts();
    let unsigned = json("employmentAuth.json");
    let config = json(&format!("{dir}/proofConfigDataInt.json"));
    assert_eq!(rdfc::canonicalize(&unsigned, &contexts).unwrap(), text_raw(&format!("{dir}/canonDocDataInt.txt")));
    assert_eq!(rdfc::canonicalize(&config, &contexts).unwrap(), text_raw(&format!("{dir}/proofCanonDataInt.txt")));
    let doc_hash = Cryptosuite::Rdfc.hash(&unsigned, &contexts).unwrap();
    assert_eq!(hex(&doc_hash), text(&format!("{dir}/docHashDataInt.txt")));
    let combined = Cryptosuite::Rdfc.hash_data(&config, &doc_hash, &contexts).unwrap();
    assert_eq!(hex(&combined), text(&format!("{dir}/combinedHashDataInt.txt")));
}

/// The proof-set-chain vectors: every proof of the signed sets and chains
/// verifies, and rebuilding them from the unsigned document and key pairs
/// gives the signed vectors exactly.
#[test]
fn proof_sets_and_chains_byte_for_byte() {
    let contexts = contexts();
    let keys = "proof-set-chain/multiKeyPairs.json";
    let signers: Vec<Identity> = (1..=4).map(|n| key_pair(keys, Some(&format!("keyPair{n}")))).collect();
    for name in ["signedProofSet1", "signedProofSet2", "signedProofChain1", "signedProofChain2"] {
        let vector = json(&format!("proof-set-chain/{name}.json"));
        let count = vector["proof"].as_array().map_or(1, Vec::len);
        for (index, signer) in signers.iter().enumerate().take(count) {
            let key =
                verify_proof_with(&vector, index, &contexts).unwrap_or_else(|e| panic!("{name} proof {index}: {e}"));
            assert_eq!(key, signer.public(), "{name} proof {index}");
        }
    }

    let unsigned = json("proof-set-chain/unsigned.json");
    let vector = json("proof-set-chain/signedProofChain2.json");
    let mut built: Vec<Value> = Vec::new();
    for (index, vector_proof) in vector["proof"].as_array().unwrap().iter().enumerate() {
        let info = proof_info(vector_proof).unwrap();
        let mut covered = unsigned.clone();
        if !info.previous_proof.is_empty() {
            let chained: Vec<Value> = info
                .previous_proof
                .iter()
                .map(|id| built.iter().find(|p| p["id"] == json!(id)).cloned().unwrap())
                .collect();
            covered["proof"] = if chained.len() == 1 { chained[0].clone() } else { Value::Array(chained) };
        }
        let options = ProofOptions {
            cryptosuite: Cryptosuite::Rdfc,
            created: info.created.parse().unwrap(),
            purpose: &info.purpose,
            id: info.id.as_deref(),
            previous_proof: vector_proof.get("previousProof").cloned(),
            challenge: None,
            domain: None,
        };
        built.push(create_proof_with(&covered, &signers[index], options, &contexts).unwrap());
    }
    let mut rebuilt = unsigned;
    rebuilt["proof"] = Value::Array(built);
    assert_eq!(rebuilt, vector, "the rebuilt chain equals the vector");

    // Changing the first proof breaks every proof chained onto it, and only those.
    let mut tampered = vector.clone();
    tampered["proof"][0]["created"] = json!("2024-01-01T00:00:00Z");
    assert!(verify_proof_with(&tampered, 0, &contexts).is_err());
    assert!(verify_proof_with(&tampered, 1, &contexts).is_ok());
    assert!(verify_proof_with(&tampered, 2, &contexts).is_err(), "proof 2 covers proof 0");
    assert!(verify_proof_with(&tampered, 3, &contexts).is_ok(), "proof 3 covers only proof 2");
    // Removing a proof that a later one references is an error, not a pass.
    let mut cut = vector;
    cut["proof"].as_array_mut().unwrap().remove(0);
    assert!(matches!(verify_proof_with(&cut, 1, &contexts), Err(agora::endorse::ProofError::MissingPreviousProof(_))));
}

#[test]
fn rdfc_refuses_unbundled_contexts_and_undefined_terms() {
    let builtin = ContextSet::builtin();
    let remote = json!({"@context": ["https://example.org/unknown-context"], "name": "x"});
    assert!(
        matches!(rdfc::canonicalize(&remote, builtin), Err(RdfcError::UnknownContext(url)) if url.contains("example.org"))
    );
    let undefined = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"], "favouriteColour": "green"});
    assert!(
        matches!(rdfc::canonicalize(&undefined, builtin), Err(RdfcError::Undefined(_))),
        "an undefined term is an error, not dropped"
    );
    let relative = json!({"@context": ["https://www.w3.org/ns/credentials/v2"], "id": "not-absolute", "type": ["VerifiableCredential"]});
    assert!(rdfc::canonicalize(&relative, builtin).is_err());
}

/// RDFC-1.0's N-degree hashing lists a related blank node once per quad
/// it relates by (step 3.1.2), as rdf-canonize does: two blank nodes alike
/// at first degree, each in its own blank-node-named graph, get the labels
/// rdf-canonize gives them (oxrdf 0.3.5 counted the graph once and swapped
/// `_:c14n0` and `_:c14n1` in the last four lines). Expected: jsonld.js
/// `toRDF` and rdf-canonize 5.0.0 on this document.
#[test]
fn rdfc_lists_a_related_blank_node_once_per_quad() {
    let document = json!({
        "@context": {"@vocab": "urn:ex:"},
        "@graph": [
            {"@id": "urn:ex:d", "q": {"@id": "_:g1"}, "r": {"@id": "_:g2"}},
            {"@id": "_:g1", "@graph": {"@id": "urn:ex:s", "p": {"n": "x"}}},
            {"@id": "_:g2", "@graph": {"@id": "urn:ex:s", "p": {"n": "x"}}},
        ],
    });
    let expected = "<urn:ex:d> <urn:ex:q> _:c14n0 .\n\
                    <urn:ex:d> <urn:ex:r> _:c14n1 .\n\
                    <urn:ex:s> <urn:ex:p> _:c14n2 _:c14n0 .\n\
                    <urn:ex:s> <urn:ex:p> _:c14n3 _:c14n1 .\n\
                    _:c14n2 <urn:ex:n> \"x\" _:c14n0 .\n\
                    _:c14n3 <urn:ex:n> \"x\" _:c14n1 .\n";
    assert_eq!(rdfc::canonicalize(&document, ContextSet::builtin()).unwrap(), expected);
}
