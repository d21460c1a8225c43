import { normalizeIp } from '../domain/ip-address.ts';
import { InputError, NotFoundError } from '../domain/errors.ts';
import type { Settings } from '../config/settings.ts';
import type { DueCount } from '../store/erasure.ts';
import type { ApprovalRequest, LegalHold } from '../store/governance.ts';
import { openCentreErasure, openErasure } from '../node/erasure.ts';
import { recordAccess, requirePurpose } from './access-log.ts';
import type { Context } from './context.ts';
import { requirePermission, StateError, type Actor, type Governance } from './governance.ts';
import { decidePending, refuseOwnRequest } from './four-eyes.ts';

export type { LegalHold } from '../store/governance.ts';

const DAY = 86_400_000;

/**
 * Categories of personal record and their retention settings (issue 13 §7, LED Art. 4(1)(e)):
 * every chained record kind that names a remote address belongs to exactly one.
 */
export const CATEGORIES = {
  deliveries: { kinds: ['delivery', 'session-progress'], setting: 'retentionDeliveriesDays', label: 'delivery sessions and their progress records' },
  announces: { kinds: ['tracker-announce'], setting: 'retentionAnnouncesDays', label: 'tracker announces' },
  presence: { kinds: ['swarm-presence'], setting: 'retentionPresenceDays', label: 'DHT swarm presence' },
  rejected: { kinds: ['rejected-connection'], setting: 'retentionRejectedDays', label: 'rejected connections' },
} as const satisfies Record<string, { kinds: readonly string[]; setting: keyof Settings; label: string }>;
export type RetentionCategory = keyof typeof CATEGORIES;
export const CATEGORY_NAMES = Object.keys(CATEGORIES) as RetentionCategory[];
/** Every kind erasure may touch (an early erasure of one address takes all of them). */
export const PERSONAL_KINDS: readonly string[] = CATEGORY_NAMES.flatMap((c) => CATEGORIES[c].kinds);

export const HOLD_RELEASE_KIND = 'legal-hold-release';
export const ERASURE_KIND = 'erasure';

/** The cut-off of a category: records before it are due for erasure. */
export const cutoffOf = (settings: Settings, c: RetentionCategory, now: number): number => now - (settings[CATEGORIES[c].setting] as number) * DAY;

function address(ip: string): string {
  const n = normalizeIp(ip);
  if (n === null) throw new InputError(`not an IP address: ${ip}`);
  return n;
}

/** Addresses under an active legal hold, normalised: the erasure job never touches them. */
export const heldAddresses = (g: Governance): string[] => [...new Set(g.gov.holds.active().map((h) => h.ip))];

/** The active hold on an address, if any. */
export const holdOn = (g: Governance, ip: string): LegalHold | undefined => g.gov.holds.active().find((h) => h.ip === address(ip));

export interface CategoryReview {
  readonly category: RetentionCategory;
  readonly label: string;
  /** The setting's key and value. */
  readonly setting: string;
  readonly days: number;
  /** Records started before this instant (UTC ms) are due. */
  readonly cutoff: number;
  readonly due: number;
  /** Records past the cut-off kept by a legal hold. */
  readonly held: number;
  readonly oldestDue: number | null;
}

export interface RetentionReview {
  readonly at: number;
  readonly timeZone: 'UTC';
  readonly categories: readonly CategoryReview[];
  readonly activeHolds: number;
  readonly erasedRecords: number;
  /** Erasure and hold-release requests waiting for a supervisor. */
  readonly pendingRequests: number;
  /** Early erasures approved and waiting for the erasure job. */
  readonly approvedErasures: number;
  /**
   * At a centre (PostgreSQL with registered nodes): per category, the records nodes shipped that the
   * erasure job would erase now (as its dry run counts them: those already projected into the analysis
   * tables, which the centre does seconds after a batch); absent elsewhere.
   */
  readonly centre?: { readonly categories: readonly { readonly category: RetentionCategory; readonly due: number }[] };
}

/** What reviewing needs of the evidence side: the due counts and the tombstones so far. */
export interface ErasureView {
  due(sel: { kinds: readonly string[]; before: number; exceptIps: readonly string[] }): DueCount[];
  count(): number;
}
/** What reviewing needs at a centre: the shipped records due (PgCentreErasure). */
export interface CentreErasureView { due(sel: { kinds: readonly string[]; before: number; exceptIps: readonly string[] }): number }

/**
 * The periodic review (LED Art. 5): per category, its retention period, what is due for erasure
 * now and what legal holds keep. Counts only: no address is shown, so nothing is logged.
 */
export function retentionReview(settings: Settings, erasure: ErasureView, g: Governance, actor: Actor, centre?: CentreErasureView): RetentionReview {
  requirePermission(actor, 'retention');
  const now = g.now();
  const exceptIps = heldAddresses(g);
  const categories = CATEGORY_NAMES.map((c): CategoryReview => {
    const cutoff = cutoffOf(settings, c, now);
    const counts = erasure.due({ kinds: CATEGORIES[c].kinds, before: cutoff, exceptIps });
    const oldest = counts.map((d) => d.oldest).filter((x): x is number => x !== null);
    return {
      category: c, label: CATEGORIES[c].label, setting: `retention.${c}Days`, days: settings[CATEGORIES[c].setting] as number, cutoff,
      due: counts.reduce((n, d) => n + d.records, 0), held: counts.reduce((n, d) => n + d.held, 0), oldestDue: oldest.length ? Math.min(...oldest) : null,
    };
  });
  const reqs = g.gov.approvals.list({ kinds: [HOLD_RELEASE_KIND, ERASURE_KIND], limit: 10_000 });
  const centreCategories = centre && CATEGORY_NAMES.map((c) => ({ category: c, due: centre.due({ kinds: CATEGORIES[c].kinds, before: cutoffOf(settings, c, now), exceptIps }) }));
  return {
    at: now, timeZone: 'UTC', categories, activeHolds: g.gov.holds.active().length, erasedRecords: erasure.count(),
    pendingRequests: reqs.filter((r) => r.status === 'pending').length, approvedErasures: reqs.filter((r) => r.kind === ERASURE_KIND && r.status === 'approved').length,
    ...(centreCategories ? { centre: { categories: centreCategories } } : {}),
  };
}

/** The review over a data directory's store (the web app, the CLI and the overview's alert call this). */
export function reviewRetention(ctx: Pick<Context, 'store' | 'settings'>, g: Governance, actor: Actor): RetentionReview {
  return retentionReview(ctx.settings, openErasure(ctx.store), g, actor, openCentreErasure(ctx.store));
}

/** Places a legal hold on an address: from now on the erasure job keeps its records. Logged. */
export function placeHold(g: Governance, actor: Actor, input: { ip: string; caseRef?: string }): LegalHold {
  requirePermission(actor, 'retention');
  const caseRef = requirePurpose(input.caseRef);
  const ip = address(input.ip);
  const existing = holdOn(g, ip);
  if (existing) throw new StateError(`${ip} is already under legal hold ${existing.id} (case ${existing.caseRef})`);
  const h = g.gov.holds.place({ ip, caseRef, placedBy: actor.username, placedAt: g.now() });
  recordAccess(g, actor, 'hold', `legal hold ${h.id} placed on ${ip}`, caseRef);
  return h;
}

/** Active holds (they name addresses: viewing them is a logged consultation). */
export function listHolds(g: Governance, actor: Actor): LegalHold[] {
  requirePermission(actor, 'retention');
  const holds = g.gov.holds.active();
  if (holds.length > 0) recordAccess(g, actor, 'consult', `legal holds: ${holds.length} shown, IPs ${holds.slice(0, 20).map((h) => h.ip).join(',')}${holds.length > 20 ? ` +${holds.length - 20}` : ''}`, 'retention review');
  return holds;
}

export interface RetentionRequestView extends Omit<ApprovalRequest, 'params'> {
  readonly ip: string;
  readonly holdId: number | null;
  readonly requestedByName: string;
  readonly decidedByName: string | null;
}

interface Params { readonly ip: string; readonly holdId?: number }
const params = (r: ApprovalRequest): Params => JSON.parse(r.params) as Params;
function view(g: Governance, r: ApprovalRequest): RetentionRequestView {
  const { params: _p, ...rest } = r;
  const p = params(r);
  return { ...rest, ip: p.ip, holdId: p.holdId ?? null, requestedByName: g.gov.accounts.byId(r.requestedBy)?.username ?? '?', decidedByName: r.decidedBy === null ? null : g.gov.accounts.byId(r.decidedBy)?.username ?? '?' };
}

/** Four-eyes (issue 13 §5): releasing a legal hold needs a second person. Nothing changes until a supervisor approves. */
export function requestHoldRelease(g: Governance, actor: Actor, input: { holdId: number; purpose?: string }): RetentionRequestView {
  requirePermission(actor, 'retention');
  const purpose = requirePurpose(input.purpose);
  const h = g.gov.holds.get(input.holdId);
  if (!h || h.releasedAt !== null) throw new NotFoundError(`no active legal hold ${input.holdId}`);
  const r = g.gov.approvals.add({ kind: HOLD_RELEASE_KIND, requestedBy: actor.id, requestedAt: g.now(), params: JSON.stringify({ ip: h.ip, holdId: h.id }), purpose });
  recordAccess(g, actor, 'request', `release of legal hold ${h.id} on ${h.ip} (case ${h.caseRef}), request ${r.id}`, purpose);
  return view(g, r);
}

/**
 * Four-eyes (issue 13 §5): erasing before the retention period ends (a data subject's request, a
 * record that should never have been made). All of one address's records go, in every category.
 * Refused while the address is under legal hold: the hold must be released first (four-eyes too).
 */
export function requestErasure(g: Governance, actor: Actor, input: { ip: string; purpose?: string }): RetentionRequestView {
  requirePermission(actor, 'retention');
  const purpose = requirePurpose(input.purpose);
  const ip = address(input.ip);
  const h = holdOn(g, ip);
  if (h) throw new StateError(`${ip} is under legal hold ${h.id} (case ${h.caseRef}): it cannot be erased until the hold is released`);
  const r = g.gov.approvals.add({ kind: ERASURE_KIND, requestedBy: actor.id, requestedAt: g.now(), params: JSON.stringify({ ip }), purpose });
  recordAccess(g, actor, 'request', `early erasure of every record of ${ip}, request ${r.id}`, purpose);
  return view(g, r);
}

/** Analysts see their own requests; supervisors see all (they decide them; the list names addresses: logged). */
export function listRetentionRequests(g: Governance, actor: Actor, limit = 100): RetentionRequestView[] {
  requirePermission(actor, 'retention');
  const kinds = [HOLD_RELEASE_KIND, ERASURE_KIND];
  const all = (actor.role === 'supervisor' ? g.gov.approvals.list({ kinds, limit }) : g.gov.approvals.list({ kinds, requestedBy: actor.id, limit })).map((r) => view(g, r));
  if (actor.role === 'supervisor' && all.length > 0) recordAccess(g, actor, 'consult', `retention requests: ${all.length} shown, IPs ${[...new Set(all.map((r) => r.ip))].slice(0, 20).join(',')}`, 'four-eyes review');
  return all;
}

function decidable(g: Governance, actor: Actor, id: number): ApprovalRequest {
  requirePermission(actor, 'approve');
  const r = g.gov.approvals.get(id);
  if (!r || (r.kind !== HOLD_RELEASE_KIND && r.kind !== ERASURE_KIND)) throw new NotFoundError(`no retention request ${id}`);
  refuseOwnRequest(actor, r, 'decide');
  return r;
}

/**
 * A supervisor other than the requester approves. A hold release takes effect now; an early
 * erasure is then carried out by the erasure job (`counterseed retention run`), the one process
 * that writes to the evidence database for erasure, and it checks the hold again then.
 */
export function approveRetentionRequest(g: Governance, actor: Actor, id: number): RetentionRequestView {
  const r = decidable(g, actor, id);
  const p = params(r);
  if (r.kind === ERASURE_KIND) {
    const h = holdOn(g, p.ip);
    if (h) throw new StateError(`${p.ip} is under legal hold ${h.id} (case ${h.caseRef}): release the hold before approving its erasure`);
  }
  decidePending(g, actor, id, 'approved');
  if (r.kind === HOLD_RELEASE_KIND) {
    const released = g.gov.holds.release(p.holdId!, actor.username, g.now());
    g.gov.approvals.decide(id, 'approved', released ? 'done' : 'failed', null, null, released ? `hold ${p.holdId} released` : `hold ${p.holdId} was already released`);
    recordAccess(g, actor, 'release', `legal hold ${p.holdId} on ${p.ip} released (request ${id} by ${view(g, r).requestedByName})`, r.purpose);
  } else {
    recordAccess(g, actor, 'approve', `early erasure of ${p.ip}, request ${id}: the erasure job carries it out`, r.purpose);
  }
  return view(g, g.gov.approvals.get(id)!);
}

export function rejectRetentionRequest(g: Governance, actor: Actor, id: number): RetentionRequestView {
  const r = decidable(g, actor, id);
  decidePending(g, actor, id, 'rejected');
  recordAccess(g, actor, 'reject', `${r.kind} request ${id} (${params(r).ip})`, r.purpose);
  return view(g, g.gov.approvals.get(id)!);
}
