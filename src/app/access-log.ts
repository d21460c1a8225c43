import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../domain/errors.ts';
import { canonicalJson } from '../evidence/canonical-json.ts';
import type { AccessEntry } from '../store/governance.ts';
import type { Actor, Governance } from './governance.ts';
import { parseAccessLog, verifyAccessEntries, type AccessLogVerdict } from '../../verifier/verify-access-log.mjs';

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

export type { AccessLogVerdict } from '../../verifier/verify-access-log.mjs';

/**
 * Checks a log (from the database or from an export) with the standalone verifier's own function
 * (verifier/verify-access-log.mjs, the check an auditor's expert runs): each entry's hash recomputes
 * from its content, each links to the previous one, sequence numbers have no gap. An edited entry fails
 * its hash; a deleted one breaks the link and the sequence; a removed tail is caught by comparing `head`
 * with a head noted elsewhere.
 */
export function verifyAccessLog(entries: Iterable<AccessEntry>): AccessLogVerdict {
  return verifyAccessEntries(entries);
}

/** Longest line accepted from an exported log: an entry is a few hundred bytes; 64 KiB bounds a hostile file. */
const MAX_LINE = 64 * 1024;

/**
 * Verifies an exported access log (JSON lines, from GET /api/access-log/export or
 * `counterseed access-log export`) without the database: the offline check an auditor runs.
 */
export function verifyAccessLogFile(path: string): AccessLogVerdict {
  let entries;
  try { entries = parseAccessLog(readFileSync(path, 'utf8'), MAX_LINE); } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== undefined) throw e;
    throw new InputError(`${path}:${(e as Error).message.replace(/^line /, '')}`);
  }
  return verifyAccessEntries(entries);
}

/** Writes the whole log as JSON lines to `out` (the auditor's export, from the CLI). */
export function exportAccessLog(g: Governance, out: string): { entries: number; head: string } {
  const lines: string[] = [];
  let head = GENESIS;
  for (const e of allAccessEntries(g)) { lines.push(JSON.stringify(e)); head = e.hash; }
  writeFileSync(out, lines.length ? `${lines.join('\n')}\n` : '', { flag: 'wx', mode: 0o600 });
  return { entries: lines.length, head };
}
