import { InputError, NotFoundError } from '../domain/errors.ts';
import { normalizeIpInput } from '../domain/ip-address.ts';
import type { CaseEntry, CaseLink, CaseLinkKind, CaseRow, CaseSummary } from '../store/cases.ts';
import type { Context } from './context.ts';

/**
 * The case register (issue 14 part 5): a case id, a title and a status; the addresses, evidence
 * records, sources and saved exports it links; notes. A case builds on `evidence export --case NAME`,
 * which saves an export's filter under a name: a case whose id is that name shows the saved filter,
 * and a case can link other saved exports by name (`--export NAME`), so `evidence export --case NAME`
 * re-runs each of them. Sources are a free reference for now (who supplied what, their reference).
 */

export const CASE_STATUSES = ['open', 'in-progress', 'referred', 'closed'] as const;
export type CaseStatus = typeof CASE_STATUSES[number];

const CASE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const MAX_TITLE = 200;
const MAX_NOTE = 10_000;
const MAX_REF = 500;

function caseId(id: string): string {
  if (!CASE_ID.test(id)) throw new InputError(`case id ${JSON.stringify(id)}: letters, digits, ".", "_" and "-", starting with a letter or digit, up to 64 characters`);
  return id;
}

function cleanText(t: string, what: string, max: number): string {
  const s = t.trim();
  if (s.length === 0) throw new InputError(`${what} is empty`);
  if (s.length > max) throw new InputError(`${what} is longer than ${max} characters`);
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s)) throw new InputError(`${what} holds a control character`);
  return s;
}

function status(s: string): CaseStatus {
  if (!(CASE_STATUSES as readonly string[]).includes(s)) throw new InputError(`status ${JSON.stringify(s)}: expected ${CASE_STATUSES.join('|')}`);
  return s as CaseStatus;
}

function existing(ctx: Context, id: string): CaseRow {
  const c = ctx.store.cases.get(caseId(id));
  if (!c) throw new NotFoundError(`no case ${JSON.stringify(id)} (cases create ${id} --title ...)`);
  return c;
}

export function createCase(ctx: Context, input: { readonly id: string; readonly title: string; readonly status?: string; readonly now?: number }): CaseRow {
  const row: CaseRow = { id: caseId(input.id), title: cleanText(input.title, '--title', MAX_TITLE), status: status(input.status ?? 'open'), createdAt: input.now ?? Date.now() };
  if (!ctx.store.cases.create(row)) throw new InputError(`case ${row.id} exists already`);
  return row;
}

export function listCases(ctx: Context, input: { readonly status?: string; readonly limit?: number } = {}): CaseSummary[] {
  return ctx.store.cases.list(input.limit ?? 1000, input.status !== undefined ? status(input.status) : undefined);
}

export interface CaseLinkInput {
  readonly ips?: readonly string[];
  readonly records?: readonly string[];
  readonly sources?: readonly string[];
  readonly exports?: readonly string[];
}

/** Links addresses, records, sources and saved exports to a case, all or nothing; returns how many were new. */
export function linkCase(ctx: Context, id: string, input: CaseLinkInput, now = Date.now()): number {
  existing(ctx, id);
  const links: { kind: CaseLinkKind; ref: string }[] = [];
  for (const ip of input.ips ?? []) {
    const n = normalizeIpInput(ip);
    if (n === null) throw new InputError(`--ip: not an IP address: ${JSON.stringify(ip)}`);
    links.push({ kind: 'ip', ref: n });
  }
  const logSize = input.records?.length ? ctx.store.evidenceLog().tables.count() : 0;
  for (const r of input.records ?? []) {
    const seq = /^\d{1,15}$/.test(r.trim()) ? Number(r.trim()) : NaN;
    if (!Number.isSafeInteger(seq)) throw new InputError(`--record: an evidence record number (seq), got ${JSON.stringify(r)}`);
    if (seq >= logSize) throw new NotFoundError(`--record ${seq}: the evidence log holds records 0 to ${logSize - 1}`);
    links.push({ kind: 'record', ref: String(seq) });
  }
  for (const s of input.sources ?? []) links.push({ kind: 'source', ref: cleanText(s, '--source', MAX_REF) });
  for (const e of input.exports ?? []) {
    if (ctx.store.evidenceLog().tables.getCase(e) === undefined) throw new NotFoundError(`--export ${e}: no saved export of that name (evidence export --case ${e} --ip IP saves one)`);
    links.push({ kind: 'export', ref: e });
  }
  if (links.length === 0) throw new InputError('nothing to link: give --ip, --record, --source or --export');
  return ctx.store.cases.link(id, links, now);
}

export function noteCase(ctx: Context, id: string, text: string, now = Date.now()): void {
  existing(ctx, id);
  ctx.store.cases.note(id, cleanText(text, 'note', MAX_NOTE), now);
}

export function setCaseStatus(ctx: Context, id: string, to: string, now = Date.now()): CaseRow {
  const c = existing(ctx, id);
  const s = status(to);
  if (c.status === s) throw new InputError(`case ${id} is ${s} already`);
  ctx.store.cases.setStatus(id, s, now);
  return { ...c, status: s };
}

export interface CaseView extends CaseRow {
  readonly links: CaseLink[];
  readonly entries: CaseEntry[];
  /** Saved export filters: the case's own (an `evidence export --case <id>`) and those it links, by name. */
  readonly exports: { readonly name: string; readonly filter: string }[];
  /** The referrals of its linked addresses (agency, time, package hash). */
  readonly referrals: { readonly ip: string; readonly agency: string; readonly referredAt: number; readonly sha256: string }[];
}

export function showCase(ctx: Context, id: string): CaseView {
  const c = existing(ctx, id);
  const links = ctx.store.cases.links(id);
  const tables = ctx.store.evidenceLog().tables;
  const names = [...new Set([c.id, ...links.filter((l) => l.kind === 'export').map((l) => l.ref)])];
  const exports = names.flatMap((name) => { const f = tables.getCase(name); return f === undefined ? [] : [{ name, filter: f }]; });
  const referrals = links.filter((l) => l.kind === 'ip').flatMap((l) => ctx.store.referrals.referralsOf(l.ref).map((r) => ({ ip: r.ip, agency: r.package.agency, referredAt: r.package.createdAt, sha256: r.package.sha256 })));
  return { ...c, links, entries: ctx.store.cases.entries(id), exports, referrals };
}
