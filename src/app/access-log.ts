import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../domain/errors.ts';
import { canonicalJson } from '../evidence/canonical-json.ts';
import type { AccessEntry } from '../store/governance.ts';
import type { Actor, Governance } from './governance.ts';

export type { AccessEntry } from '../store/governance.ts';

/** The prevHash of the first entry. */
export const GENESIS = '0'.repeat(64);
export type AccessAction = 'consult' | 'disclose' | 'erase' | 'request' | 'approve' | 'reject' | 'hold' | 'release' | 'review';

/** The fields an entry's hash covers, in the evidence's canonical JSON (RFC 8785, src/evidence/canonical-json.ts). */
const body = (e: Omit<AccessEntry, 'seq' | 'hash'>) => ({ action: e.action, at: e.at, prev: e.prevHash, purpose: e.purpose, user: e.user, what: e.what });

/** SHA-256 over the canonical JSON of the entry, which includes the previous entry's hash: a chain. */
export const entryHash = (e: Omit<AccessEntry, 'seq' | 'hash'>): string => createHash('sha256').update(canonicalJson(body(e))).digest('hex');

/** A stated purpose or case reference: required for every consultation of personal data (issue 13 §4). */
export function requirePurpose(purpose: string | undefined): string {
  const p = (purpose ?? '').trim();
  if (p.length < 3) throw new InputError('state the purpose or case reference of this consultation (at least 3 characters)');
  if (p.length > 500) throw new InputError('purpose longer than 500 characters');
  return p;
}

/** LED Art. 25: who, when, what, why. Appended to the chain before the data is returned. */
export function recordAccess(g: Governance, actor: Actor, action: AccessAction, what: string, purpose: string): AccessEntry {
  return g.gov.accessLog.append((last) => {
    const e = { at: g.now(), user: actor.username, action, what, purpose, prevHash: last?.hash ?? GENESIS };
    return { ...e, hash: entryHash(e) };
  });
}

/** A page of the log (auditors), oldest first from `afterSeq`. */
export function accessLogPage(g: Governance, afterSeq = 0, limit = 100): { entries: AccessEntry[]; next: number | null; total: number } {
  const entries = g.gov.accessLog.page(afterSeq, limit);
  return { entries, next: entries.length === limit ? entries.at(-1)!.seq : null, total: g.gov.accessLog.count() };
}

/** Every entry, a page at a time: the export (JSON lines) and the verifier read this. */
export function* allAccessEntries(g: Governance, pageSize = 1000): Generator<AccessEntry> {
  for (let after = 0; ;) {
    const page = g.gov.accessLog.page(after, pageSize);
    yield* page;
    if (page.length < pageSize) return;
    after = page.at(-1)!.seq;
  }
}

export interface AccessLogVerdict { readonly ok: boolean; readonly entries: number; readonly head: string; readonly problems: string[] }

/**
 * Checks a log (from the database or from an export): each entry's hash recomputes from its
 * content, each links to the previous one, sequence numbers have no gap. An edited entry fails its
 * hash; a deleted one breaks the link and the sequence; a removed tail is caught by comparing `head`
 * with a head noted elsewhere.
 */
export function verifyAccessLog(entries: Iterable<AccessEntry>): AccessLogVerdict {
  const problems: string[] = [];
  let prev = GENESIS, n = 0, expectSeq: number | undefined;
  for (const e of entries) {
    n++;
    if (expectSeq !== undefined && e.seq !== expectSeq) problems.push(`entry ${e.seq}: expected sequence ${expectSeq} (entries missing)`);
    if (e.prevHash !== prev) problems.push(`entry ${e.seq}: does not link to the previous entry`);
    if (entryHash(e) !== e.hash) problems.push(`entry ${e.seq}: content does not match its hash (edited)`);
    prev = e.hash; expectSeq = e.seq + 1;
    if (problems.length >= 100) break;
  }
  return { ok: problems.length === 0, entries: n, head: prev, problems };
}

/** Longest line accepted from an exported log: an entry is a few hundred bytes; 64 KiB bounds a hostile file. */
const MAX_LINE = 64 * 1024;

/**
 * Verifies an exported access log (JSON lines, from GET /api/access-log/export or
 * `counterseed access-log export`) without the database: the offline check an auditor runs.
 */
export function verifyAccessLogFile(path: string): AccessLogVerdict {
  const text = readFileSync(path, 'utf8');
  const entries: AccessEntry[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.length > MAX_LINE) throw new InputError(`${path}:${i + 1}: line longer than ${MAX_LINE} characters`);
    let e: unknown;
    try { e = JSON.parse(line); } catch { throw new InputError(`${path}:${i + 1}: not JSON`); }
    const o = e as Record<string, unknown>;
    const ok = typeof o === 'object' && o !== null && Number.isSafeInteger(o.seq) && Number.isSafeInteger(o.at)
      && ['user', 'action', 'what', 'purpose', 'prevHash', 'hash'].every((k) => typeof o[k] === 'string');
    if (!ok) throw new InputError(`${path}:${i + 1}: not an access-log entry`);
    entries.push(o as unknown as AccessEntry);
  }
  return verifyAccessLog(entries);
}

/** Writes the whole log as JSON lines to `out` (the auditor's export, from the CLI). */
export function exportAccessLog(g: Governance, out: string): { entries: number; head: string } {
  const lines: string[] = [];
  let head = GENESIS;
  for (const e of allAccessEntries(g)) { lines.push(JSON.stringify(e)); head = e.hash; }
  writeFileSync(out, lines.length ? `${lines.join('\n')}\n` : '', { flag: 'wx', mode: 0o600 });
  return { entries: lines.length, head };
}
