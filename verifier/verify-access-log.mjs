#!/usr/bin/env node
// Checks an exported counterseed access log (LED Art. 25: who consulted, disclosed or erased what,
// and why), as written by `counterseed access-log export` or GET /api/access-log/export, from
// either store. Plain JavaScript, no dependencies, Node.js 20 or later, with verify.mjs beside it.
// Usage: node verify-access-log.mjs FILE [--head HEX] [--json]
// Exit status: 0 = verified, 1 = any problem found, 2 = usage error or a file that is not an access log.
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from './verify.mjs';

/** The first entry's prevHash. */
export const GENESIS = '0'.repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;

/** SHA-256 over the canonical JSON (RFC 8785) of {action, at, prev, purpose, user, what}, prev = the previous entry's hash. */
export const accessEntryHash = (e) => createHash('sha256')
  .update(canonicalJson({ action: e.action, at: e.at, prev: e.prevHash, purpose: e.purpose, user: e.user, what: e.what })).digest('hex');

/**
 * Entries {seq, at, user, action, what, purpose, prevHash, hash}, oldest first: each entry's hash is
 * accessEntryHash of its content and links to the previous one (GENESIS for the first): a chain.
 * Shown: no entry was edited, none removed or inserted between two others, the sequence has no gap.
 * Not shown without `head`: that entries were not cut off at the end (compare the head with one noted
 * elsewhere). counterseed's own check (src/app/access-log.ts, GET /api/access-log/verify) is this one.
 */
export function verifyAccessEntries(entries, opts = {}) {
  const problems = [];
  let prev = GENESIS, n = 0, expectSeq;
  for (const e of entries) {
    n++;
    if (expectSeq !== undefined && e.seq !== expectSeq) problems.push(`entry ${e.seq}: expected sequence ${expectSeq} (entries missing)`);
    if (e.prevHash !== prev) problems.push(`entry ${e.seq}: does not link to the previous entry`);
    if (!HEX64.test(e.hash) || accessEntryHash(e) !== e.hash) problems.push(`entry ${e.seq}: content does not match its hash (edited)`);
    prev = e.hash;
    expectSeq = e.seq + 1;
    if (problems.length >= 100) break;
  }
  if (opts.head !== undefined && opts.head !== prev) problems.push(`the last entry's hash is ${prev}, not the head ${opts.head} noted elsewhere (entries cut off or the log rewritten)`);
  return { ok: problems.length === 0, entries: n, head: prev, problems };
}

/** The lines of an exported log as entries; throws with the line number on anything else. */
export function parseAccessLog(text, maxLine = 1_000_000) {
  const entries = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.length > maxLine) throw new Error(`line ${i + 1}: longer than ${maxLine} characters`);
    let e;
    try { e = JSON.parse(line); } catch { throw new Error(`line ${i + 1}: not JSON`); }
    const shaped = e && typeof e === 'object' && Number.isSafeInteger(e.seq) && Number.isSafeInteger(e.at)
      && ['user', 'action', 'what', 'purpose', 'prevHash', 'hash'].every((k) => typeof e[k] === 'string');
    if (!shaped) throw new Error(`line ${i + 1}: not an access-log entry`);
    entries.push(e);
  }
  return entries;
}

function main(argv) {
  const json = argv.includes('--json');
  const h = argv.indexOf('--head');
  const head = h >= 0 ? argv[h + 1] : undefined;
  const files = argv.filter((a, i) => !a.startsWith('--') && (h < 0 || i !== h + 1));
  if (files.length !== 1 || (h >= 0 && !HEX64.test(head ?? ''))) {
    process.stderr.write('usage: node verify-access-log.mjs FILE [--head HEX] [--json]\n');
    return 2;
  }
  let text;
  try { text = readFileSync(files[0], 'utf8'); } catch (e) { process.stderr.write(`${files[0]}: ${e.message}\n`); return 2; }
  let entries;
  try { entries = parseAccessLog(text); } catch (e) { process.stderr.write(`${files[0]}: ${e.message}\n`); return 2; }
  const v = verifyAccessEntries(entries, head !== undefined ? { head } : {});
  if (json) process.stdout.write(`${JSON.stringify(v)}\n`);
  else process.stdout.write(`${v.ok ? 'ok' : 'FAILED'}: ${v.entries} entries, head ${v.head}\n${v.problems.map((p) => `  ${p}\n`).join('')}`);
  return v.ok ? 0 : 1;
}

const invoked = process.argv[1] && (() => { try { return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url)); } catch { return false; } })();
if (invoked) process.exitCode = main(process.argv.slice(2));
