// Verifies credentials and presentations with the reference JavaScript VC
// stack (Digital Bazaar), proof by proof. Run by tests/interop.rs; by hand:
//
//   npm ci --prefix tests/interop
//   node tests/interop/verify.mjs [--now ISO] [--challenge C] [--domain D]
//        [--context URL=FILE]... [--issuer-controller FILE] FILE...
//
// Prints one JSON line per file: {file, ok, proofs: [{of, purpose,
// cryptosuite, verified, error}]}, and exits 1 if any proof of any file
// does not verify. Nothing is fetched: the document loader serves agora's
// bundled contexts (assets/contexts/), any --context given, and did:key
// documents resolved locally; any other URL is an error. An issuer that is
// not a did:key (the W3C test vectors') needs --issuer-controller: its
// controller document, listing the keys it issues with as assertionMethod.

import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';
import * as vc from '@digitalbazaar/vc';
import jsigs from 'jsonld-signatures';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as rdfc} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {driver} from '@digitalbazaar/did-method-key';

const {purposes: {ControllerProofPurpose}} = jsigs;

const {values: flags, positionals: files} = parseArgs({
  allowPositionals: true,
  options: {
    now: {type: 'string'},
    challenge: {type: 'string'},
    domain: {type: 'string'},
    context: {type: 'string', multiple: true, default: []},
    'issuer-controller': {type: 'string'},
  },
});

// --- the offline document loader ---------------------------------------
const bundled = new URL('../../assets/contexts/', import.meta.url);
const contexts = new Map([
  ['https://www.w3.org/ns/credentials/v2', new URL('credentials-v2.jsonld', bundled)],
  ['https://w3id.org/security/data-integrity/v2', new URL('data-integrity-v2.jsonld', bundled)],
  ['https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json', new URL('ob-v3p0-context-3.0.3.json', bundled)],
]);
for(const pair of flags.context) {
  const at = pair.indexOf('=');
  contexts.set(pair.slice(0, at), pair.slice(at + 1));
}
const didKey = driver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

async function documentLoader(url) {
  if(contexts.has(url)) {
    const document = JSON.parse(readFileSync(contexts.get(url), 'utf8'));
    return {contextUrl: null, documentUrl: url, document};
  }
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: await didKey.get({url})};
  }
  throw new Error(`offline loader: refusing to fetch ${url}`);
}

// --- verifiers -----------------------------------------------------------
const suites = {
  'eddsa-rdfc-2022': new DataIntegrityProof({cryptosuite: rdfc}),
  'eddsa-jcs-2022': new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()}),
};
const suite = Object.values(suites);
const now = flags.now ? new Date(flags.now) : undefined;
const controller = flags['issuer-controller'] &&
  JSON.parse(readFileSync(flags['issuer-controller'], 'utf8'));

// `authentication` proofs on a credential: a co-signature by its subject.
// Like vc's CredentialIssuancePurpose for the issuer, this also requires the
// key's controller to be the credentialSubject.
class SubjectAuthenticationPurpose extends ControllerProofPurpose {
  constructor() {
    super({term: 'authentication'});
  }
  async validate(proof, options) {
    const result = await super.validate(proof, options);
    const subject = options.document.credentialSubject?.id;
    if(result.valid && result.controller.id !== subject) {
      const error = new Error(`the key's controller ${result.controller.id} ` +
        `is not the credentialSubject ${subject}`);
      return {valid: false, error};
    }
    return result;
  }
}

// Every message in a (possibly nested) verification result.
function errors(result) {
  const found = [];
  const walk = value => {
    if(!value || typeof value !== 'object') {
      return;
    }
    if(Array.isArray(value)) {
      return value.forEach(walk);
    }
    if(value instanceof Error) {
      found.push(`${value.name}: ${value.message}`);
      return walk([value.errors, value.cause, value.details?.cause]);
    }
    for(const key of ['error', 'errors', 'results', 'purposeResult',
      'presentationResult', 'credentialResults']) {
      walk(value[key]);
    }
  };
  walk(result);
  return [...new Set(found)].join('; ') || null;
}

const asArray = value => value === undefined ? [] : [].concat(value);

// Checks one proof, alone in the document: a proof set's proofs each sign
// the document without the others, and the JS stack counts a set as
// verified when any one proof verifies, so each is checked by itself.
async function checkProof(document, proof, of, verifyOne) {
  const report = {
    of, purpose: proof?.proofPurpose ?? null,
    cryptosuite: proof?.cryptosuite ?? null, verified: false, error: null,
  };
  try {
    if(proof?.type !== 'DataIntegrityProof' || !suites[proof.cryptosuite]) {
      throw new Error(`no verifier for proof type ${proof?.type} ` +
        `cryptosuite ${proof?.cryptosuite}`);
    }
    if(proof.previousProof !== undefined) {
      throw new Error('proof chains (previousProof) are not handled here');
    }
    const result = await verifyOne({...document, proof});
    report.verified = result.verified === true;
    report.error = report.verified ? null : errors(result) ?? 'not verified';
  } catch(error) {
    report.error = `${error.name}: ${error.message}`;
  }
  return report;
}

async function checkCredential(credential, of) {
  const reports = [];
  for(const proof of asArray(credential.proof)) {
    reports.push(await checkProof(credential, proof, of, async document => {
      switch(proof?.proofPurpose) {
      case 'assertionMethod':
        return vc.verifyCredential(
          {credential: document, suite, documentLoader, now, controller});
      case 'authentication':
        return jsigs.verify(document, {
          suite, documentLoader, purpose: new SubjectAuthenticationPurpose(),
        });
      default:
        throw new Error(`no verifier for proof purpose ${proof?.proofPurpose}`);
      }
    }));
  }
  return reports;
}

async function checkPresentation(presentation) {
  const reports = [];
  for(const proof of asArray(presentation.proof)) {
    reports.push(await checkProof(presentation, proof, 'presentation',
      async document => {
        const result = await vc.verify({
          presentation: document, suite, documentLoader, now,
          challenge: flags.challenge, domain: flags.domain,
        });
        // vc.verify does not bind the signer to `holder`; agora requires it.
        const holder = presentation.holder?.id ?? presentation.holder;
        const signer = proof.verificationMethod?.split('#')[0];
        if(result.verified && holder !== undefined && holder !== signer) {
          return {verified: false,
            error: new Error(`holder ${holder} did not sign (${signer})`)};
        }
        // This proof's own result; the embedded credentials' proofs are
        // reported one by one below.
        return result.presentationResult ?? result;
      }));
  }
  const credentials = asArray(presentation.verifiableCredential);
  for(const [index, credential] of credentials.entries()) {
    reports.push(...await checkCredential(
      credential, `verifiableCredential[${index}]`));
  }
  return reports;
}

let failed = false;
for(const file of files) {
  let line;
  try {
    const document = JSON.parse(readFileSync(file, 'utf8'));
    const isPresentation =
      asArray(document.type).includes('VerifiablePresentation');
    const proofs = isPresentation ?
      await checkPresentation(document) :
      await checkCredential(document, 'credential');
    const ok = proofs.length > 0 && proofs.every(p => p.verified);
    line = {file, ok, proofs, error: proofs.length ? null : 'no proofs'};
  } catch(error) {
    line = {file, ok: false, proofs: [], error: `${error.name}: ${error.message}`};
  }
  failed ||= !line.ok;
  console.log(JSON.stringify(line));
}
if(files.length === 0) {
  console.error('usage: node verify.mjs [--now ISO] [--challenge C] ' +
    '[--domain D] [--context URL=FILE]... [--issuer-controller FILE] FILE...');
  process.exit(2);
}
process.exit(failed ? 1 : 0);
