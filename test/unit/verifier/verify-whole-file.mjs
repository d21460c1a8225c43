#!/usr/bin/env node
// counterseed offline verifier: checks an evidence export package with Node.js >= 20 and nothing else.
// Standalone on purpose: it shares no code with counterseed, so it re-derives every hash, signature,
// proof and CSV cell from the specification in verifier/README.md. Usage: node verify.mjs PATH [--key-fingerprint HEX] [--json]
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VERIFIER_VERSION = 1;

const REQUIRED = ['manifest.json', 'manifest.sig', 'public-key.pem', 'checkpoint.json', 'records.ndjson', 'proofs.json', 'deliveries.csv', 'decoys.json', 'tool.json'];
const MAX_FILE = 2 * 1024 ** 3;

/** The checks, in report order; every finding belongs to one. */
export const CHECKS = {
  files: 'package files present and listed with matching SHA-256 in the manifest',
  key: 'public key is Ed25519 and is the key the records and manifest name',
  manifest: 'manifest signature (Ed25519)',
  checkpoint: 'checkpoint signature (Ed25519) and agreement with manifest and proofs',
  records: 'records are canonical, in order, complete, and name this node',
  chain: 'chain links between consecutive records (prev = hash of the record before)',
  proofs: 'RFC 9162 inclusion proof of every record against the signed checkpoint',
  csv: 'deliveries.csv says exactly what records.ndjson says',
  decoys: 'decoys: SHA-1 of each info dictionary is its infohash, and it holds the name',
  tool: 'configuration hash',
};

// ---------- encodings (README sections 1-3) ----------

const sha256 = (b) => createHash('sha256').update(b).digest();
const hex = (b) => Buffer.from(b).toString('hex');

/** RFC 8785 restricted to integers: sorted keys (UTF-16 order), no whitespace, JSON.stringify string escapes. */
export function canonicalJson(v, depth = 0) {
  if (depth > 8) throw new Error('nesting too deep');
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw new Error(`not a safe integer: ${v}`);
    return String(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => canonicalJson(x, depth + 1)).join(',')}]`;
  if (typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k], depth + 1)}`).join(',')}}`;
  throw new Error(`cannot encode ${typeof v}`);
}

/** RFC 9162 section 2.1: leaf = SHA-256(0x00 || data), node = SHA-256(0x01 || left || right). */
export const leafHash = (data) => sha256(Buffer.concat([Buffer.from([0]), data]));
const nodeHash = (l, r) => sha256(Buffer.concat([Buffer.from([1]), l, r]));

/** RFC 9162 section 2.1.3.2, step by step. */
export function verifyInclusion(leaf, index, size, path, root) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** Key fingerprint: SHA-256 of the raw 32-byte Ed25519 key (the last 32 bytes of its 44-byte SPKI DER). */
export function fingerprintOf(publicKey) {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return hex(sha256(der.subarray(der.length - 32)));
}

/** deliveries.csv cells: RFC 4180 quoting; a leading = + - @ TAB CR gets an apostrophe (CSV injection). */
export function csvCell(v) {
  let s = v === null || v === undefined ? '' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export const CSV_COLUMNS = ['seq', 'session_id', 'remote_ip', 'remote_port', 'local_ip', 'local_port', 'transport', 'encryption', 'start_utc', 'end_utc',
  'decoy_id', 'decoy_name', 'info_hash', 'content_sha256', 'bytes_served', 'blocks_served', 'completed', 'metadata_only',
  'client', 'client_version', 'listen_port', 'peer_id', 'disconnect_reason', 'record_hash'];

function expectedCsvRow(seq, hash, o, decoy) {
  return [seq, o.sessionId, o.remoteIp, o.remotePort, o.localIp, o.localPort, o.transport, o.encryption,
    new Date(o.startedAt).toISOString(), new Date(o.endedAt).toISOString(), o.decoyId, decoy ? decoy.name : null, o.infoHash,
    decoy ? decoy.content_sha256 : null, o.bytesServed, o.blocksServed, o.completed, o.metadataOnly, o.client, o.clientVersion,
    o.listenPort, o.peerId, o.disconnectReason, hash].map(csvCell);
}

/** RFC 4180 parser returning raw (still quoted-as-written) cells, so cells compare byte for byte with csvCell output. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let i = 0;
  while (i < text.length) {
    let start = i;
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted cell');
        if (text[i] === '"') { if (text[i + 1] === '"') { i += 2; continue; } i++; break; }
        i++;
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') i++;
    }
    row.push(text.slice(start, i));
    if (text[i] === ',') { i++; continue; }
    if (text.startsWith('\r\n', i)) i += 2;
    else if (i < text.length) throw new Error(`line ${rows.length + 1}: expected CRLF after a cell`);
    rows.push(row);
    row = [];
  }
  return rows;
}

// ---------- the verification ----------

/**
 * Verifies the package in `dir`. Returns { ok, findings: [{check, code, message}], facts }.
 * Never throws for a bad package: every problem is a finding.
 */
export function verifyPackage(dir, opts = {}) {
  const findings = [];
  const fail = (check, code, message) => findings.push({ check, code, message });
  const facts = { package: dir, fingerprint: null, expectedFingerprint: opts.keyFingerprint ?? null, treeSize: null, root: null, checkpointAt: null, records: 0, deliveries: 0, seqs: null, tool: null };
  const done = () => ({ ok: findings.length === 0, findings, facts });

  const raw = {};
  for (const name of REQUIRED) {
    const p = join(dir, name);
    if (!existsSync(p)) { fail('files', 'file-missing', `${name} is missing`); continue; }
    const b = readFileSync(p);
    if (b.length > MAX_FILE) { fail('files', 'file-too-large', `${name} is larger than ${MAX_FILE} bytes`); continue; }
    raw[name] = b;
  }
  if (!raw['manifest.json'] || !raw['public-key.pem']) return done();

  // Key and manifest.
  let key;
  try {
    key = createPublicKey(raw['public-key.pem']);
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`key type ${key.asymmetricKeyType}`);
    facts.fingerprint = fingerprintOf(key);
  } catch (e) { fail('key', 'public-key-invalid', `public-key.pem is not an Ed25519 public key: ${e.message}`); return done(); }
  if (opts.keyFingerprint && opts.keyFingerprint.replace(/[\s:]/g, '').toLowerCase() !== facts.fingerprint) {
    fail('key', 'unexpected-key', `the package is signed by key ${facts.fingerprint}, not the expected ${opts.keyFingerprint}`);
  }
  let manifest;
  try {
    manifest = JSON.parse(raw['manifest.json'].toString('utf8'));
    if (canonicalJson(manifest) !== raw['manifest.json'].toString('utf8')) throw new Error('not in canonical form');
    if (manifest.type !== 'counterseed-export/v1') throw new Error(`unknown type ${manifest.type}`);
  } catch (e) { fail('manifest', 'manifest-invalid', `manifest.json: ${e.message}`); return done(); }
  const sig = raw['manifest.sig'] ? Buffer.from(raw['manifest.sig'].toString('utf8').trim(), 'base64') : Buffer.alloc(0);
  if (!verifySignature(null, raw['manifest.json'], key, sig)) fail('manifest', 'manifest-signature-invalid', 'manifest.sig is not a valid signature of manifest.json by public-key.pem');
  if (manifest.node !== facts.fingerprint) fail('key', 'key-mismatch', `manifest names node ${manifest.node} but public-key.pem is ${facts.fingerprint}`);
  facts.tool = manifest.tool;

  for (const [name, digest] of Object.entries(manifest.files ?? {})) {
    const p = join(dir, name);
    if (name.includes('/') || name.includes('\\')) { fail('files', 'file-name-invalid', `manifest lists a path: ${name}`); continue; }
    const b = raw[name] ?? (existsSync(p) ? readFileSync(p) : undefined);
    if (!b) { if (!REQUIRED.includes(name)) fail('files', 'file-missing', `${name} is missing`); continue; }
    if (hex(sha256(b)) !== digest) fail('files', 'file-digest-mismatch', `${name} does not match its SHA-256 in the manifest`);
  }
  for (const name of REQUIRED) if (!['manifest.json', 'manifest.sig'].includes(name) && !(name in (manifest.files ?? {}))) fail('files', 'file-unlisted', `${name} is not listed in the manifest`);

  // Checkpoint.
  let cp;
  try {
    const c = JSON.parse(raw['checkpoint.json'].toString('utf8'));
    if (!verifySignature(null, Buffer.from(c.text, 'utf8'), key, Buffer.from(String(c.signature), 'base64'))) fail('checkpoint', 'checkpoint-signature-invalid', 'the checkpoint signature does not verify with public-key.pem');
    cp = JSON.parse(c.text);
    if (canonicalJson(cp) !== c.text) fail('checkpoint', 'checkpoint-invalid', 'checkpoint text is not canonical');
    if (cp.type !== 'counterseed-checkpoint/v1') fail('checkpoint', 'checkpoint-invalid', `unknown checkpoint type ${cp.type}`);
    if (cp.node !== facts.fingerprint) fail('key', 'key-mismatch', `checkpoint names node ${cp.node} but public-key.pem is ${facts.fingerprint}`);
    if (manifest.checkpoint?.tree_size !== cp.tree_size || manifest.checkpoint?.root !== cp.root) fail('checkpoint', 'checkpoint-mismatch', 'manifest and checkpoint name different tree heads');
    Object.assign(facts, { treeSize: cp.tree_size, root: cp.root, checkpointAt: cp.at });
  } catch (e) { fail('checkpoint', 'checkpoint-invalid', `checkpoint.json: ${e.message}`); }

  // Records.
  const records = [];
  if (raw['records.ndjson']) {
    const buf = raw['records.ndjson'];
    let start = 0;
    for (let line = 1; start < buf.length; line++) {
      let end = buf.indexOf(0x0a, start);
      if (end < 0) { fail('records', 'record-invalid', `line ${line} does not end with a newline`); end = buf.length; }
      const bytes = buf.subarray(start, end);
      start = end + 1;
      let r;
      try { r = JSON.parse(bytes.toString('utf8')); } catch { fail('records', 'record-invalid', `line ${line} is not JSON`); continue; }
      let canonical = false;
      try { canonical = canonicalJson(r) === bytes.toString('utf8'); } catch { /* reported below */ }
      if (!canonical) fail('records', 'record-not-canonical', `line ${line} (seq ${r.seq}) is not in canonical form`);
      if (r.v !== 1 || !Number.isSafeInteger(r.seq) || typeof r.prev !== 'string' || typeof r.obs !== 'object') { fail('records', 'record-invalid', `line ${line} is not a v1 record`); continue; }
      if (r.node !== facts.fingerprint) fail('records', 'record-node-mismatch', `seq ${r.seq} was recorded by node ${r.node}, not ${facts.fingerprint}`);
      records.push({ line, r, hash: leafHash(bytes) });
    }
  }
  facts.records = records.length;
  const listed = Array.isArray(manifest.records) ? manifest.records : [];
  const inFile = new Set();
  for (let i = 0; i < records.length; i++) {
    const { r, line } = records[i];
    if (inFile.has(r.seq)) fail('records', 'record-duplicate', `seq ${r.seq} appears twice (line ${line})`);
    inFile.add(r.seq);
    if (i > 0 && r.seq <= records[i - 1].r.seq) fail('records', 'record-order', `line ${line}: seq ${r.seq} follows seq ${records[i - 1].r.seq}; records must be in ascending seq order`);
  }
  const listedSet = new Set(listed);
  for (const s of listed) if (!inFile.has(s)) fail('records', 'record-missing', `seq ${s} is listed in the signed manifest but missing from records.ndjson`);
  for (const s of inFile) if (!listedSet.has(s)) fail('records', 'record-unlisted', `seq ${s} is in records.ndjson but not in the signed manifest`);
  if (records.length > 0) facts.seqs = `${records[0].r.seq}..${records[records.length - 1].r.seq}`;

  // Chain: each record whose predecessor is also exported must point at that predecessor's hash.
  const bySeq = new Map(records.map((x) => [x.r.seq, x]));
  for (const x of records) {
    const before = bySeq.get(x.r.seq - 1);
    if (before && x.r.prev !== hex(before.hash)) fail('chain', 'chain-link-broken', `seq ${x.r.seq}: prev ${x.r.prev.slice(0, 16)}… is not the hash of seq ${x.r.seq - 1} (${hex(before.hash).slice(0, 16)}…)`);
    if (x.r.seq === 0 && x.r.prev !== '0'.repeat(64)) fail('chain', 'chain-link-broken', 'seq 0 must have an all-zero prev');
    if (cp && x.r.seq === cp.tree_size - 1 && hex(x.hash) !== cp.head) fail('chain', 'head-mismatch', `seq ${x.r.seq} is the checkpoint's last record but its hash differs from the signed head`);
  }

  // Proofs.
  try {
    const p = JSON.parse(raw['proofs.json'].toString('utf8'));
    if (cp && (p.tree_size !== cp.tree_size || p.root !== cp.root)) fail('checkpoint', 'checkpoint-mismatch', 'proofs.json is for a different tree head than checkpoint.json');
    const proofs = new Map((p.proofs ?? []).map((q) => [q.seq, q.path]));
    const root = Buffer.from(cp ? cp.root : '', 'hex');
    for (const x of records) {
      const path = proofs.get(x.r.seq);
      if (!path) { fail('proofs', 'proof-missing', `no inclusion proof for seq ${x.r.seq}`); continue; }
      if (!cp || !verifyInclusion(x.hash, x.r.seq, cp.tree_size, path.map((h) => Buffer.from(h, 'hex')), root)) {
        fail('proofs', 'inclusion-proof-failed', `seq ${x.r.seq} (line ${x.line}) is not at position ${x.r.seq} of the signed tree: its content or position was altered`);
      }
    }
  } catch (e) { fail('proofs', 'proofs-invalid', `proofs.json: ${e.message}`); }

  // Decoys.
  const decoys = new Map();
  try {
    for (const d of JSON.parse(raw['decoys.json'].toString('utf8'))) {
      const info = Buffer.from(d.info_base64, 'base64');
      if (hex(createHash('sha1').update(info).digest()) !== d.info_hash) fail('decoys', 'decoy-infohash-mismatch', `decoy ${d.id}: SHA-1 of its info dictionary is not ${d.info_hash}`);
      const name = Buffer.from(d.name, 'utf8');
      if (!info.includes(Buffer.concat([Buffer.from(`4:name${name.length}:`), name]))) fail('decoys', 'decoy-name-mismatch', `decoy ${d.id}: the info dictionary does not hold the name ${JSON.stringify(d.name)}`);
      decoys.set(d.info_hash, d);
    }
  } catch (e) { fail('decoys', 'decoys-invalid', `decoys.json: ${e.message}`); }

  // CSV against records.
  try {
    const rows = parseCsv(raw['deliveries.csv'].toString('utf8'));
    const header = rows.shift() ?? [];
    if (header.join(',') !== CSV_COLUMNS.join(',')) fail('csv', 'csv-header', 'deliveries.csv header differs from the documented columns');
    const bySeqRow = new Map();
    for (const [i, row] of rows.entries()) {
      const seq = Number(row[0]);
      if (bySeqRow.has(seq)) fail('csv', 'csv-row-extra', `row ${i + 2}: seq ${row[0]} appears twice`);
      bySeqRow.set(seq, { row, n: i + 2 });
    }
    let deliveries = 0;
    for (const x of records) {
      if (x.r.kind !== 'delivery') continue;
      deliveries++;
      const got = bySeqRow.get(x.r.seq);
      bySeqRow.delete(x.r.seq);
      if (!got) { fail('csv', 'csv-row-missing', `delivery seq ${x.r.seq} has no row in deliveries.csv`); continue; }
      const want = expectedCsvRow(x.r.seq, hex(x.hash), x.r.obs, decoys.get(x.r.obs.infoHash));
      const diff = CSV_COLUMNS.filter((_, k) => got.row[k] !== want[k]);
      if (diff.length > 0 || got.row.length !== want.length) fail('csv', 'csv-mismatch', `row ${got.n} (seq ${x.r.seq}) differs from the record in: ${diff.join(', ') || 'column count'}`);
    }
    for (const [seq, { n }] of bySeqRow) fail('csv', 'csv-row-extra', `row ${n}: seq ${seq} is not a delivery record in records.ndjson`);
    facts.deliveries = deliveries;
    if (manifest.deliveries !== deliveries) fail('records', 'record-missing', `the manifest counts ${manifest.deliveries} deliveries, records.ndjson holds ${deliveries}`);
  } catch (e) { fail('csv', 'csv-invalid', `deliveries.csv: ${e.message}`); }

  // Tool configuration.
  try {
    const t = JSON.parse(raw['tool.json'].toString('utf8'));
    const h = hex(sha256(Buffer.from(canonicalJson(t.config), 'utf8')));
    if (h !== t.config_sha256 || h !== manifest.tool?.config_sha256) fail('tool', 'config-hash-mismatch', 'tool.json configuration does not match its hash or the manifest');
  } catch (e) { fail('tool', 'tool-invalid', `tool.json: ${e.message}`); }

  return done();
}

/** A report for people. */
export function formatReport(res) {
  const f = res.facts;
  const lines = [
    `counterseed offline verifier v${VERIFIER_VERSION}`,
    `package:     ${f.package}`,
    `node key:    ${f.fingerprint ?? '?'}`,
    f.expectedFingerprint ? `expected:    ${f.expectedFingerprint}` : '             (compare this fingerprint with the one the police unit published, or pass --key-fingerprint)',
    `checkpoint:  ${f.treeSize ?? '?'} records, root ${f.root ?? '?'}${f.checkpointAt ? `, signed ${new Date(f.checkpointAt).toISOString()}` : ''}`,
    `records:     ${f.records} (seq ${f.seqs ?? '-'}), ${f.deliveries} deliveries`,
    `tool:        ${f.tool ? `${f.tool.name} ${f.tool.version}, config sha256 ${f.tool.config_sha256}` : '?'}`,
    '',
  ];
  for (const [check, doc] of Object.entries(CHECKS)) {
    const n = res.findings.filter((x) => x.check === check).length;
    lines.push(`${n === 0 ? '[ ok ]' : '[FAIL]'} ${doc}${n ? ` (${n})` : ''}`);
  }
  lines.push('');
  if (res.ok) lines.push('RESULT: VERIFIED - no sign of alteration.');
  else {
    lines.push(`RESULT: NOT VERIFIED - ${res.findings.length} problem(s):`);
    for (const x of res.findings.slice(0, 200)) lines.push(`  ${x.code}: ${x.message}`);
    if (res.findings.length > 200) lines.push(`  … and ${res.findings.length - 200} more`);
  }
  return lines.join('\n');
}

function main(argv) {
  const args = argv.slice();
  const json = args.includes('--json') ? (args.splice(args.indexOf('--json'), 1), true) : false;
  let keyFingerprint;
  const k = args.indexOf('--key-fingerprint');
  if (k >= 0) { keyFingerprint = args[k + 1]; args.splice(k, 2); }
  if (args.length !== 1 || args[0].startsWith('-') || (k >= 0 && !keyFingerprint)) {
    process.stderr.write('usage: node verify.mjs PACKAGE_DIR [--key-fingerprint HEX] [--json]\n');
    return 2;
  }
  const res = verifyPackage(args[0], { keyFingerprint });
  process.stdout.write(`${json ? JSON.stringify(res, null, 2) : formatReport(res)}\n`);
  return res.ok ? 0 : 1;
}

const invoked = process.argv[1] && (() => { try { return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url)); } catch { return false; } })();
if (invoked) process.exitCode = main(process.argv.slice(2));
