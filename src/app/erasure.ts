import { openCentreErasure, openErasure } from '../node/erasure.ts';
import { erasePackages, type PackageErasure } from './export-erasure.ts';
import type { ErasedCount, ErasureTable } from '../store/erasure.ts';
import { allAccessEntries, recordAccess } from './access-log.ts';
import { signCheckpoint } from './evidence.ts';
import type { Context } from './context.ts';
import type { Actor, Governance } from './governance.ts';
import { CATEGORIES, CATEGORY_NAMES, cutoffOf, ERASURE_KIND, heldAddresses, holdOn, PERSONAL_KINDS, type RetentionCategory } from './retention.ts';

/** Who the erasure job is in the access log (it runs from cron or a timer, not from a session). */
export const ERASURE_JOB: Actor = { id: 0, username: 'erasure-job', role: 'admin' };

export interface ErasureRun {
  readonly at: number;
  readonly dryRun: boolean;
  /** Per category: records erased (or due, in a dry run) and kept by legal holds. */
  readonly categories: readonly { readonly category: RetentionCategory; readonly cutoff: number; readonly erased: number; readonly held: number; readonly erasure: string }[];
  /** Approved early erasures carried out (request id, address, records). */
  readonly requests: readonly { readonly id: number; readonly ip: string; readonly erased: number; readonly status: 'done' | 'failed'; readonly note?: string }[];
  /** At a centre (PostgreSQL with registered nodes): records shipped by nodes erased (or due), per category and per approved request; absent elsewhere. */
  readonly centre?: { readonly categories: readonly { readonly category: RetentionCategory; readonly erased: number }[]; readonly requests: readonly { readonly id: number; readonly erased: number }[] };
  /** Approved export packages under web-exports/: each deleted once every personal record in it is past its period (export-erasure.ts). */
  readonly packages: readonly PackageErasure[];
}

const sum = (xs: readonly ErasedCount[]) => xs.reduce((n, x) => n + x.records, 0);
const seqs = (xs: readonly ErasedCount[]) => {
  const f = xs.map((x) => x.firstSeq).filter((x): x is number => x !== null), l = xs.map((x) => x.lastSeq).filter((x): x is number => x !== null);
  return f.length ? ` (records ${Math.min(...f)}..${Math.max(...l)} now tombstones)` : '';
};

/**
 * THE erasure job (issue 13 §7): removes every record past its category's retention period unless
 * its address is under legal hold, then carries out the early erasures a supervisor approved.
 * Each erasure is one access-log entry (LED Art. 25: erasure is logged with who, when and why),
 * written after the rows are gone, with the counts as done. `dryRun` counts without erasing, signing or logging.
 */
export async function runErasure(ctx: Context, g: Governance, opts: { dryRun?: boolean; table?: ErasureTable } = {}): Promise<ErasureRun> {
  const table = opts.table ?? openErasure(ctx.store);
  // At a centre, the records nodes shipped are erased too (docs/retention.md, "At the centre"): projected
  // into the analysis tables first, so that the store's own erasure below finds their copies there.
  const centre = openCentreErasure(ctx.store);
  if (centre && !opts.dryRun) centre.project();
  const centreCategories: { category: RetentionCategory; erased: number }[] = [];
  const centreRequests: { id: number; erased: number }[] = [];
  // Erase only what an audited, signed checkpoint covers: each record's content is checked against
  // its hash, and its hash and key-index entries signed, before the content goes (docs/retention.md).
  // An empty chain (no evidence key: synthetic data) has nothing to sign; its rows are not records.
  const chained = ctx.store.evidenceLog().tables.count();
  const belowSeq = opts.dryRun ? undefined : chained === 0 ? 0 : (await signCheckpoint(ctx)).treeSize;
  const at = g.now();
  const stamp = new Date(at).toISOString();
  const exceptIps = heldAddresses(g);
  const categories = CATEGORY_NAMES.map((category) => {
    const cutoff = cutoffOf(ctx.settings, category, at);
    const sel = { kinds: CATEGORIES[category].kinds, before: cutoff, exceptIps, ...(belowSeq !== undefined ? { belowSeq } : {}) };
    const due = table.due(sel);
    const held = due.reduce((n, d) => n + d.held, 0);
    const erasure = `erasure ${category} ${stamp}`;
    if (opts.dryRun) {
      if (centre) centreCategories.push({ category, erased: centre.due(sel) });
      return { category, cutoff, erased: due.reduce((n, d) => n + d.records, 0), held, erasure };
    }
    const done = table.erase(sel, { erasure, at });
    if (centre) {
      const c = centre.erase(sel, { erasure, at });
      centreCategories.push({ category, erased: c.records });
      if (c.records > 0) {
        recordAccess(g, ERASURE_JOB, 'erase', `${erasure}, centre records: ${c.records} ${CATEGORIES[category].label} of ${c.nodes} node(s) started before ${new Date(cutoff).toISOString()}, now centre tombstones (content gone, leaf hashes kept); addresses under legal hold kept`,
          `retention period of ${ctx.settings[CATEGORIES[category].setting]} days (retention.${category}Days)`);
      }
    }
    const n = sum(done);
    const days = ctx.settings[CATEGORIES[category].setting];
    if (n > 0 || held > 0) {
      recordAccess(g, ERASURE_JOB, 'erase', `${erasure}: ${n} ${CATEGORIES[category].label} started before ${new Date(cutoff).toISOString()}${seqs(done)}; ${held} kept by legal hold`,
        `retention period of ${days} days (retention.${category}Days)`);
    }
    return { category, cutoff, erased: n, held, erasure };
  });
  const requests: ErasureRun['requests'][number][] = [];
  for (const r of g.gov.approvals.list({ kinds: [ERASURE_KIND], status: 'approved', limit: 1000 })) {
    const { ip } = JSON.parse(r.params) as { ip: string };
    const h = holdOn(g, ip);
    if (opts.dryRun) { requests.push({ id: r.id, ip, erased: sum(table.due({ kinds: PERSONAL_KINDS, before: at, ip, exceptIps }).map((d) => ({ ...d, unchained: 0, firstSeq: null, lastSeq: null }))), status: h ? 'failed' : 'done' }); continue; }
    if (h) {
      // A hold placed after the approval wins: nothing is erased, and the request says why.
      g.gov.approvals.decide(r.id, 'approved', 'failed', null, null, `not erased: ${ip} came under legal hold ${h.id} (case ${h.caseRef})`);
      requests.push({ id: r.id, ip, erased: 0, status: 'failed', note: `legal hold ${h.id}` });
      continue;
    }
    const erasure = `erasure request ${r.id}`;
    const done = table.erase({ kinds: PERSONAL_KINDS, before: 8.64e15, ip, exceptIps, ...(belowSeq !== undefined ? { belowSeq } : {}) }, { erasure, at });
    const n = sum(done);
    if (centre) {
      const c = centre.erase({ kinds: PERSONAL_KINDS, before: 8.64e15, ip, exceptIps }, { erasure, at });
      centreRequests.push({ id: r.id, erased: c.records });
      if (c.records > 0) recordAccess(g, ERASURE_JOB, 'erase', `${erasure}, centre records: ${c.records} records of ${ip} shipped by ${c.nodes} node(s), now centre tombstones`, r.purpose);
    }
    const approver = r.decidedBy === null ? '?' : g.gov.accounts.byId(r.decidedBy)?.username ?? '?';
    const requester = g.gov.accounts.byId(r.requestedBy)?.username ?? '?';
    g.gov.approvals.decide(r.id, 'approved', 'done', null, null, `${n} records erased at ${stamp}`);
    recordAccess(g, ERASURE_JOB, 'erase', `${erasure} (early; requested by ${requester}, approved by ${approver}): ${n} records of ${ip}${seqs(done)}`, r.purpose);
    requests.push({ id: r.id, ip, erased: n, status: 'done' });
  }
  // Approved export packages are copies of records: each goes when every personal record in it is past
  // its period and none is of an address under legal hold (docs/retention.md).
  const packages = erasePackages(ctx.settings, at, exceptIps, opts.dryRun ?? false);
  for (const p of packages) {
    if (!p.erased || opts.dryRun) continue;
    recordAccess(g, ERASURE_JOB, 'erase', `web export package ${p.id} (evidence export request ${p.id}): deleted, its ${p.records} personal records all past their retention periods`,
      `retention periods (retention.deliveriesDays, announcesDays, presenceDays, rejectedDays)`);
  }
  return { at, dryRun: opts.dryRun ?? false, categories, requests, packages, ...(centre ? { centre: { categories: centreCategories, requests: centreRequests } } : {}) };
}

export interface TombstoneCheck { readonly ok: boolean; readonly erasures: number; readonly tombstones: number; readonly problems: readonly string[] }

/**
 * Every tombstone must belong to an erasure the hash-chained access log records, within the record
 * numbers that entry names (docs/retention.md, "threat to note"): a row deleted and given a forged
 * tombstone reads as erased to the evidence audit, but it has no matching erase entry, and the access
 * log cannot gain one without breaking its chain (verify its head against one noted elsewhere).
 */
export function checkTombstones(ctx: Pick<Context, 'store'>, g: Governance, table: ErasureTable = openErasure(ctx.store)): TombstoneCheck {
  const logged: { what: string; lo: number; hi: number }[] = [];
  for (const e of allAccessEntries(g)) {
    if (e.action !== 'erase') continue;
    const m = /\(records (\d+)\.\.(\d+) now tombstones\)/.exec(e.what);
    if (m) logged.push({ what: e.what, lo: Number(m[1]), hi: Number(m[2]) });
  }
  const problems: string[] = [];
  const groups = table.byErasure();
  for (const t of groups) {
    const entry = logged.find((l) => l.what.startsWith(`${t.erasure}:`) || l.what.startsWith(`${t.erasure} (`));
    if (!entry) problems.push(`${t.records} tombstones (records ${t.firstSeq}..${t.lastSeq}) name "${t.erasure}", which no erase entry of the access log records: rows deleted outside an erasure?`);
    else if (t.firstSeq < entry.lo || t.lastSeq > entry.hi) problems.push(`tombstones of "${t.erasure}" span records ${t.firstSeq}..${t.lastSeq}, outside the ${entry.lo}..${entry.hi} its access-log entry names`);
  }
  return { ok: problems.length === 0, erasures: groups.length, tombstones: groups.reduce((n, t) => n + t.records, 0), problems };
}
