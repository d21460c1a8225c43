#!/usr/bin/env node
// Checks an evidence package exported from a counterseed centre across several nodes
// (centre-manifest.json, type counterseed-centre-export/v1): every node's section, with the
// per-node verifier's own functions (verify.mjs, beside this file). Plain JavaScript, no
// dependencies, Node.js 20 or later. Usage: node verify-centre.mjs PACKAGE_DIR [--json]
// Exit status: 0 = verified, 1 = any problem found, 2 = usage error.
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson, fingerprintOf, leafHash, verifyInclusion } from './verify.mjs';

const HEX64 = /^[0-9a-f]{64}$/;
const FILES = ['public-key.pem', 'checkpoint.json', 'records.ndjson', 'proofs.json'];
const sha256hex = (b) => createHash('sha256').update(b).digest('hex');

/**
 * Per node: the files are the ones the manifest lists (SHA-256); the public key's fingerprint is
 * the node's; the checkpoint is signed by that key, names that node and the tree head the
 * manifest names; every record is canonical, is that node's, and its leaf hash is included in the
 * checkpoint's tree at its seq (RFC 9162 inclusion proof); consecutive records link (prev).
 * Not checked, because the package does not claim it: that no record was left out.
 */
export function verifyCentrePackage(dir) {
  const findings = [];
  const fail = (node, code, message) => findings.push({ node, code, message });
  const nodes = [];
  let manifest;
  try {
    const text = readFileSync(join(dir, 'centre-manifest.json'), 'utf8');
    manifest = JSON.parse(text);
    if (canonicalJson(manifest) !== text) throw new Error('not in canonical form');
    if (manifest.type !== 'counterseed-centre-export/v1') throw new Error(`unknown type ${manifest.type}`);
    if (!Array.isArray(manifest.nodes)) throw new Error('no list of nodes');
  } catch (e) {
    fail(null, 'manifest-invalid', `centre-manifest.json: ${e.message}`);
    return { ok: false, findings, nodes };
  }
  for (const section of manifest.nodes) {
    const fp = section.node;
    const fact = { node: fp, label: section.label, treeSize: section.checkpoint?.tree_size ?? null, records: 0 };
    nodes.push(fact);
    if (!HEX64.test(fp)) { fail(fp, 'manifest-invalid', 'a node is not named by a key fingerprint'); continue; }
    if (!section.checkpoint) { if (section.records !== 0) fail(fp, 'manifest-invalid', 'records without a checkpoint'); continue; }
    const ndir = join(dir, 'nodes', fp);
    const raw = {};
    for (const name of FILES) {
      const p = join(ndir, name);
      if (!existsSync(p)) { fail(fp, 'file-missing', `nodes/${fp}/${name} is missing`); continue; }
      raw[name] = readFileSync(p);
      if (sha256hex(raw[name]) !== section.files?.[name]) fail(fp, 'file-digest-mismatch', `nodes/${fp}/${name} is not the file the manifest lists`);
    }
    if (FILES.some((f) => !raw[f])) continue;
    let key;
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
      if (last && r.seq <= last.seq) fail(fp, 'record-invalid', `seq ${r.seq} after seq ${last.seq}`);
      last = { seq: r.seq, hash: leaf.toString('hex') };
      fact.records++;
    }
    if (fact.records !== section.records) fail(fp, 'manifest-mismatch', `the manifest lists ${section.records} records, the file holds ${fact.records}`);
  }
  return { ok: findings.length === 0, findings, nodes };
}

function main(argv) {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  if (args.length !== 1 || args[0].startsWith('-')) { process.stderr.write('usage: node verify-centre.mjs PACKAGE_DIR [--json]\n'); return 2; }
  const res = verifyCentrePackage(args[0]);
  if (json) process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
  else {
    for (const n of res.nodes) process.stdout.write(`node ${n.node} (${n.label}): ${n.treeSize === null ? 'no verified checkpoint, no records' : `${n.records} records against its signed tree of ${n.treeSize}`}\n`);
    for (const f of res.findings) process.stdout.write(`PROBLEM ${f.node ?? ''} ${f.code}: ${f.message}\n`);
    process.stdout.write(res.ok ? `VERIFIED: every node's records are in its own signed log (${res.nodes.length} nodes). Not shown: that no record was left out.\n` : `NOT VERIFIED: ${res.findings.length} problem(s)\n`);
  }
  return res.ok ? 0 : 1;
}

const invoked = process.argv[1] && (() => { try { return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url)); } catch { return false; } })();
if (invoked) process.exitCode = main(process.argv.slice(2));
