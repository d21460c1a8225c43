#!/usr/bin/env node
// Checks an evidence package exported from a counterseed centre across several nodes
// (centre-manifest.json, type counterseed-centre-export/v2, or v3 when a node's section carries erased records as stubs): the centre's signature over the
// manifest (its list of nodes), and every node's section, with the per-node verifier's own
// functions (verify.mjs, beside this file). A package of the first format (v1: no centre signature,
// no completeness proofs) is still verified, for inclusion only, and the result says what it cannot prove. Plain JavaScript, no dependencies, Node.js 20 or later.
// Usage: node verify-centre.mjs PACKAGE_DIR [--centre-key FINGERPRINT|PEM_FILE] [--json]
// Exit status: 0 = verified, 1 = any problem found, 2 = usage error.
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson, checkKeyProof, checkTime, fingerprintOf, ipKey, leafHash, networkKey, verifyInclusion } from './verify.mjs';

const HEX64 = /^[0-9a-f]{64}$/;
const FILES = ['public-key.pem', 'checkpoint.json', 'records.ndjson', 'proofs.json', 'completeness.json'];
const V1 = 'counterseed-centre-export/v1';
const V2 = 'counterseed-centre-export/v2';
/** v2 with erased records: a node section may list `erased` seqs, whose stubs are in its erased.json (verify.mjs README section 12). */
const V3 = 'counterseed-centre-export/v3';
/** What a v1 package cannot prove: said in every result and every report of one. */
export const V1_LIMITS = [
  'this is a first-format (counterseed-centre-export/v1) package: it proves inclusion only, NOT completeness (records of the selection may have been left out of it)',
  'its list of nodes is not signed by the centre: a node\'s whole section could have been removed or added without trace',
];
const CHECKPOINT_V4 = 'counterseed-checkpoint/v4';
const sha256hex = (b) => createHash('sha256').update(b).digest('hex');

/**
 * The manifest: canonical, signed by the centre key in centre-key.pem (centre-manifest.sig over its
 * bytes), which is the key the manifest names and, with `centreKey` (a fingerprint or a PEM), the
 * key the verifier was told to expect. A node dropped from the list or the list edited breaks the
 * signature. Per node: the files are the ones the manifest lists (SHA-256); the public key's
 * fingerprint is the node's; the checkpoint is signed by that key, names that node and the tree
 * head the manifest names; every record is canonical, is that node's, and its leaf hash is included
 * in the checkpoint's tree at its seq (RFC 9162 inclusion proof); consecutive records link (prev);
 * and completeness.json proves, against the key index the node signed in that checkpoint, that every
 * record of the selection up to the checkpoint is in the package (verify.mjs's own checks).
 */
export function verifyCentrePackage(dir, opts = {}) {
  const findings = [];
  const fail = (node, code, message) => findings.push({ node, code, message });
  const nodes = [];
  let manifest;
  let centre = null;
  let format = null;
  try {
    const text = readFileSync(join(dir, 'centre-manifest.json'), 'utf8');
    manifest = JSON.parse(text);
    if (canonicalJson(manifest) !== text) throw new Error('not in canonical form');
    if (manifest.type !== V3 && manifest.type !== V2 && manifest.type !== V1) throw new Error(`unknown type ${manifest.type}`);
    format = manifest.type === V1 ? 'v1' : manifest.type === V3 ? 'v3' : 'v2';
    if (!Array.isArray(manifest.nodes)) throw new Error('no list of nodes');
    // v1 had no centre key: there is nothing to check the list of nodes against (V1_LIMITS says so).
    if (format !== 'v1') centre = checkCentreSignature(dir, text, manifest, opts.centreKey, (code, message) => fail(null, code, message));
    else if (opts.centreKey !== undefined) fail(null, 'centre-signature-missing', 'a v1 package carries no centre signature: --centre-key cannot be checked');
  } catch (e) {
    fail(null, 'manifest-invalid', `centre-manifest.json: ${e.message}`);
    return { ok: false, findings, nodes, centre, format, limits: [] };
  }
  const limits = format === 'v1' ? V1_LIMITS : [];
  const files = format === 'v1' ? FILES.filter((f) => f !== 'completeness.json') : FILES;
  const sel = manifest.selection ?? {};
  if (format !== 'v1' && (sel.nodes === undefined) !== (manifest.all_nodes === true)) fail(null, 'manifest-invalid', 'the manifest\'s all_nodes does not match its selection');
  for (const section of manifest.nodes) {
    const fp = section.node;
    const fact = { node: fp, label: section.label, treeSize: section.checkpoint?.tree_size ?? null, records: 0, erased: [] };
    nodes.push(fact);
    if (!HEX64.test(fp)) { fail(fp, 'manifest-invalid', 'a node is not named by a key fingerprint'); continue; }
    if (!section.checkpoint) { if (section.records !== 0) fail(fp, 'manifest-invalid', 'records without a checkpoint'); continue; }
    const ndir = join(dir, 'nodes', fp);
    const raw = {};
    for (const name of files) {
      const p = join(ndir, name);
      if (!existsSync(p)) { fail(fp, 'file-missing', `nodes/${fp}/${name} is missing`); continue; }
      raw[name] = readFileSync(p);
      if (sha256hex(raw[name]) !== section.files?.[name]) fail(fp, 'file-digest-mismatch', `nodes/${fp}/${name} is not the file the manifest lists`);
    }
    if (files.some((f) => !raw[f])) continue;
    let key;
    const seen = { lastBySeq: new Map(), ats: [], hashes: new Map(), stubs: new Map() };
    // Erased records (v3): their stubs, each checked below against the node's signed tree and its key index.
    if (section.erased !== undefined || section.files?.['erased.json'] !== undefined) {
      if (format !== 'v3') { fail(fp, 'stubs-invalid', `a ${manifest.type} package carries no erased records`); continue; }
      const p = join(ndir, 'erased.json');
      if (!existsSync(p)) { fail(fp, 'file-missing', `nodes/${fp}/erased.json is missing`); continue; }
      raw['erased.json'] = readFileSync(p);
      if (sha256hex(raw['erased.json']) !== section.files?.['erased.json']) fail(fp, 'file-digest-mismatch', `nodes/${fp}/erased.json is not the file the manifest lists`);
      let e;
      try { e = JSON.parse(raw['erased.json'].toString('utf8')); } catch (err) { fail(fp, 'stubs-invalid', `erased.json: ${err.message}`); continue; }
      for (const x of Array.isArray(e?.stubs) ? e.stubs : []) {
        const ok = x && Number.isSafeInteger(x.seq) && x.seq >= 0 && Number.isSafeInteger(x.at) && HEX64.test(String(x.hash)) && x.erased && Number.isSafeInteger(x.erased.at)
          && typeof x.erased.erasure === 'string' && Array.isArray(x.path) && x.path.every((h) => HEX64.test(String(h)));
        if (!ok || seen.stubs.has(x.seq)) { fail(fp, 'stub-invalid', `a stub in erased.json is malformed or repeated: ${JSON.stringify(x).slice(0, 200)}`); continue; }
        seen.stubs.set(x.seq, { at: x.at, hash: Buffer.from(x.hash, 'hex'), erasedAt: x.erased.at, erasure: x.erased.erasure, path: x.path.map((h) => Buffer.from(h, 'hex')), used: false });
      }
      const listed = new Set(Array.isArray(section.erased) ? section.erased : []);
      for (const q of listed) if (!seen.stubs.has(q)) fail(fp, 'stub-missing', `the manifest lists erased record ${q}, but erased.json has no stub for it`);
      for (const q of seen.stubs.keys()) if (!listed.has(q)) fail(fp, 'stub-unlisted', `the stub of seq ${q} is not in the signed manifest's list of erased records`);
    }
    try { key = createPublicKey(raw['public-key.pem']); } catch (e) { fail(fp, 'public-key-invalid', e.message); continue; }
    if (fingerprintOf(key) !== fp) { fail(fp, 'key-mismatch', `public-key.pem is key ${fingerprintOf(key)}, not ${fp}`); continue; }
    let cp;
    try {
      const c = JSON.parse(raw['checkpoint.json'].toString('utf8'));
      if (!verifySignature(null, Buffer.from(c.text, 'utf8'), key, Buffer.from(String(c.signature), 'base64'))) fail(fp, 'checkpoint-signature-invalid', 'the checkpoint is not signed by the node key');
      cp = JSON.parse(c.text);
      if (canonicalJson(cp) !== c.text) fail(fp, 'checkpoint-invalid', 'checkpoint text is not canonical');
    } catch (e) { fail(fp, 'checkpoint-invalid', `checkpoint.json: ${e.message}`); continue; }
    if (cp.node !== fp) fail(fp, 'key-mismatch', `the checkpoint names node ${cp.node}`);
    if (cp.tree_size !== section.checkpoint.tree_size || cp.root !== section.checkpoint.root) fail(fp, 'checkpoint-mismatch', 'manifest and checkpoint name different tree heads');
    let proofs;
    try { proofs = JSON.parse(raw['proofs.json'].toString('utf8')); } catch (e) { fail(fp, 'proofs-invalid', e.message); continue; }
    const pathOf = new Map((proofs.proofs ?? []).map((q) => [q.seq, q.path]));
    const root = Buffer.from(String(cp.root), 'hex');
    let last = null;
    const lines = raw['records.ndjson'].toString('utf8').split('\n');
    if (lines.pop() !== '') fail(fp, 'record-invalid', 'records.ndjson does not end with a newline');
    for (const [i, text] of lines.entries()) {
      let r;
      try { r = JSON.parse(text); } catch { fail(fp, 'record-invalid', `line ${i + 1} is not JSON`); continue; }
      if (canonicalJson(r) !== text) fail(fp, 'record-not-canonical', `seq ${r.seq} is not in canonical form`);
      if (r.node !== fp) fail(fp, 'record-node-mismatch', `seq ${r.seq} was recorded by node ${r.node}`);
      const leaf = leafHash(Buffer.from(text, 'utf8'));
      const path = pathOf.get(r.seq);
      if (!Array.isArray(path) || !verifyInclusion(leaf, r.seq, cp.tree_size, path.map((h) => Buffer.from(String(h), 'hex')), root)) {
        fail(fp, 'inclusion-proof-invalid', `seq ${r.seq} is not in the node's signed tree at its place`);
      }
      if (last && r.seq === last.seq + 1 && r.prev !== last.hash) fail(fp, 'chain-broken', `seq ${r.seq} does not link to seq ${last.seq}`);
      const stubBefore = seen.stubs.get(r.seq - 1);
      if (stubBefore && r.prev !== stubBefore.hash.toString('hex')) fail(fp, 'chain-broken', `seq ${r.seq} does not link to the stub of erased record ${r.seq - 1}`);
      if (seen.stubs.has(r.seq)) fail(fp, 'stub-for-record', `seq ${r.seq} is a record in records.ndjson and also a stub in erased.json: a stub never stands for a record the package delivers`);
      if (last && r.seq <= last.seq) fail(fp, 'record-invalid', `seq ${r.seq} after seq ${last.seq}`);
      last = { seq: r.seq, hash: leaf.toString('hex') };
      seen.lastBySeq.set(r.seq, seen.ats.length);
      seen.hashes.set(seen.ats.length, leaf);
      seen.ats.push(r.at);
      fact.records++;
    }
    for (const [q, st] of seen.stubs) {
      if (!verifyInclusion(st.hash, q, cp.tree_size, st.path, root)) fail(fp, 'stub-proof-failed', `the stub of erased record ${q} is not the leaf at position ${q} of the node's signed tree: its hash was altered, or no such record was signed`);
      if (st.erasedAt < st.at) fail(fp, 'stub-invalid', `the stub of seq ${q} says it was erased before it was recorded`);
    }
    fact.completeness = format === 'v1' ? null : checkNodeCompleteness(raw['completeness.json'], cp, sel, seen, (code, message) => fail(fp, code, message));
    for (const [q, st] of [...seen.stubs].sort((a, b) => a[0] - b[0])) {
      if (!st.used) fail(fp, 'stub-unneeded', `the stub of erased record ${q} is needed by no completeness proof of the selection`);
      fact.erased.push({ seq: q, at: st.at, erasedAt: st.erasedAt, erasure: st.erasure });
    }
    if (fact.records !== section.records) fail(fp, 'manifest-mismatch', `the manifest lists ${section.records} records, the file holds ${fact.records}`);
  }
  return { ok: findings.length === 0, findings, nodes, centre, format, limits };
}

/** The centre's signature over the manifest's bytes; returns the centre key's fingerprint. */
function checkCentreSignature(dir, text, manifest, pinned, fail) {
  let key;
  try { key = createPublicKey(readFileSync(join(dir, 'centre-key.pem'))); } catch (e) { fail('centre-key-invalid', `centre-key.pem: ${e.message}`); return null; }
  const fp = fingerprintOf(key);
  let signature;
  try { signature = Buffer.from(readFileSync(join(dir, 'centre-manifest.sig'), 'utf8').trim(), 'base64'); } catch (e) { fail('centre-signature-missing', `centre-manifest.sig: ${e.message}`); return fp; }
  if (!verifySignature(null, Buffer.from(text, 'utf8'), key, signature)) fail('centre-signature-invalid', 'centre-manifest.json is not signed by the centre key in centre-key.pem: the list of nodes or the manifest was changed');
  if (manifest.centre !== fp) fail('centre-key-mismatch', `the manifest names centre key ${manifest.centre}, centre-key.pem is ${fp}`);
  if (pinned !== undefined) {
    let want = pinned;
    if (!HEX64.test(pinned)) { try { want = fingerprintOf(createPublicKey(readFileSync(pinned))); } catch (e) { fail('centre-key-invalid', `--centre-key ${pinned}: ${e.message}`); return fp; } }
    if (want !== fp) fail('centre-key-mismatch', `the package is signed by centre key ${fp}, not by the expected ${want}`);
  }
  return fp;
}

/**
 * completeness.json of one node against its v4 checkpoint: by IP, the leaves of the IP's key and its
 * network's key; by time alone, the run of minute keys of the window with a neighbour at each end;
 * each key's count and accumulator reproduced from the records in the package and the links of its
 * records outside the window (verify.mjs checkKeyProof, checkTime).
 */
function checkNodeCompleteness(raw, cp, sel, seen, fail) {
  let c;
  try { c = JSON.parse(raw.toString('utf8')); } catch (e) { fail('completeness-invalid', `completeness.json: ${e.message}`); return null; }
  if (cp.type !== CHECKPOINT_V4) { fail('completeness-invalid', `the checkpoint is ${cp.type}, without the minute-keyed index (v4) the proof needs`); return null; }
  const from = sel.from === undefined ? null : Date.parse(sel.from);
  const to = sel.to === undefined ? null : Date.parse(sel.to);
  if (c.window?.from !== from || c.window?.to !== to) { fail('completeness-invalid', 'completeness.json is for another time window than the selection'); return null; }
  if (c.tree_size !== cp.tree_size || c.index !== cp.index || c.index_size !== cp.index_size) { fail('completeness-invalid', 'completeness.json is for another checkpoint'); return null; }
  const inWindow = (at) => (from === null || at >= from) && (to === null || at < to);
  const root = Buffer.from(String(cp.index), 'hex');
  const proven = (x) => x && typeof x.leaf === 'object' && x.leaf !== null && Array.isArray(x.path) && Number.isSafeInteger(x.index)
    && verifyInclusion(leafHash(Buffer.from(canonicalJson({ acc: x.leaf.acc, count: x.leaf.count, key: x.leaf.key }), 'utf8')), x.index, cp.index_size, x.path.map((h) => Buffer.from(String(h), 'hex')), root);
  const ctx = { inWindow, proven, fail, r: seen, indexSize: cp.index_size };
  const checkKey = (p, key) => checkKeyProof(p, key, undefined, ctx);
  if (sel.ip === undefined) {
    if (c.key !== null || !c.time) { fail('completeness-invalid', `completeness.json is for ${c.key}, the selection is by time`); return null; }
    return checkTime(c.time, from, to, 'minute', { checkKey, proven, fail: ctx.fail, indexSize: cp.index_size, stubs: seen.stubs });
  }
  const key = ipKey(sel.ip);
  if (c.key !== key) { fail('completeness-invalid', `completeness.json is for ${c.key}, the selection is ${key}`); return null; }
  const facts = [checkKey(c, key)];
  const net = networkKey(sel.ip);
  if (net !== null) {
    if (!c.network || c.network.key !== net) { fail('completeness-missing', `completeness.json has no proof for ${net}, the network of ${sel.ip}`); return null; }
    facts.push(checkKey(c.network, net));
  }
  return facts.every((x) => x !== null) ? facts.join('; ') : null;
}

function main(argv) {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const k = args.indexOf('--centre-key');
  const centreKey = k >= 0 ? args[k + 1] : undefined;
  if (k >= 0) args.splice(k, 2);
  if (args.length !== 1 || args[0].startsWith('-') || (k >= 0 && !centreKey)) { process.stderr.write('usage: node verify-centre.mjs PACKAGE_DIR [--centre-key FINGERPRINT|PEM_FILE] [--json]\n'); return 2; }
  const res = verifyCentrePackage(args[0], centreKey === undefined ? {} : { centreKey });
  if (json) process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
  else {
    if (res.format === 'v1') for (const l of res.limits) process.stdout.write(`LIMIT: ${l}\n`);
    else process.stdout.write(`centre key ${res.centre ?? '?'}${centreKey === undefined ? ' (not pinned: compare it with the fingerprint the centre published, or pass --centre-key)' : ''}\n`);
    for (const n of res.nodes) {
      process.stdout.write(`node ${n.node} (${n.label}): ${n.treeSize === null ? 'no verified checkpoint: nothing of this node is shown' : `${n.records} records against its signed tree of ${n.treeSize}`}\n`);
      if (n.completeness) process.stdout.write(`  complete: ${n.completeness}\n`);
      for (const e of n.erased ?? []) process.stdout.write(`  erased: seq ${e.seq}, recorded ${new Date(e.at).toISOString()}, erased ${new Date(e.erasedAt).toISOString()} by ${JSON.stringify(e.erasure)}: content not in the package, proofs through its stub\n`);
    }
    for (const f of res.findings) process.stdout.write(`PROBLEM ${f.node ?? ''} ${f.code}: ${f.message}\n`);
    if (res.format === 'v1') process.stdout.write(res.ok ? `VERIFIED, INCLUSION ONLY (v1 package): every record shown is in its node's own signed log (${res.nodes.length} node(s)). NOT proven: that no record was left out, and that the list of nodes is the centre's.\n` : `NOT VERIFIED: ${res.findings.length} problem(s)\n`);
    else {
      const erased = res.nodes.reduce((k, n) => k + (n.erased?.length ?? 0), 0);
      process.stdout.write(res.ok ? `VERIFIED: the centre signed this list of ${res.nodes.length} node(s); every node's records are in its own signed log, and none of the selection up to each node's checkpoint was left out${erased ? ` (${erased} record(s) erased under the retention rules, listed above: erased, not tampered)` : ''}. Not shown: records after a node's checkpoint.\n` : `NOT VERIFIED: ${res.findings.length} problem(s)\n`);
    }
  }
  return res.ok ? 0 : 1;
}

const invoked = process.argv[1] && (() => { try { return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url)); } catch { return false; } })();
if (invoked) process.exitCode = main(process.argv.slice(2));
