#!/usr/bin/env node
// counterseed offline verifier: checks an evidence export package with Node.js >= 20 and nothing else.
// Standalone on purpose: it shares no code with counterseed, so it re-derives every hash, signature,
// proof and CSV cell from the specification in verifier/README.md.
// Usage: node verify.mjs PATH [--key-fingerprint HEX] [--published FILE] [--json]
// PATH is an evidence package, or a referral package (a folder with referral.json: README, "Referral packages").
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';

export const VERIFIER_VERSION = 3;

const HEX64 = /^[0-9a-f]{64}$/;
const REQUIRED = ['manifest.json', 'manifest.sig', 'public-key.pem', 'checkpoint.json', 'records.ndjson', 'proofs.json', 'deliveries.csv', 'decoys.json', 'tool.json'];
// Files read in pieces need constant memory; the bound only stops a runaway file. The exporter allows
// 1,000,000 records, whose case.jsonld is about 3 GB.
const MAX_FILE = 64 * 1024 ** 3;

/** The checks, in report order; every finding belongs to one. */
export const CHECKS = {
  files: 'package files present and listed with matching SHA-256 in the manifest',
  key: 'public key is Ed25519 and is the key the records and manifest name',
  manifest: 'manifest signature (Ed25519)',
  checkpoint: 'checkpoint signature (Ed25519) and agreement with manifest and proofs',
  records: 'records are canonical, in order, complete, and name this node',
  chain: 'chain links between consecutive records (prev = hash of the record before)',
  proofs: 'RFC 9162 inclusion proof of every record against the signed checkpoint',
  erased: 'erased records: each stub is the leaf at its seq in the signed tree, needed by a proof, and stands for no record the package delivers',
  completeness: 'no record of the selected IP or decoy up to the checkpoint is left out (signed key index)',
  consistency: 'earlier published checkpoints are prefixes of this log (RFC 9162 consistency proofs)',
  csv: 'deliveries.csv says exactly what records.ndjson says',
  decoys: 'decoys: SHA-1 of each info dictionary is its infohash, and it holds the name',
  tool: 'configuration hash',
};

// ---------- encodings (README sections 1-3) ----------

// Record schema v2 (README section 2): obs names its P2P network and a network-neutral content id.
const NETWORK_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const CONTENT_ID = /^(?:btih:[0-9a-f]{40}|btmh:1220[0-9a-f]{64}|ed2k:[0-9a-f]{32})$/;

/** What is wrong with a record's network and content id, or null. v1 records have neither (an aggregate's `network` is an address prefix). */
function networkStampProblem(r) {
  const o = r.obs;
  if (r.v === 1) return o !== null && 'contentId' in o ? 'a v1 record holds a contentId' : null;
  if (o === null || typeof o.network !== 'string' || !NETWORK_NAME.test(o.network)) return 'a v2 record names no network';
  if (!(o.contentId === null || (typeof o.contentId === 'string' && CONTENT_ID.test(o.contentId)))) return `a v2 record holds a malformed contentId ${JSON.stringify(o.contentId)}`;
  // A BitTorrent v1 content id is its infohash, and says so.
  if (o.network === 'bittorrent' && o.contentId?.startsWith('btih:') && o.contentId !== `btih:${o.infoHash}`) return `contentId ${o.contentId} is not the record's infohash ${o.infoHash}`;
  return null;
}

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

const isPowerOf2 = (x) => { while (x > 1 && x % 2 === 0) x /= 2; return x === 1; };

/** RFC 9162 section 2.1.4.2: `proof` shows the tree of `first` leaves (root firstRoot) is a prefix of the tree of `second` (secondRoot). */
export function verifyConsistency(first, second, proof, firstRoot, secondRoot) {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 1 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  const path = isPowerOf2(first) ? [firstRoot, ...proof] : proof.slice();
  if (path.length === 0) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

/**
 * The key index (README section 10): an address as one spelling: IPv4 dotted, IPv6 per RFC 5952 (as the WHATWG URL
 * parser writes it), an IPv4-mapped IPv6 address (::ffff:a.b.c.d) as its IPv4 address, a zoned address
 * (fe80::1%eth0) as its canonical address, then % and the zone in lower case.
 */
export function ipKey(ip) {
  const v = isIP(String(ip));
  if (v === 4) return `ip:${ip}`;
  if (v !== 6) return null;
  const pct = String(ip).indexOf('%');
  const bare = pct < 0 ? String(ip) : String(ip).slice(0, pct);
  const zone = pct < 0 ? '' : `%${String(ip).slice(pct + 1).toLowerCase()}`;
  let h;
  try { h = new URL(`http://[${bare}]/`).hostname.slice(1, -1); } catch { return null; }
  const m = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(h);
  if (!m || zone !== '') return `ip:${h}${zone}`;
  const hi = parseInt(m[1], 16);
  const lo = parseInt(m[2], 16);
  return `ip:${Math.floor(hi / 256)}.${hi % 256}.${Math.floor(lo / 256)}.${lo % 256}`;
}

/** acc_k = SHA-256(acc_(k-1) || seq u64be || at i64be || record hash), from 32 zero bytes. */
export function accumulate(entries) {
  let acc = Buffer.alloc(32);
  for (const [seq, at, hash] of entries) {
    const b = Buffer.alloc(16);
    b.writeBigUInt64BE(BigInt(seq), 0);
    b.writeBigInt64BE(BigInt(at), 8);
    acc = sha256(Buffer.concat([acc, b, hash]));
  }
  return acc;
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

// ---------- reading big files in pieces ----------
// records.ndjson, proofs.json, deliveries.csv and case.jsonld grow with the package (hundreds of MB for 100,000 records),
// so they are read CHUNK bytes at a time and hashed as they are read: the SHA-256 compared with the manifest is the
// SHA-256 of exactly the bytes that were checked. What the checks keep per record is a few numbers and two hashes.

const CHUNK = 1024 ** 2;
/** Longest records.ndjson line or deliveries.csv row, and largest single value in proofs.json (a proof is a few KB). */
const MAX_LINE = 16 * 1024 ** 2;
/** Files read whole (manifest, key, signatures, checkpoint, decoys, tool): a few KB to a few MB. */
const MAX_WHOLE = 256 * 1024 ** 2;
const STREAMED = ['records.ndjson', 'proofs.json', 'deliveries.csv'];

/** A file read front to back, CHUNK bytes at a time; every byte read is hashed. More than MAX_FILE bytes is an error. */
class Chunks {
  constructor(path) {
    this.fd = openSync(path, 'r');
    this.hash = createHash('sha256');
    this.pos = 0; // file offset of buf[0]
    this.buf = Buffer.alloc(0);
    this.i = 0;
    this.eof = false;
    this.chunk = Buffer.allocUnsafe(CHUNK); // reused: whatever must outlive a read is copied out of it
  }

  /** Loads the next chunk into buf (i = 0); false at the end of the file. */
  more() {
    if (this.eof) return false;
    this.pos += this.buf.length;
    const b = this.chunk;
    const n = readSync(this.fd, b, 0, CHUNK, null);
    this.buf = b.subarray(0, n);
    this.i = 0;
    if (n === 0) { this.eof = true; return false; }
    if (this.pos + n > MAX_FILE) throw new Error(`larger than ${MAX_FILE} bytes`);
    this.hash.update(this.buf);
    return true;
  }

  /** Reads and hashes the rest of the file, closes it; returns the SHA-256 (hex), or null if the file could not be read to its end. */
  finish() {
    try {
      while (this.more());
      return this.hash.digest('hex');
    } catch { return null; } finally { closeSync(this.fd); }
  }
}

/** Runs consume(chunks) over the file at `path`; returns its SHA-256 (null if unreadable) and what consume threw. */
function streamFile(path, consume) {
  let c;
  try { c = new Chunks(path); } catch (e) { return { digest: null, error: e }; }
  let error = null;
  try { consume(c); } catch (e) { error = e; }
  return { digest: c.finish(), error };
}

/** Calls onLine(bytes | null if longer than MAX_LINE, lineNumber, offset, length, endsWithNewline) for every line. */
function eachLine(c, onLine) {
  let parts = [];
  let partLen = 0;
  let start = 0; // file offset of the current line
  let line = 1;
  let tooLong = false;
  while (c.more()) {
    const b = c.buf;
    let s = 0;
    for (;;) {
      const e = b.indexOf(0x0a, s);
      const end = e < 0 ? b.length : e;
      if (!tooLong) {
        if (partLen + end - s > MAX_LINE) { tooLong = true; parts = []; } else { parts.push(e < 0 ? Buffer.from(b.subarray(s, end)) : b.subarray(s, end)); partLen += end - s; }
      }
      if (e < 0) break;
      onLine(tooLong ? null : parts.length === 1 ? parts[0] : Buffer.concat(parts, partLen), line, start, c.pos + e - start, true);
      line++;
      start = c.pos + e + 1;
      s = e + 1;
      parts = [];
      partLen = 0;
      tooLong = false;
    }
  }
  if (c.pos + c.buf.length > start) onLine(tooLong ? null : Buffer.concat(parts, partLen), line, start, c.pos + c.buf.length - start, false);
}

const isWs = (x) => x === 0x20 || x === 0x0a || x === 0x0d || x === 0x09;

/** Skips JSON whitespace; returns the next byte (not consumed), or -1 at the end of the file. */
function skipWs(c) {
  for (;;) {
    const b = c.buf;
    while (c.i < b.length) { const x = b[c.i]; if (!isWs(x)) return x; c.i++; }
    if (!c.more()) return -1;
  }
}

/** The text of the one JSON value starting at the current byte (at most MAX_LINE bytes); JSON.parse checks it. */
function captureValue(c) {
  const first = skipWs(c);
  if (first < 0) throw new SyntaxError('Unexpected end of JSON input');
  if (first === 0x2c || first === 0x3a || first === 0x5d || first === 0x7d) throw new SyntaxError(`byte ${c.pos + c.i}: expected a value, found '${String.fromCharCode(first)}'`);
  const scalar = first !== 0x22 && first !== 0x5b && first !== 0x7b;
  const parts = [];
  let len = 0;
  let depth = 0;
  let inStr = false;
  let esc = false;
  for (;;) {
    const b = c.buf;
    const start = c.i;
    let i = start;
    let done = false;
    for (; i < b.length; i++) {
      const x = b[i];
      if (inStr) {
        if (esc) esc = false;
        else if (x === 0x5c) esc = true;
        else if (x === 0x22) { inStr = false; if (depth === 0) { i++; done = true; break; } }
      } else if (scalar) {
        if (isWs(x) || x === 0x2c || x === 0x5d || x === 0x7d || x === 0x3a) { done = true; break; }
      } else if (x === 0x22) inStr = true;
      else if (x === 0x7b || x === 0x5b) depth++;
      else if (x === 0x7d || x === 0x5d) { depth--; if (depth === 0) { i++; done = true; break; } }
    }
    len += i - start;
    if (len > MAX_LINE) throw new Error(`a value at byte ${c.pos + start} is larger than ${MAX_LINE} bytes`);
    parts.push(done ? b.subarray(start, i) : Buffer.from(b.subarray(start, i)));
    c.i = i;
    if (done) break;
    if (!c.more()) { if (scalar) break; throw new SyntaxError('Unexpected end of JSON input'); }
  }
  return JSON.parse((parts.length === 1 ? parts[0] : Buffer.concat(parts, len)).toString('utf8'));
}

/**
 * Reads proofs.json: an object whose "proofs" array is handed to onProof element by element (onProofsArray() first,
 * again for a repeated "proofs" key, where the last one counts as with JSON.parse). Returns { p, streamed }: p holds
 * tree_size, root and a "proofs" value that was not an array; streamed says the last "proofs" was an array.
 * A file that is not a JSON object is parsed whole (up to MAX_LINE bytes) and returned as p.
 */
function readProofs(c, onProofsArray, onProof) {
  const at = () => `byte ${c.pos + c.i}`;
  let x = skipWs(c);
  if (x !== 0x7b) {
    const whole = captureValue(c);
    if (skipWs(c) >= 0) throw new SyntaxError(`${at()}: unexpected data after the JSON value`);
    return { p: whole, streamed: false };
  }
  c.i++;
  const p = {};
  let streamed = false;
  x = skipWs(c);
  if (x === 0x7d) c.i++;
  else {
    for (;;) {
      if (x !== 0x22) throw new SyntaxError(`${at()}: expected a string key`);
      const key = captureValue(c);
      if (skipWs(c) !== 0x3a) throw new SyntaxError(`${at()}: expected ':'`);
      c.i++;
      if (key === 'proofs' && skipWs(c) === 0x5b) {
        c.i++;
        streamed = true;
        delete p.proofs;
        onProofsArray();
        x = skipWs(c);
        if (x === 0x5d) c.i++;
        else {
          for (;;) {
            onProof(captureValue(c));
            x = skipWs(c);
            if (x === 0x2c) { c.i++; continue; }
            if (x === 0x5d) { c.i++; break; }
            throw new SyntaxError(`${at()}: expected ',' or ']' in the proofs array`);
          }
        }
      } else {
        const v = captureValue(c);
        if (key === 'tree_size' || key === 'root') p[key] = v;
        else if (key === 'proofs') { streamed = false; p.proofs = v; }
      }
      x = skipWs(c);
      if (x === 0x2c) { c.i++; x = skipWs(c); continue; }
      if (x === 0x7d) { c.i++; break; }
      throw new SyntaxError(`${at()}: expected ',' or '}'`);
    }
  }
  if (skipWs(c) >= 0) throw new SyntaxError(`${at()}: unexpected data after the JSON object`);
  return { p, streamed };
}

/**
 * RFC 4180 parser returning raw (still quoted-as-written) cells, so cells compare byte for byte with csvCell output.
 * Calls onRow(cells) for every row; a row may end at the end of the file without CRLF; a row longer than MAX_LINE is an error.
 */
function eachCsvRow(c, onRow) {
  const dec = new StringDecoder('utf8');
  let text = '';
  let eof = false;
  let rows = 0;
  const MORE = Symbol('more');
  for (;;) {
    let i = 0;
    let rowStart = 0;
    try {
      while (i < text.length) {
        rowStart = i;
        const row = [];
        for (;;) {
          const start = i;
          if (text[i] === '"') {
            i++;
            for (;;) {
              if (i >= text.length) { if (!eof) throw MORE; throw new Error('unterminated quoted cell'); }
              if (text[i] === '"') {
                if (i + 1 >= text.length && !eof) throw MORE;
                if (text[i + 1] === '"') { i += 2; continue; }
                i++;
                break;
              }
              i++;
            }
          } else {
            while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') i++;
          }
          if (i >= text.length && !eof) throw MORE;
          row.push(text.slice(start, i));
          if (text[i] === ',') {
            i++;
            if (i >= text.length) { if (!eof) throw MORE; return; } // a trailing comma at the end of the file: the row is dropped, as before
            continue;
          }
          if (text[i] === '\r' && i + 1 >= text.length && !eof) throw MORE;
          if (text.startsWith('\r\n', i)) i += 2;
          else if (i < text.length) throw new Error(`line ${rows + 1}: expected CRLF after a cell`);
          break;
        }
        rows++;
        onRow(row);
      }
      rowStart = i;
    } catch (e) {
      if (e !== MORE) throw e;
    }
    if (eof) return;
    text = text.slice(rowStart);
    if (text.length > MAX_LINE) throw new Error(`line ${rows + 1} is longer than ${MAX_LINE} characters`);
    if (c.more()) text += dec.write(c.buf);
    else { eof = true; text += dec.end(); }
  }
}

/** Fixed-width byte strings (hashes) in one growing buffer, indexed from 0. */
class Slots {
  constructor(width) { this.w = width; this.b = Buffer.alloc(width * 1024); }
  set(i, bytes) {
    if ((i + 1) * this.w > this.b.length) { const b = Buffer.alloc(this.b.length * 2); this.b.copy(b); this.b = b; }
    this.b.set(bytes, i * this.w);
  }
  get(i) { return this.b.subarray(i * this.w, (i + 1) * this.w); }
}

// ---------- the verification ----------

/**
 * Verifies the package in `dir`. Returns { ok, findings: [{check, code, message}], facts }.
 * Never throws for a bad package: every problem is a finding.
 */
export function verifyPackage(dir, opts = {}) {
  const findings = [];
  let sink = findings; // checks run in a different order than they are reported in: each writes into its own list
  const fail = (check, code, message) => sink.push({ check, code, message });
  const facts = { package: dir, fingerprint: null, expectedFingerprint: opts.keyFingerprint ?? null, treeSize: null, root: null, checkpointAt: null, records: 0, deliveries: 0, seqs: null, tool: null, completeness: null, published: 0, purpose: null, erased: [] };
  const done = () => ({ ok: findings.length === 0, findings, facts });

  const raw = {}; // small files, read whole
  const present = {}; // big files, read in pieces later
  for (const name of REQUIRED) {
    const p = join(dir, name);
    if (!existsSync(p)) { fail('files', 'file-missing', `${name} is missing`); continue; }
    let st;
    try { st = statSync(p); } catch (e) { fail('files', 'file-missing', `${name} cannot be read: ${e.message}`); continue; }
    if (!st.isFile()) { fail('files', 'file-missing', `${name} is not a regular file`); continue; }
    const limit = STREAMED.includes(name) ? MAX_FILE : MAX_WHOLE;
    if (st.size > limit) { fail('files', 'file-too-large', `${name} is larger than ${limit} bytes`); continue; }
    if (STREAMED.includes(name)) { present[name] = p; continue; }
    try { raw[name] = readFileSync(p); } catch (e) { fail('files', 'file-missing', `${name} cannot be read: ${e.message}`); }
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
    if (!EXPORT_TYPES.includes(manifest.type)) throw new Error(`unknown type ${manifest.type}`);
  } catch (e) { fail('manifest', 'manifest-invalid', `manifest.json: ${e.message}`); return done(); }
  const sig = raw['manifest.sig'] ? Buffer.from(raw['manifest.sig'].toString('utf8').trim(), 'base64') : Buffer.alloc(0);
  if (!verifySignature(null, raw['manifest.json'], key, sig)) fail('manifest', 'manifest-signature-invalid', 'manifest.sig is not a valid signature of manifest.json by public-key.pem');
  if (manifest.node !== facts.fingerprint) fail('key', 'key-mismatch', `manifest names node ${manifest.node} but public-key.pem is ${facts.fingerprint}`);
  facts.tool = manifest.tool;
  // What the recording node's data directory held: 'lab' and 'synthetic' records are simulated, never
  // evidence. Under the manifest's signature, so no one can turn a lab package into evidence unseen.
  // Absent in packages made before it was recorded.
  facts.purpose = manifest.purpose ?? null;
  if (manifest.purpose !== undefined && !PURPOSES.includes(manifest.purpose)) fail('manifest', 'purpose-invalid', `manifest.json: purpose ${JSON.stringify(manifest.purpose)} is not one of ${PURPOSES.join(', ')}`);

  // From here on the checks run in the order the data needs (checkpoint and decoys, then one pass over each big file,
  // hashing it as it goes) and their findings are put back in report order at the end.
  const out = { checkpoint: [], records: [], decoys: [] };

  // Checkpoint.
  sink = out.checkpoint;
  let cp;
  try {
    const c = JSON.parse(raw['checkpoint.json'].toString('utf8'));
    if (!verifySignature(null, Buffer.from(c.text, 'utf8'), key, Buffer.from(String(c.signature), 'base64'))) fail('checkpoint', 'checkpoint-signature-invalid', 'the checkpoint signature does not verify with public-key.pem');
    cp = JSON.parse(c.text);
    if (canonicalJson(cp) !== c.text) fail('checkpoint', 'checkpoint-invalid', 'checkpoint text is not canonical');
    if (cp.type !== 'counterseed-checkpoint/v1' && !INDEXED.includes(cp.type)) fail('checkpoint', 'checkpoint-invalid', `unknown checkpoint type ${cp.type}`);
    if (INDEXED.includes(cp.type) && !(HEX64.test(cp.index) && Number.isSafeInteger(cp.index_size) && cp.index_size >= 0)) fail('checkpoint', 'checkpoint-invalid', 'a v2, v3 or v4 checkpoint needs an index root and index_size');
    if (cp.node !== facts.fingerprint) fail('key', 'key-mismatch', `checkpoint names node ${cp.node} but public-key.pem is ${facts.fingerprint}`);
    if (manifest.checkpoint?.tree_size !== cp.tree_size || manifest.checkpoint?.root !== cp.root) fail('checkpoint', 'checkpoint-mismatch', 'manifest and checkpoint name different tree heads');
    Object.assign(facts, { treeSize: cp.tree_size, root: cp.root, checkpointAt: cp.at });
  } catch (e) { fail('checkpoint', 'checkpoint-invalid', `checkpoint.json: ${e.message}`); }

  // Decoys (needed to derive the CSV cells while the records go by).
  sink = out.decoys;
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

  // Records, one line at a time. Kept per record: seq, line number, where the line is, prev, its hash and, for a
  // delivery, the SHA-256 of the CSV cells it should have (the cells themselves are derived again only for a mismatch).
  sink = out.records;
  const digests = {};
  const seqs = [];
  const lineNos = [];
  const offsets = [];
  const lengths = [];
  const prevs = [];
  const ats = [];
  const isDelivery = [];
  const hashes = new Slots(32);
  const wantDigests = new Slots(32);
  const wantErrors = new Map(); // record index -> what deriving its CSV cells threw
  const firstDelivery = new Map(); // seq -> index of the first delivery record with that seq (the one a CSV row is compared with)
  const expectedRow = (r, hash) => expectedCsvRow(r.seq, hex(hash), r.obs, decoys.get(r.obs.infoHash));
  const cellsDigest = (cells) => sha256(Buffer.from(JSON.stringify(cells), 'utf8'));
  if (present['records.ndjson']) {
    const res = streamFile(present['records.ndjson'], (c) => eachLine(c, (bytes, line, offset, length, newline) => {
      if (!newline) fail('records', 'record-invalid', `line ${line} does not end with a newline`);
      if (!bytes) { fail('records', 'record-invalid', `line ${line} is longer than ${MAX_LINE} bytes`); return; }
      const text = bytes.toString('utf8');
      let r;
      try { r = JSON.parse(text); } catch { fail('records', 'record-invalid', `line ${line} is not JSON`); return; }
      if (r === null) { fail('records', 'record-invalid', `line ${line} is not a v1 record`); return; }
      let canonical = false;
      try { canonical = canonicalJson(r) === text; } catch { /* reported below */ }
      if (!canonical) fail('records', 'record-not-canonical', `line ${line} (seq ${r.seq}) is not in canonical form`);
      // v1: the first record schema; v2 (same header) may carry more obs fields, such as network and contentId.
      if ((r.v !== 1 && r.v !== 2) || !Number.isSafeInteger(r.seq) || !Number.isSafeInteger(r.at) || typeof r.prev !== 'string' || typeof r.obs !== 'object') { fail('records', 'record-invalid', `line ${line} is not a v1 or v2 record`); return; }
      if (r.node !== facts.fingerprint) fail('records', 'record-node-mismatch', `seq ${r.seq} was recorded by node ${r.node}, not ${facts.fingerprint}`);
      const stamp = networkStampProblem(r);
      if (stamp) fail('records', 'record-invalid', `seq ${r.seq}: ${stamp}`);
      const idx = seqs.length;
      const hash = leafHash(bytes);
      seqs.push(r.seq);
      lineNos.push(line);
      offsets.push(offset);
      lengths.push(length);
      ats.push(r.at);
      prevs.push(r.prev.length > 64 ? r.prev.slice(0, 65) : r.prev); // longer than a hash: never equal to one; 16 chars are reported
      hashes.set(idx, hash);
      const delivery = r.kind === 'delivery';
      isDelivery.push(delivery);
      if (delivery && !firstDelivery.has(r.seq)) {
        firstDelivery.set(r.seq, idx);
        try { wantDigests.set(idx, cellsDigest(expectedRow(r, hash))); } catch (e) { wantErrors.set(idx, e); }
      }
    }));
    digests['records.ndjson'] = res.digest;
    if (res.error) fail('records', 'record-invalid', `records.ndjson cannot be read to its end: ${res.error.message}`);
  }
  const n = seqs.length;

  // Proofs, one array element at a time: each is checked against the records with its seq as it goes by.
  // status per record: 0 no proof, 1 verified, 2 failed, 3 threw (proofThrew holds what).
  const status = new Uint8Array(n);
  const proofThrew = new Map();
  let proofFatal = null; // what JSON.parse-then-map over the elements would have thrown (an element that is null)
  let root;
  let rootError = null;
  try { root = Buffer.from(cp ? cp.root : '', 'hex'); } catch (e) { rootError = e; }
  const dupSeqs = new Map(); // seq -> all record indexes, only for seqs that appear more than once
  const lastBySeq = new Map();
  for (let i = 0; i < n; i++) {
    const prevIdx = lastBySeq.get(seqs[i]);
    if (prevIdx !== undefined) { const l = dupSeqs.get(seqs[i]) ?? [prevIdx]; l.push(i); dupSeqs.set(seqs[i], l); }
    lastBySeq.set(seqs[i], i);
  }
  let proofs = { error: new Error('missing or unreadable') };
  if (present['proofs.json']) {
    let read;
    const res = streamFile(present['proofs.json'], (c) => {
      read = readProofs(c, () => { status.fill(0); proofThrew.clear(); proofFatal = null; }, (q) => {
        if (proofFatal) return;
        let seq;
        let path;
        try { seq = q.seq; path = q.path; } catch (e) { proofFatal = e; return; }
        const one = lastBySeq.get(seq);
        if (one === undefined) return;
        for (const i of dupSeqs.get(seq) ?? [one]) {
          if (!path) { status[i] = 0; continue; }
          if (!cp) { status[i] = 2; continue; }
          try {
            status[i] = verifyInclusion(hashes.get(i), seqs[i], cp.tree_size, path.map((h) => Buffer.from(h, 'hex')), root) ? 1 : 2;
          } catch (e) { status[i] = 3; proofThrew.set(i, e); }
        }
      });
    });
    digests['proofs.json'] = res.digest;
    proofs = res.error ? { error: res.error } : read;
  }

  // deliveries.csv, one row at a time: each row is compared with the delivery record it names as it goes by.
  const csv = { error: null, early: [], rowN: new Map(), rowDiff: new Map() };
  if (present['deliveries.csv']) {
    let reread = null;
    const rereadRecord = (i) => {
      reread ??= openSync(present['records.ndjson'], 'r');
      const b = Buffer.alloc(lengths[i]);
      if (readSync(reread, b, 0, b.length, offsets[i]) !== b.length || !leafHash(b).equals(hashes.get(i))) throw new Error('records.ndjson changed while it was being verified');
      return JSON.parse(b.toString('utf8'));
    };
    let header = null;
    let rowNo = 0;
    const res = streamFile(present['deliveries.csv'], (c) => eachCsvRow(c, (row) => {
      rowNo++;
      if (header === null) {
        header = row;
        if (header.join(',') !== CSV_COLUMNS.join(',')) csv.early.push({ check: 'csv', code: 'csv-header', message: 'deliveries.csv header differs from the documented columns' });
        return;
      }
      const seq = Number(row[0]);
      if (csv.rowN.has(seq)) csv.early.push({ check: 'csv', code: 'csv-row-extra', message: `row ${rowNo}: seq ${row[0]} appears twice` });
      csv.rowN.set(seq, rowNo);
      csv.rowDiff.delete(seq);
      const i = firstDelivery.get(seq);
      if (i === undefined || wantErrors.has(i) || cellsDigest(row).equals(wantDigests.get(i))) return;
      const want = expectedRow(rereadRecord(i), hashes.get(i));
      const diff = CSV_COLUMNS.filter((_, k) => row[k] !== want[k]);
      if (diff.length > 0 || row.length !== want.length) csv.rowDiff.set(seq, diff.join(', ') || 'column count');
    }));
    if (reread !== null) closeSync(reread);
    digests['deliveries.csv'] = res.digest;
    csv.error = res.error;
    if (header === null && !res.error) csv.early.push({ check: 'csv', code: 'csv-header', message: 'deliveries.csv header differs from the documented columns' });
  } else csv.error = new Error('missing or unreadable');

  // Report, in the order of the checks.
  sink = findings;
  for (const [name, digest] of Object.entries(manifest.files ?? {})) {
    const p = join(dir, name);
    if (name.includes('/') || name.includes('\\')) { fail('files', 'file-name-invalid', `manifest lists a path: ${name}`); continue; }
    let got;
    if (raw[name]) got = hex(sha256(raw[name]));
    else if (digests[name]) got = digests[name];
    else if (existsSync(p)) got = streamFile(p, () => {}).digest;
    else { if (!REQUIRED.includes(name)) fail('files', 'file-missing', `${name} is missing`); continue; }
    if (got === null) { fail('files', 'file-missing', `${name} cannot be read`); continue; }
    if (got !== digest) fail('files', 'file-digest-mismatch', `${name} does not match its SHA-256 in the manifest`);
  }
  for (const name of REQUIRED) if (!['manifest.json', 'manifest.sig'].includes(name) && !(name in (manifest.files ?? {}))) fail('files', 'file-unlisted', `${name} is not listed in the manifest`);
  findings.push(...out.checkpoint, ...out.records);

  facts.records = n;
  const listed = Array.isArray(manifest.records) ? manifest.records : [];
  const inFile = new Set();
  for (let i = 0; i < n; i++) {
    if (inFile.has(seqs[i])) fail('records', 'record-duplicate', `seq ${seqs[i]} appears twice (line ${lineNos[i]})`);
    inFile.add(seqs[i]);
    if (i > 0 && seqs[i] <= seqs[i - 1]) fail('records', 'record-order', `line ${lineNos[i]}: seq ${seqs[i]} follows seq ${seqs[i - 1]}; records must be in ascending seq order`);
  }
  const listedSet = new Set(listed);
  for (const s of listed) if (!inFile.has(s)) fail('records', 'record-missing', `seq ${s} is listed in the signed manifest but missing from records.ndjson`);
  for (const s of inFile) if (!listedSet.has(s)) fail('records', 'record-unlisted', `seq ${s} is in records.ndjson but not in the signed manifest`);
  if (n > 0) facts.seqs = `${seqs[0]}..${seqs[n - 1]}`;

  // Erased records (README section 12): stubs in erased.json, each standing for a record the proofs need whose content was erased.
  const stubs = readStubs(dir, manifest, cp, fail);

  // Chain: each record whose predecessor is also exported (as a record or a stub) must point at that predecessor's hash.
  for (let i = 0; i < n; i++) {
    const seq = seqs[i];
    const before = lastBySeq.get(seq - 1);
    const beforeHash = before !== undefined ? hashes.get(before) : stubs.get(seq - 1)?.hash;
    if (beforeHash !== undefined && prevs[i] !== hex(beforeHash)) fail('chain', 'chain-link-broken', `seq ${seq}: prev ${prevs[i].slice(0, 16)}… is not the hash of ${before === undefined ? 'the stub of erased record' : 'seq'} ${seq - 1} (${hex(beforeHash).slice(0, 16)}…)`);
    if (seq === 0 && prevs[i] !== '0'.repeat(64)) fail('chain', 'chain-link-broken', 'seq 0 must have an all-zero prev');
    if (cp && seq === cp.tree_size - 1 && hex(hashes.get(i)) !== cp.head) fail('chain', 'head-mismatch', `seq ${seq} is the checkpoint's last record but its hash differs from the signed head`);
  }
  for (const [seq, st] of stubs) if (cp && seq === cp.tree_size - 1 && hex(st.hash) !== cp.head) fail('chain', 'head-mismatch', `the stub of erased record ${seq}, the checkpoint's last record, has a hash that differs from the signed head`);

  // Proofs.
  try {
    if (proofs.error) throw proofs.error;
    const p = proofs.p;
    if (cp && (p.tree_size !== cp.tree_size || p.root !== cp.root)) fail('checkpoint', 'checkpoint-mismatch', 'proofs.json is for a different tree head than checkpoint.json');
    if (proofs.streamed) {
      if (proofFatal) throw proofFatal;
      if (rootError) throw rootError;
      for (let i = 0; i < n; i++) {
        if (status[i] === 0) { fail('proofs', 'proof-missing', `no inclusion proof for seq ${seqs[i]}`); continue; }
        if (status[i] === 3) throw proofThrew.get(i);
        if (status[i] === 2) fail('proofs', 'inclusion-proof-failed', `seq ${seqs[i]} (line ${lineNos[i]}) is not at position ${seqs[i]} of the signed tree: its content or position was altered`);
      }
    } else {
      // Not the exporter's layout (no "proofs" array): at most MAX_LINE bytes, checked as a whole.
      const proofsBySeq = new Map((p.proofs ?? []).map((q) => [q.seq, q.path]));
      if (rootError) throw rootError;
      for (let i = 0; i < n; i++) {
        const path = proofsBySeq.get(seqs[i]);
        if (!path) { fail('proofs', 'proof-missing', `no inclusion proof for seq ${seqs[i]}`); continue; }
        if (!cp || !verifyInclusion(hashes.get(i), seqs[i], cp.tree_size, path.map((h) => Buffer.from(h, 'hex')), root)) {
          fail('proofs', 'inclusion-proof-failed', `seq ${seqs[i]} (line ${lineNos[i]}) is not at position ${seqs[i]} of the signed tree: its content or position was altered`);
        }
      }
    }
  } catch (e) { fail('proofs', 'proofs-invalid', `proofs.json: ${e.message}`); }

  checkStubs(stubs, { manifest, cp, root, inFile, listedSet, facts, fail });
  checkCompleteness(dir, manifest, cp, { fail, facts, ats, hashes, lastBySeq, stubs });
  // A stub only ever stands in where a proof of the selection needs the erased record.
  for (const [seq, st] of stubs) if (!st.used) fail('erased', 'stub-unneeded', `the stub of erased record ${seq} is needed by no completeness proof of the selection: a package carries only the erased records its proofs go through`);
  checkConsistency(dir, manifest, cp, key, facts, opts.published ?? [], fail);

  findings.push(...out.decoys);

  // CSV against records.
  try {
    if (csv.error) throw csv.error;
    findings.push(...csv.early);
    let deliveries = 0;
    for (let i = 0; i < n; i++) {
      if (!isDelivery[i]) continue;
      deliveries++;
      const seq = seqs[i];
      const rowNo = csv.rowN.get(seq);
      const diff = csv.rowDiff.get(seq);
      csv.rowN.delete(seq);
      if (rowNo === undefined) { fail('csv', 'csv-row-missing', `delivery seq ${seq} has no row in deliveries.csv`); continue; }
      if (wantErrors.has(i)) throw wantErrors.get(i);
      if (diff !== undefined) fail('csv', 'csv-mismatch', `row ${rowNo} (seq ${seq}) differs from the record in: ${diff}`);
    }
    for (const [seq, rowNo] of csv.rowN) fail('csv', 'csv-row-extra', `row ${rowNo}: seq ${seq} is not a delivery record in records.ndjson`);
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

/** Export package types: v2 carries erased records as stubs (erased.json, the manifest's "erased"); v1 never does. */
const EXPORT_TYPES = ['counterseed-export/v1', 'counterseed-export/v2'];

/** An ISO time for a report line; the raw value where it is not a time. */
const isoOr = (ms) => { try { return new Date(ms).toISOString(); } catch { return String(ms); } };

/** The report's "erased:" line. */
function erasedLine(erased) {
  if (erased.length === 0) return 'none';
  return `${erased.length} record(s) erased under the retention rules: their content is not in the package, their proofs go through their stubs (seq, time, hash)`;
}

/**
 * erased.json (README section 12): the stubs of erased records, by seq: { at, hash, erasedAt, erasure, path, used }.
 * A v2 package must carry it; a v1 package never does. A stub holds no content: seq, time and leaf hash are what the
 * chain link, the Merkle path and the key index's accumulator need.
 */
function readStubs(dir, manifest, cp, fail) {
  const stubs = new Map();
  const v2 = manifest.type === 'counterseed-export/v2';
  let e;
  try { e = readListed(dir, manifest, 'erased.json'); } catch (err) { fail('erased', 'stubs-invalid', `erased.json: ${err.message}`); return stubs; }
  if (e === undefined) {
    if (v2) fail('erased', 'stubs-missing', 'a counterseed-export/v2 manifest needs erased.json (the stubs of its erased records), and it lists none');
    return stubs;
  }
  if (!v2) { fail('erased', 'stubs-invalid', `erased.json in a ${manifest.type} package: only v2 packages carry erased records`); return stubs; }
  if (!cp || e?.tree_size !== cp.tree_size || e?.root !== cp.root) fail('erased', 'stubs-invalid', 'erased.json is for a different tree head than checkpoint.json');
  const list = Array.isArray(e?.stubs) ? e.stubs : [];
  if (list.length === 0) fail('erased', 'stubs-invalid', 'erased.json holds no stubs');
  for (const x of list) {
    const ok = x && Number.isSafeInteger(x.seq) && x.seq >= 0 && Number.isSafeInteger(x.at) && typeof x.hash === 'string' && HEX64.test(x.hash)
      && x.erased && Number.isSafeInteger(x.erased.at) && typeof x.erased.erasure === 'string' && Array.isArray(x.path) && x.path.every((h) => typeof h === 'string' && HEX64.test(h));
    if (!ok) { fail('erased', 'stub-invalid', `a stub in erased.json is malformed: ${JSON.stringify(x).slice(0, 200)}`); continue; }
    if (stubs.has(x.seq)) { fail('erased', 'stub-invalid', `erased record ${x.seq} has two stubs`); continue; }
    stubs.set(x.seq, { at: x.at, hash: Buffer.from(x.hash, 'hex'), erasedAt: x.erased.at, erasure: x.erased.erasure, path: x.path.map((h) => Buffer.from(h, 'hex')), used: false });
  }
  return stubs;
}

/**
 * Each stub: the leaf at its seq in the signed tree (its RFC 9162 inclusion proof: the node signed a record there, with
 * exactly this hash), erased after it was recorded, named in the signed manifest's "erased" list, and never a record
 * the package delivers (a line of records.ndjson, or a seq of the manifest's "records"): a stub cannot hide a
 * delivered record. Every stub goes into facts.erased, which the report lists one by one.
 */
function checkStubs(stubs, { manifest, cp, root, inFile, listedSet, facts, fail }) {
  if (manifest.erased !== undefined && (manifest.type !== 'counterseed-export/v2' || !Array.isArray(manifest.erased))) fail('erased', 'stubs-invalid', `the manifest's "erased" list is malformed or in a ${manifest.type} package`);
  const named = new Set(Array.isArray(manifest.erased) ? manifest.erased : []);
  for (const [seq, st] of stubs) {
    if (inFile.has(seq)) fail('erased', 'stub-for-record', `seq ${seq} is a record in records.ndjson and also a stub in erased.json: a stub never stands for a record the package delivers`);
    if (listedSet.has(seq)) fail('erased', 'stub-for-record', `seq ${seq} is listed in the signed manifest as a record the package delivers, but erased.json carries only a stub for it: its content was taken out`);
    if (!named.has(seq)) fail('erased', 'stub-unlisted', `the stub of seq ${seq} is not in the signed manifest's list of erased records`);
    let proved = false;
    try { proved = cp !== undefined && root !== undefined && verifyInclusion(st.hash, seq, cp.tree_size, st.path, root); } catch { /* reported below */ }
    if (!proved) fail('erased', 'stub-proof-failed', `the stub of erased record ${seq} is not the leaf at position ${seq} of the signed tree: its hash was altered, or no such record was signed`);
    if (st.erasedAt < st.at) fail('erased', 'stub-invalid', `the stub of seq ${seq} says it was erased (${isoOr(st.erasedAt)}) before it was recorded (${isoOr(st.at)})`);
    facts.erased.push({ seq, at: st.at, erasedAt: st.erasedAt, erasure: st.erasure });
  }
  for (const seq of named) if (!stubs.has(seq)) fail('erased', 'stub-missing', `the signed manifest lists erased record ${seq}, but erased.json has no stub for it`);
  facts.erased.sort((a, b) => a.seq - b.seq);
}

/** A small JSON file of the package, listed in the signed manifest (its digest is checked with the others), parsed. */
function readListed(dir, manifest, name) {
  if (!(name in (manifest.files ?? {}))) return undefined;
  const p = join(dir, name);
  if (statSync(p).size > MAX_WHOLE) throw new Error(`larger than ${MAX_WHOLE} bytes`);
  return JSON.parse(readFileSync(p, 'utf8'));
}

/** Checkpoints that sign a key index (v3 and v4: also "time:" keys, so every selection kind has a proof). */
const INDEXED = ['counterseed-checkpoint/v2', 'counterseed-checkpoint/v3', 'counterseed-checkpoint/v4'];
/** Indexes with "time:" and "net:" keys: the UTC hour of a record (v3) or its minute (v4). */
const TIME_KEYED = { 'counterseed-checkpoint/v3': 'hour', 'counterseed-checkpoint/v4': 'minute' };
const UNIT_MS = { hour: 3600000, minute: 60000 };
/**
 * The "time:" key an index files a record of time `at` under (1970..9999), else null: "time:YYYY-MM-DDTHH:MM",
 * its UTC minute (v4), or "time:YYYY-MM-DDTHH", its UTC hour (v3).
 */
export function timeKey(at, unit = 'minute') {
  if (!Number.isSafeInteger(at) || at < 0 || at >= Date.UTC(10000, 0, 1)) return null;
  const ms = UNIT_MS[unit];
  return `time:${new Date(Math.floor(at / ms) * ms).toISOString().slice(0, unit === 'hour' ? 13 : 16)}`;
}
/** "net:" and the address of an address's /24 (IPv4) or /48 (IPv6) network, where a v3 index files the aggregate records of floods from it. */
export function networkKey(ip) {
  const k = ipKey(ip);
  if (!k) return null;
  const a = k.slice(3);
  if (isIP(a) === 4) return `net:${a.slice(0, a.lastIndexOf('.'))}.0`;
  if (a.includes('%')) return null;
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const g = [...h, ...new Array(tail === undefined ? 0 : 8 - h.length - t.length).fill('0'), ...t];
  return `net:${ipKey(`${g.slice(0, 3).map((x) => parseInt(x, 16).toString(16)).join(':')}::`).slice(3)}`;
}

/**
 * completeness.json (README section 10). A package against an indexed checkpoint must prove that no record of its
 * selection up to the checkpoint is left out: for each key of the selection, its leaf in the signed index, whose
 * accumulator is recomputed from the records in the package (in the time window) and the links given for the
 * others (outside it); for a key with no records, the neighbouring leaves. By IP: also the IP's network key. By IP
 * and decoy: the IP's key, its records of other decoys given as texts. By time (v3, v4): every "time:" key of the
 * window's hours (v3) or minutes (v4), a run of consecutive leaves with a neighbour at each end.
 */
function checkCompleteness(dir, manifest, cp, r) {
  const fail = (code, message) => r.fail('completeness', code, message);
  const sel = manifest.selection ?? {};
  const hasIp = sel.ip !== undefined;
  const hasDecoy = sel.decoy !== undefined;
  const hasIps = sel.ips !== undefined;
  const indexed = cp && INDEXED.includes(cp.type);
  // v2 proved selections by one IP or one decoy; v3 and v4 prove every selection.
  const unit = cp ? TIME_KEYED[cp.type] : undefined;
  const required = indexed && (unit !== undefined || hasIps || hasIp !== hasDecoy);
  try {
    const c = readListed(dir, manifest, 'completeness.json');
    if (c === undefined) {
      if (required) fail('completeness-missing', `the package's selection ${JSON.stringify(sel)} against a ${cp.type} checkpoint needs completeness.json`);
      return;
    }
    if (!indexed) { fail('completeness-invalid', 'completeness.json needs a checkpoint with a key index (v2, v3 or v4)'); return; }
    const from = sel.from === undefined ? null : Date.parse(sel.from);
    const to = sel.to === undefined ? null : Date.parse(sel.to);
    if (c.window?.from !== from || c.window?.to !== to) { fail('completeness-invalid', 'completeness.json is for another time window than the selection'); return; }
    if (c.tree_size !== cp.tree_size || c.index !== cp.index || c.index_size !== cp.index_size) { fail('completeness-invalid', 'completeness.json is for another checkpoint'); return; }
    const inWindow = (at) => (from === null || at >= from) && (to === null || at < to);
    const root = Buffer.from(cp.index, 'hex');
    const proven = (x) => x && typeof x.leaf === 'object' && x.leaf !== null && Array.isArray(x.path) && Number.isSafeInteger(x.index)
      && verifyInclusion(leafHash(Buffer.from(canonicalJson({ acc: x.leaf.acc, count: x.leaf.count, key: x.leaf.key }), 'utf8')), x.index, cp.index_size, x.path.map((h) => Buffer.from(String(h), 'hex')), root);
    const checkKey = (p, key, other) => checkKeyProof(p, key, other, { inWindow, proven, fail, r, indexSize: cp.index_size });
    if (hasIps) {
      r.facts.completeness = checkAddresses(sel, c, unit, { checkKey, fail });
      return;
    }
    if (!hasIp && !hasDecoy) {
      if (unit === undefined || c.key !== null || !c.time) { fail('completeness-invalid', `completeness.json is for ${c.key}, the selection is ${JSON.stringify(sel)}`); return; }
      r.facts.completeness = checkTime(c.time, from, to, unit, { checkKey, proven, fail, indexSize: cp.index_size, stubs: r.stubs });
      return;
    }
    const key = hasIp ? ipKey(sel.ip) : `decoy:${sel.decoy}`;
    if (c.key !== key || (hasIp && hasDecoy && c.decoy !== sel.decoy)) { fail('completeness-invalid', `completeness.json is for ${c.key}, the selection is ${JSON.stringify(sel)}`); return; }
    const other = hasIp && hasDecoy ? { decoy: sel.decoy, texts: c.other } : undefined;
    if (hasIp && hasDecoy && !Array.isArray(c.other)) { fail('completeness-invalid', 'completeness.json for an IP and a decoy needs the texts of the IP\'s other records'); return; }
    const facts = [checkKey(c, key, other)];
    const net = hasIp && !hasDecoy && unit !== undefined ? networkKey(sel.ip) : null;
    if (net !== null) {
      if (!c.network || c.network.key !== net) fail('completeness-missing', `completeness.json has no proof for ${net}, the network of ${sel.ip} (its aggregate records)`);
      else facts.push(checkKey(c.network, net));
    }
    if (facts.every((x) => x !== null)) r.facts.completeness = facts.join('; ');
  } catch (e) { fail('completeness-invalid', `completeness.json: ${e.message}`); }
}

/**
 * Several addresses (a referral's, selection "ips"): for each, in the selection's order, its key's proof and,
 * with a v3 or v4 checkpoint, its network key's proof, each checked as for a selection by one IP.
 */
function checkAddresses(sel, c, unit, { checkKey, fail }) {
  if (sel.ip !== undefined || sel.decoy !== undefined || !Array.isArray(sel.ips) || sel.ips.length === 0) { fail('completeness-invalid', `the selection ${JSON.stringify(sel)} of several addresses is malformed`); return null; }
  if (c.key !== null || !Array.isArray(c.ips) || c.ips.length !== sel.ips.length) { fail('completeness-invalid', `completeness.json does not hold one proof for each of the ${sel.ips.length} addresses selected`); return null; }
  const facts = [];
  sel.ips.forEach((ip, i) => {
    const key = typeof ip === 'string' ? ipKey(ip) : null;
    const p = c.ips[i];
    if (key === null || p?.key !== key) { fail('completeness-invalid', `proof ${i + 1} is for ${p?.key}, the selection's address ${i + 1} is ${JSON.stringify(ip)}`); facts.push(null); return; }
    facts.push(checkKey(p, key));
    const net = unit !== undefined ? networkKey(ip) : null;
    if (net === null) return;
    if (!p.network || p.network.key !== net) { fail('completeness-missing', `completeness.json has no proof for ${net}, the network of ${ip} (its aggregate records)`); facts.push(null); }
    else facts.push(checkKey(p.network, net));
  });
  if (!facts.every((x) => x !== null)) return null;
  const records = new Set(c.ips.flatMap((p) => [...p.inside, ...(p.network?.inside ?? [])])).size;
  return `${sel.ips.length} addresses and their networks: ${records} record(s) in the window, each address's records proved complete`;
}

/** One key's proof: its leaf reproduced from the package's records, the texts in `other` and the links outside the window; or its absence. */
export function checkKeyProof(c, key, other, { inWindow, proven, fail, r, indexSize }) {
  if (!c || !Array.isArray(c.inside) || !Array.isArray(c.outside)) { fail('completeness-invalid', `the proof for ${key} is incomplete`); return null; }
  if (c.leaf) {
    if (!proven(c.leaf) || c.leaf.leaf.key !== key) { fail('completeness-failed', `the leaf of ${key} is not in the key index the checkpoint signs`); return null; }
    const entries = [];
    const missing = [];
    let erased = 0;
    for (const seq of c.inside) {
      const i = r.lastBySeq.get(seq);
      if (i === undefined) {
        // An erased record: its stub (seq, time, hash) takes its place in the accumulator; its content is gone.
        const st = r.stubs?.get(seq);
        if (st === undefined) { missing.push(seq); continue; }
        st.used = true;
        erased++;
        if (!inWindow(st.at)) fail('completeness-failed', `erased record ${seq} is listed inside the window but its stub's time is outside it`);
        entries.push([seq, st.at, st.hash]);
        continue;
      }
      if (!inWindow(r.ats[i])) fail('completeness-failed', `record ${seq} is listed inside the window but its time is outside it`);
      entries.push([seq, r.ats[i], r.hashes.get(i)]);
    }
    if (missing.length > 0) fail('completeness-failed', `${missing.length === 1 ? `record ${missing[0]}` : `${missing.length} records (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''})`} of ${key} in the window not in records.ndjson: left out`);
    for (const text of other?.texts ?? []) {
      const rec = JSON.parse(String(text));
      if (canonicalJson(rec) !== text || !Number.isSafeInteger(rec.seq) || !Number.isSafeInteger(rec.at)) { fail('completeness-invalid', `a record of ${key} given as text is not a canonical record`); return null; }
      if (rec.obs?.decoyId === other.decoy) fail('completeness-failed', `record ${rec.seq} of ${key} is of decoy ${other.decoy} (at ${new Date(rec.at).toISOString()}) but not in the package: it was left out`);
      if (!inWindow(rec.at)) fail('completeness-failed', `record ${rec.seq} is given as another decoy's record in the window but its time is outside it`);
      entries.push([rec.seq, rec.at, leafHash(Buffer.from(text, 'utf8'))]);
    }
    for (const [seq, at, hash] of c.outside) {
      if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(at) || !HEX64.test(hash)) { fail('completeness-invalid', `bad link ${JSON.stringify([seq, at, hash])}`); return null; }
      if (inWindow(at)) fail('completeness-failed', `record ${seq} of ${key} is in the window (at ${new Date(at).toISOString()}) but not in the package: it was left out`);
      entries.push([seq, at, Buffer.from(hash, 'hex')]);
    }
    entries.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < entries.length; i++) if (entries[i][0] === entries[i - 1][0]) fail('completeness-invalid', `record ${entries[i][0]} is listed twice`);
    if (entries.length !== c.leaf.leaf.count || hex(accumulate(entries)) !== c.leaf.leaf.acc) {
      fail('completeness-failed', `the records given for ${key} (${entries.length}) do not reproduce its signed count (${c.leaf.leaf.count}) and accumulator: a record is missing, extra or altered`);
      return null;
    }
    const others = other ? `, ${other.texts.length} of other decoys` : '';
    return `${key}: ${c.inside.length} record(s) in the window${erased ? ` (${erased} erased)` : ''}${others}, ${c.outside.length} outside it, of ${c.leaf.leaf.count}`;
  }
  if (c.inside.length > 0 || c.outside.length > 0 || (other?.texts ?? []).length > 0) { fail('completeness-invalid', 'an absent key cannot have records'); return null; }
  const ns = c.neighbours ?? [];
  if (!ns.every(proven)) { fail('completeness-failed', 'a neighbouring leaf is not in the key index the checkpoint signs'); return null; }
  const left = ns.find((x) => x.leaf.key < key);
  const right = ns.find((x) => x.leaf.key > key);
  const ok = indexSize === 0 ? ns.length === 0
    : left && right ? right.index === left.index + 1 : right ? right.index === 0 && ns.length === 1 : left ? left.index === indexSize - 1 && ns.length === 1 : false;
  if (!ok) { fail('completeness-failed', `the neighbouring leaves do not prove that ${key} has no records`); return null; }
  return `${key}: no records (absence proved by the neighbouring leaves)`;
}

/** A time window's proof: every "time:" key of its hours (v3) or minutes (v4), consecutive leaves, with the leaves just before and after them. */
export function checkTime(t, from, to, unit, { checkKey, proven, fail, indexSize, stubs }) {
  const lo = from === null ? 'time:' : timeKey(Math.max(0, from), unit) ?? 'time;';
  const hi = to === null ? 'time;' : timeKey(Math.max(0, to - 1), unit) ?? 'time;';
  const leaves = Array.isArray(t.leaves) ? t.leaves : [];
  let index = null;
  for (const p of leaves) {
    const key = p?.leaf?.leaf?.key;
    if (typeof key !== 'string' || !key.startsWith('time:') || key < lo || key > hi) { fail('completeness-invalid', `the time proof holds ${key}, outside ${lo}..${hi}`); return null; }
    if (!proven(p.leaf)) { fail('completeness-failed', `the leaf of ${key} is not in the key index the checkpoint signs`); return null; }
    if (index !== null && p.leaf.index !== index + 1) { fail('completeness-failed', `the ${unit} keys of the window are not consecutive leaves at ${key}: one was left out`); return null; }
    index = p.leaf.index;
  }
  const { before, after } = t;
  if ((before && !proven(before)) || (after && !proven(after))) { fail('completeness-failed', `a leaf next to the window's ${unit} keys is not in the key index the checkpoint signs`); return null; }
  const start = leaves.length > 0 ? leaves[0].leaf.index : after ? after.index : before ? before.index + 1 : 0;
  const end = start + leaves.length;
  const bounded = (before ? before.index === start - 1 && before.leaf.key < lo : start === 0) && (after ? after.index === end && after.leaf.key > hi : end === indexSize);
  if (!bounded) { fail('completeness-failed', `the leaves around the window's ${unit} keys (${lo}..${hi}) do not prove that none was left out`); return null; }
  const facts = leaves.map((p) => checkKey(p, p.leaf.leaf.key));
  if (facts.some((x) => x === null)) return null;
  const records = leaves.reduce((n, p) => n + p.inside.length, 0);
  const erased = leaves.reduce((n, p) => n + p.inside.filter((q) => stubs?.has(q)).length, 0);
  return `time window: ${records} record(s)${erased ? ` (${erased} erased)` : ''} in ${leaves.length} ${unit} key(s) ${lo}..${hi}`;
}

/**
 * consistency.json: the checkpoints the node had published, each with an RFC 9162 consistency proof to this
 * package's checkpoint; and the checkpoints the user passes with --published (published by the police unit or held by
 * a witness): each must be this checkpoint's tree, proved to be a prefix of it, or newer than it. A published
 * checkpoint over more records than this package's, signed before it, means the log was cut.
 */
function checkConsistency(dir, manifest, cp, key, facts, published, fail) {
  const proved = new Map(); // tree_size -> root, for every checkpoint proved a prefix of this one
  const bodyOf = (c) => {
    if (!verifySignature(null, Buffer.from(String(c.text), 'utf8'), key, Buffer.from(String(c.signature), 'base64'))) throw new Error('its signature does not verify with public-key.pem');
    const b = JSON.parse(c.text);
    if (canonicalJson(b) !== c.text || (b.type !== 'counterseed-checkpoint/v1' && !INDEXED.includes(b.type)) || b.node !== facts.fingerprint || !Number.isSafeInteger(b.tree_size) || !HEX64.test(b.root)) throw new Error('not a checkpoint of this node');
    return b;
  };
  try {
    const c = readListed(dir, manifest, 'consistency.json');
    if (c !== undefined) {
      if (!cp || c.tree_size !== cp.tree_size || c.root !== cp.root) throw new Error('it is for another checkpoint');
      for (const p of c.proofs) {
        let b;
        try { b = bodyOf(p.checkpoint); } catch (e) { fail('consistency', 'consistency-invalid', `an earlier checkpoint: ${e.message}`); continue; }
        const path = p.path.map((h) => Buffer.from(String(h), 'hex'));
        if (b.tree_size > cp.tree_size || !verifyConsistency(b.tree_size, cp.tree_size, path, Buffer.from(b.root, 'hex'), Buffer.from(cp.root, 'hex'))) {
          fail('consistency', 'consistency-failed', `the log is not an extension of the checkpoint signed ${new Date(b.at).toISOString()} (tree of ${b.tree_size} records): it was rewritten`);
        } else proved.set(b.tree_size, b.root);
      }
    }
  } catch (e) { fail('consistency', 'consistency-invalid', `consistency.json: ${e.message}`); }
  if (cp) proved.set(cp.tree_size, cp.root);
  facts.published = published.length;
  for (const p of published) {
    let b;
    try { b = bodyOf(p); } catch (e) { fail('consistency', 'published-invalid', `a published checkpoint: ${e.message}`); continue; }
    if (!cp) continue;
    const when = new Date(b.at).toISOString();
    if (b.tree_size > cp.tree_size) {
      if (b.at <= cp.at) fail('consistency', 'log-shortened', `the checkpoint published ${when} covers ${b.tree_size} records, but this package's checkpoint, signed later (${new Date(cp.at).toISOString()}), covers only ${cp.tree_size}: the log was cut`);
    } else if (proved.get(b.tree_size) !== b.root) {
      fail('consistency', proved.has(b.tree_size) ? 'log-rewritten' : 'published-not-covered', `the package does not prove that its log extends the checkpoint published ${when} (tree of ${b.tree_size} records): the log may have been rewritten`);
    }
  }
}

/** Published checkpoints from a file: one {"signature","text"} per line (checkpoints.ndjson), or one checkpoint.json. */
export function readPublished(path) {
  const text = readFileSync(path, 'utf8');
  try {
    const whole = JSON.parse(text);
    return (Array.isArray(whole) ? whole : [whole]).map((c) => ({ text: String(c.text), signature: String(c.signature) }));
  } catch {
    return text.split('\n').filter((l) => l.trim() !== '').map((l) => { const c = JSON.parse(l); return { text: String(c.text), signature: String(c.signature) }; });
  }
}

/** What a data directory can hold (manifest.purpose); only 'evidence' is evidence. */
export const PURPOSES = ['evidence', 'lab', 'synthetic'];

/** The warning a package of simulated records carries on its report's first and last lines; undefined for evidence. */
export function purposeWarning(purpose) {
  if (purpose === 'lab') return 'LAB DATA: not evidence (simulated downloads recorded by counterseed lab)';
  if (purpose === 'synthetic') return 'SYNTHETIC DATA: not evidence (generated records)';
  if (purpose !== null && purpose !== undefined && purpose !== 'evidence') return `UNKNOWN PURPOSE ${JSON.stringify(purpose)}: not evidence`;
  return undefined;
}

/** The end of every report: one line per check, then the result and its findings (at most 200). */
function resultLines(res, checks, warning, erased = 0) {
  const lines = [];
  for (const [check, doc] of Object.entries(checks)) {
    const n = res.findings.filter((x) => x.check === check).length;
    lines.push(`${n === 0 ? '[ ok ]' : '[FAIL]'} ${doc}${n ? ` (${n})` : ''}`);
  }
  lines.push('');
  if (res.ok) lines.push(`RESULT: VERIFIED - no sign of alteration.${erased ? ` ${erased} record(s) erased under the retention rules (listed above): erased, not tampered.` : ''}`);
  else {
    lines.push(`RESULT: NOT VERIFIED - ${res.findings.length} problem(s):`);
    for (const x of res.findings.slice(0, 200)) lines.push(`  ${x.code}: ${x.message}`);
    if (res.findings.length > 200) lines.push(`  … and ${res.findings.length - 200} more`);
  }
  if (warning) lines.push(`*** ${warning} ***`);
  return lines;
}

/** A report for people. */
export function formatReport(res) {
  const f = res.facts;
  const warning = purposeWarning(f.purpose);
  const lines = [
    ...(warning ? [`*** ${warning} ***`, ''] : []),
    `counterseed offline verifier v${VERIFIER_VERSION}`,
    `package:     ${f.package}`,
    `node key:    ${f.fingerprint ?? '?'}`,
    f.expectedFingerprint ? `expected:    ${f.expectedFingerprint}` : '             (compare this fingerprint with the one the police unit published, or pass --key-fingerprint)',
    `checkpoint:  ${f.treeSize ?? '?'} records, root ${f.root ?? '?'}${f.checkpointAt ? `, signed ${new Date(f.checkpointAt).toISOString()}` : ''}`,
    `records:     ${f.records} (seq ${f.seqs ?? '-'}), ${f.deliveries} deliveries`,
    `complete:    ${f.completeness ?? 'not proved for this selection'}`,
    `published:   ${f.published ? `${f.published} checkpoint(s) given with --published` : 'none given (--published FILE)'}`,
    `tool:        ${f.tool ? `${f.tool.name} ${f.tool.version}, config sha256 ${f.tool.config_sha256}` : '?'}`,
    `purpose:     ${f.purpose ?? 'not recorded (package made before the manifest named it)'}${warning ? ` - ${warning}` : ''}`,
    `erased:      ${erasedLine(f.erased ?? [])}`,
    ...(f.erased ?? []).slice(0, 200).map((e) => `  erased: seq ${e.seq}, recorded ${isoOr(e.at)}, erased ${isoOr(e.erasedAt)} by ${JSON.stringify(e.erasure)}`),
    ...((f.erased ?? []).length > 200 ? [`  … and ${f.erased.length - 200} more (--json lists them all)`] : []),
    '',
  ];
  return [...lines, ...resultLines(res, CHECKS, warning, (f.erased ?? []).length)].join('\n');
}

// ---------- referral packages (README, "Referral packages") ----------

/** The checks of a referral package, in report order. */
export const REFERRAL_CHECKS = {
  signature: 'referral.json is canonical and signed (Ed25519) by public-key.pem',
  files: 'every file in the folder is listed in referral.json with its SHA-256, and none is missing',
  packages: 'every address\'s evidence package verifies, is signed by the same node, selects that address, and is the one listed',
  figures: 'per-address deliveries, completions and time span, totals and ISP counts agree with the evidence records',
};

/** Every file under dir, as relative paths with "/", at most `max` (a referral of 500 addresses has ~7,000). */
function listTree(dir, max = 1_000_000) {
  const out = [];
  const walk = (d, rel) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = statSync(p);
      if (st.isDirectory()) walk(p, r);
      else { out.push(r); if (out.length > max) throw new Error(`more than ${max} files`); }
    }
  };
  walk(dir, '');
  return out;
}

/** Deliveries to `ip` in a package's records.ndjson: count, completed, first and last time. */
function figuresOf(path) {
  const by = new Map();
  const res = streamFile(path, (c) => eachLine(c, (bytes) => {
    if (bytes === null || bytes.length === 0) return;
    const r = JSON.parse(bytes.toString('utf8'));
    if (r.kind !== 'delivery' || typeof r.obs?.remoteIp !== 'string') return;
    let f = by.get(r.obs.remoteIp);
    if (f === undefined) by.set(r.obs.remoteIp, f = { deliveries: 0, completed: 0, first: null, last: null });
    f.deliveries++;
    if (r.obs.completed === true) f.completed++;
    if (f.first === null || r.at < f.first) f.first = r.at;
    if (f.last === null || r.at > f.last) f.last = r.at;
  }));
  if (res.error) throw res.error;
  return (ip) => by.get(ip) ?? { deliveries: 0, completed: 0, first: null, last: null };
}

/** "evidence": one package for every address (selection "ips"); "evidence/<folder>": one package per address (before). */
const PACKAGE_PATH = /^evidence(\/[0-9A-Za-z._-]{1,64})?$/;

/** Checks a referral package: its signed referral.json, every file's hash, each evidence package, and the figures it states. */
export function verifyReferral(dir, opts = {}) {
  const findings = [];
  const fail = (check, code, message) => findings.push({ check, code, message });
  const facts = { package: dir, fingerprint: null, expectedFingerprint: opts.keyFingerprint ?? null, agency: null, purpose: null, ips: 0, deliveries: 0, packages: [] };
  const done = () => {
    const order = Object.keys(REFERRAL_CHECKS);
    findings.sort((a, b) => order.indexOf(a.check) - order.indexOf(b.check));
    return { ok: findings.length === 0, findings, facts };
  };
  let text; let key; let m;
  try {
    text = readFileSync(join(dir, 'referral.json'));
    key = createPublicKey(readFileSync(join(dir, 'public-key.pem')));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`public-key.pem: key type ${key.asymmetricKeyType}`);
    facts.fingerprint = fingerprintOf(key);
    m = JSON.parse(text.toString('utf8'));
    if (canonicalJson(m) !== text.toString('utf8')) throw new Error('referral.json is not in canonical form');
    if (m.type !== 'counterseed-referral/v1') throw new Error(`unknown type ${m.type}`);
  } catch (e) { fail('signature', 'referral-invalid', e.message); return done(); }
  let sig = Buffer.alloc(0);
  try { sig = Buffer.from(readFileSync(join(dir, 'referral.sig'), 'utf8').trim(), 'base64'); } catch { /* reported below */ }
  if (!verifySignature(null, text, key, sig)) fail('signature', 'referral-signature-invalid', 'referral.sig is not a valid signature of referral.json by public-key.pem');
  if (m.node !== facts.fingerprint) fail('signature', 'key-mismatch', `referral.json names node ${m.node} but public-key.pem is ${facts.fingerprint}`);
  if (opts.keyFingerprint && opts.keyFingerprint.replace(/[\s:]/g, '').toLowerCase() !== facts.fingerprint) fail('signature', 'unexpected-key', `signed by key ${facts.fingerprint}, not the expected ${opts.keyFingerprint}`);
  facts.agency = m.agency?.name ?? null;
  facts.purpose = m.purpose ?? null;
  if (!PURPOSES.includes(m.purpose)) fail('signature', 'purpose-invalid', `purpose ${JSON.stringify(m.purpose)} is not one of ${PURPOSES.join(', ')}`);

  // Files: the folder holds exactly what referral.json lists.
  const listed = m.files && typeof m.files === 'object' ? m.files : {};
  let present = [];
  try { present = listTree(dir).filter((f) => f !== 'referral.json' && f !== 'referral.sig'); } catch (e) { fail('files', 'file-unreadable', e.message); }
  for (const f of present) {
    if (!(f in listed)) { fail('files', 'file-unlisted', `${f} is not listed in referral.json`); continue; }
    const got = streamFile(join(dir, f), () => {}).digest;
    if (got !== listed[f]) fail('files', 'file-hash-mismatch', `${f}: SHA-256 ${got} differs from referral.json's ${listed[f]}`);
  }
  for (const f of Object.keys(listed)) if (!present.includes(f)) fail('files', 'file-missing', `${f} is listed in referral.json but missing`);

  // Each address: its evidence package, and the figures referral.json states for it.
  const ips = Array.isArray(m.ips) ? m.ips : [];
  const seen = new Set();
  const isps = new Map();
  const totals = { ips: 0, deliveries: 0, completed: 0, first: null, last: null };
  // Each evidence package is verified once, however many addresses share it.
  const packages = new Map();
  const packageOf = (path) => {
    let p = packages.get(path);
    if (p !== undefined) return p;
    const pdir = join(dir, path);
    const v = verifyPackage(pdir, { keyFingerprint: facts.fingerprint, published: opts.published ?? [] });
    for (const x of v.findings) fail('packages', 'package-not-verified', `${path}: ${x.code}: ${x.message}`);
    p = { path, v, raw: null, manifest: null, figures: null, listed: [] };
    try {
      p.raw = readFileSync(join(pdir, 'manifest.json'));
      p.manifest = JSON.parse(p.raw.toString('utf8'));
    } catch (err) { fail('packages', 'package-unreadable', `${path}: ${err.message}`); }
    try { p.figures = figuresOf(join(pdir, 'records.ndjson')); } catch (err) { fail('figures', 'records-unreadable', `${path}/records.ndjson: ${err.message}`); }
    packages.set(path, p);
    facts.packages.push({ package: path, ok: v.ok, deliveries: v.facts.deliveries, ips: p.listed });
    return p;
  };
  for (const e of ips) {
    if (typeof e?.ip !== 'string' || typeof e.package !== 'string' || !PACKAGE_PATH.test(e.package)) { fail('packages', 'entry-invalid', `an address entry is malformed: ${JSON.stringify(e).slice(0, 200)}`); continue; }
    if (seen.has(e.ip)) fail('packages', 'duplicate-ip', `${e.ip} is listed twice`);
    seen.add(e.ip);
    const p = packageOf(e.package);
    p.listed.push(e.ip);
    if (p.raw !== null && sha256(p.raw).toString('hex') !== e.manifest_sha256) fail('packages', 'package-swapped', `${e.package}: manifest.json is not the one referral.json lists for ${e.ip}`);
    const manifest = p.manifest;
    if (manifest) {
      const sel = manifest.selection ?? {};
      const selects = Array.isArray(sel.ips) ? sel.ips.includes(e.ip) : sel.ip === e.ip;
      if (!selects) fail('packages', 'package-selection', `${e.package} selects ${JSON.stringify(sel).slice(0, 200)}, not the address ${e.ip}`);
      if ((manifest.purpose ?? null) !== m.purpose) fail('packages', 'package-purpose', `${e.package} holds ${manifest.purpose} data, the referral says ${m.purpose}`);
    }
    const f = p.figures === null ? null : p.figures(e.ip);
    if (f) {
      for (const k of ['deliveries', 'completed', 'first', 'last']) {
        if (e[k] !== f[k]) fail('figures', 'figure-mismatch', `${e.ip}: referral.json says ${k} ${e[k]}, its evidence records give ${f[k]}`);
      }
      totals.ips++; totals.deliveries += f.deliveries; totals.completed += f.completed;
      if (f.first !== null && (totals.first === null || f.first < totals.first)) totals.first = f.first;
      if (f.last !== null && (totals.last === null || f.last > totals.last)) totals.last = f.last;
    }
    const k = String(e.asn ?? null);
    isps.set(k, (isps.get(k) ?? 0) + 1);
  }
  // A shared package must select no address the referral does not list (the agency receives only its addresses' records).
  for (const p of packages.values()) {
    const sel = p.manifest?.selection;
    if (!Array.isArray(sel?.ips)) continue;
    const extra = sel.ips.filter((ip) => !p.listed.includes(ip));
    if (extra.length > 0) fail('packages', 'package-selection', `${p.path} also selects ${extra.length} address(es) the referral does not list (${extra.slice(0, 5).join(', ')})`);
  }
  for (const k of ['ips', 'deliveries', 'completed', 'first', 'last']) {
    if (m.totals?.[k] !== totals[k]) fail('figures', 'total-mismatch', `totals.${k} is ${m.totals?.[k]}, the addresses' evidence gives ${totals[k]}`);
  }
  const stated = new Map((Array.isArray(m.isps) ? m.isps : []).map((i) => [String(i.asn ?? null), i.ips]));
  if (stated.size !== isps.size || [...isps].some(([k, n]) => stated.get(k) !== n)) fail('figures', 'isp-mismatch', 'the ISP counts do not match the addresses listed');
  facts.ips = ips.length;
  facts.deliveries = totals.deliveries;
  return done();
}

/** A report for people. */
export function formatReferralReport(res) {
  const f = res.facts;
  const warning = purposeWarning(f.purpose);
  const lines = [
    ...(warning ? [`*** ${warning} ***`, ''] : []),
    `counterseed offline verifier v${VERIFIER_VERSION}: referral package`,
    `package:     ${f.package}`,
    `agency:      ${f.agency ?? '?'}`,
    `node key:    ${f.fingerprint ?? '?'}`,
    f.expectedFingerprint ? `expected:    ${f.expectedFingerprint}` : '             (compare this fingerprint with the one the police unit published, or pass --key-fingerprint)',
    `addresses:   ${f.ips}, ${f.deliveries} deliveries in ${f.packages.length} evidence package(s)`,
    '',
  ];
  return [...lines, ...resultLines(res, REFERRAL_CHECKS, warning)].join('\n');
}

function main(argv) {
  const args = argv.slice();
  const json = args.includes('--json') ? (args.splice(args.indexOf('--json'), 1), true) : false;
  let keyFingerprint;
  const k = args.indexOf('--key-fingerprint');
  if (k >= 0) { keyFingerprint = args[k + 1]; args.splice(k, 2); }
  let publishedFile;
  const pf = args.indexOf('--published');
  if (pf >= 0) { publishedFile = args[pf + 1]; args.splice(pf, 2); }
  if (args.length !== 1 || args[0].startsWith('-') || (k >= 0 && !keyFingerprint) || (pf >= 0 && !publishedFile)) {
    process.stderr.write('usage: node verify.mjs PACKAGE_DIR [--key-fingerprint HEX] [--published FILE] [--json]\n');
    return 2;
  }
  let published = [];
  if (publishedFile !== undefined) {
    try { published = readPublished(publishedFile); } catch (e) { process.stderr.write(`--published ${publishedFile}: ${e.message}\n`); return 2; }
  }
  const referral = existsSync(join(args[0], 'referral.json'));
  const res = referral ? verifyReferral(args[0], { keyFingerprint, published }) : verifyPackage(args[0], { keyFingerprint, published });
  process.stdout.write(`${json ? JSON.stringify(res, null, 2) : referral ? formatReferralReport(res) : formatReport(res)}\n`);
  return res.ok ? 0 : 1;
}

const invoked = process.argv[1] && (() => { try { return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url)); } catch { return false; } })();
if (invoked) process.exitCode = main(process.argv.slice(2));
