//! The W3C Data Integrity EdDSA test vectors (vc-di-eddsa), byte for byte.

use agora::endorse::data_integrity::{ProofOptions, create_proof, document_hash, hash_data, proof_info, verify_proof};
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
        created: "2023-02-24T23:36:38Z".parse().unwrap(),
        purpose: "assertionMethod",
        id: None,
        previous_proof: None,
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

/// The proof-set-chain vectors are written with `eddsa-rdfc-2022`. Their
/// structure (which proof covers which) is suite-independent, so this test
/// rebuilds the same set and chain with the same keys, ids, dates and
/// purposes under `eddsa-jcs-2022` and checks each proof, and that the
/// original vector documents resolve `previousProof` exactly as built here.
#[test]
fn proof_set_and_chain_structure_matches_the_vectors() {
    let keys = "proof-set-chain/multiKeyPairs.json";
    let signers: Vec<Identity> = (1..=4).map(|n| key_pair(keys, Some(&format!("keyPair{n}")))).collect();
    let unsigned = json("proof-set-chain/unsigned.json");
    let vector = json("proof-set-chain/signedProofChain2.json");
    let vector_proofs = vector["proof"].as_array().unwrap();

    let mut proofs: Vec<Value> = Vec::new();
    for (index, vector_proof) in vector_proofs.iter().enumerate() {
        let info = proof_info(vector_proof).unwrap();
        let mut covered = unsigned.clone();
        if !info.previous_proof.is_empty() {
            let chained: Vec<Value> = info
                .previous_proof
                .iter()
                .map(|id| proofs.iter().find(|p| p["id"] == json!(id)).cloned().unwrap())
                .collect();
            covered["proof"] = if chained.len() == 1 { chained[0].clone() } else { Value::Array(chained) };
        }
        let options = ProofOptions {
            created: info.created.parse().unwrap(),
            purpose: &info.purpose,
            id: info.id.as_deref(),
            previous_proof: vector_proof.get("previousProof").cloned(),
        };
        let proof = create_proof(&covered, &signers[index], options).unwrap();
        assert_eq!(proof["verificationMethod"], vector_proof["verificationMethod"]);
        proofs.push(proof);
    }
    let mut secured = unsigned.clone();
    secured["proof"] = Value::Array(proofs.clone());
    for (index, signer) in signers.iter().enumerate() {
        assert_eq!(verify_proof(&secured, index).unwrap(), signer.public(), "proof {index}");
    }
    // Changing proof 0 breaks the chain built on it, and only that chain.
    secured["proof"][0]["created"] = json!("2024-01-01T00:00:00Z");
    assert!(verify_proof(&secured, 0).is_err());
    assert!(verify_proof(&secured, 1).is_ok());
    assert!(verify_proof(&secured, 2).is_err(), "proof 2 covers proof 0");
    assert!(verify_proof(&secured, 3).is_ok(), "proof 3 covers only proof 2");

    // The vectors themselves: set proofs have no previousProof; chain proofs name the ones above.
    let set = json("proof-set-chain/signedProofSet2.json");
    assert!(set["proof"].as_array().unwrap().iter().all(|p| proof_info(p).unwrap().previous_proof.is_empty()));
    assert_eq!(
        proof_info(&vector_proofs[2]).unwrap().previous_proof,
        vec!["urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544", "urn:uuid:8cc9022b-6b14-4cf3-8571-74972c5feb54"]
    );
    assert!(matches!(
        verify_proof(&vector, 0),
        Err(agora::endorse::ProofError::UnsupportedCryptosuite(s)) if s == "eddsa-rdfc-2022"
    ));
}
