import { InputError } from '../domain/errors.ts';
import type { ReferralCandidate, Unplaced } from '../store/referrals.ts';
import type { Context } from './context.ts';

/**
 * The retention clock (issue 14 part 4): an ISP keeps the records that map an address to a
 * subscriber only so long (Norwegian ISPs kept them 21 days in 2019-20), and a referral that
 * arrives later is worthless. An address's clock starts at its last delivery; its deadline is that
 * time plus the retention days of its ISP's rule (by AS number), or else its country's rule.
 */

export const DAY_MS = 86_400_000;
/** How far back undated addresses are looked for when the table has no rule at all. */
export const DEFAULT_HORIZON_DAYS = 90;
/** Rows a listing returns at most. */
export const MAX_ROWS = 1_000_000;

export interface DueRow extends ReferralCandidate {
  /** Whole days from `now` to the deadline, rounded down. */
  readonly daysLeft?: number;
}

export interface DueResult {
  readonly now: number;
  readonly withinDays: number;
  /** Deliveries older than this many days are not read: every rule's clock has run out on them. */
  readonly horizonDays: number;
  /** Addresses whose deadline falls in [now, now + within days), soonest first. */
  readonly dated: DueRow[];
  /** Addresses with a delivery inside the horizon but no deadline (not enriched, not placeable, no rule), with the reason. */
  readonly undated: DueRow[];
  readonly truncated: boolean;
  readonly synthetic: boolean;
}

export interface DueInput {
  readonly withinDays: number;
  /** The clock's "now" (UTC ms); default the current time. Deliveries after it are not read. */
  readonly now?: number;
  readonly limit?: number;
  readonly agency?: string;
}

/** The horizon: the longest retention in the table (nothing older can still be due), at least `withinDays`. */
export function horizonDays(ctx: Context, withinDays: number): number {
  const rules = ctx.store.referrals.retentionRules();
  return rules.length === 0 ? Math.max(DEFAULT_HORIZON_DAYS, withinDays) : Math.max(...rules.map((r) => r.days));
}

/**
 * Addresses not yet referred (no referral covers their last delivery) whose retention runs out
 * within `withinDays`, soonest first; then those whose deadline is unknown, listed with the reason,
 * never dropped. Addresses whose retention has already run out are not listed: it is too late.
 */
export function referralsDue(ctx: Context, input: DueInput): DueResult {
  if (!Number.isInteger(input.withinDays) || input.withinDays < 0 || input.withinDays > 3650) throw new InputError(`--within: days from 0 to 3650, got ${input.withinDays}`);
  const now = input.now ?? Date.now();
  const limit = input.limit ?? MAX_ROWS;
  const horizon = horizonDays(ctx, input.withinDays);
  const rows = ctx.store.referrals.candidates({
    since: now - horizon * DAY_MS, until: now, deadlineFrom: now, deadlineTo: now + input.withinDays * DAY_MS, includeUndated: true,
    ...(input.agency !== undefined ? { agency: input.agency } : {}), limit: limit + 1,
  });
  const truncated = rows.length > limit;
  const shown = rows.slice(0, limit).map((r): DueRow => (r.deadline !== undefined ? { ...r, daysLeft: Math.floor((r.deadline - now) / DAY_MS) } : r));
  return {
    now, withinDays: input.withinDays, horizonDays: horizon,
    dated: shown.filter((r) => r.deadline !== undefined), undated: shown.filter((r) => r.deadline === undefined),
    truncated, synthetic: ctx.store.intel.purpose() === 'synthetic',
  };
}

export interface JurisdictionGroup {
  /** Agency name, or undefined for the addresses that cannot be placed with one. */
  readonly agency?: string;
  readonly countries: readonly string[];
  readonly ips: number;
  /** Why these could not be placed (only for the group without an agency). */
  readonly reasons: Readonly<Partial<Record<Unplaced, number>>>;
}

export interface JurisdictionResult {
  readonly from: number;
  readonly to: number;
  readonly groups: JurisdictionGroup[];
  /** Every address of the window with its country and agency (or why it has none), by address. */
  readonly ips: ReferralCandidate[];
  readonly truncated: boolean;
  readonly synthetic: boolean;
}

/**
 * Each address with a delivery in [from, to) mapped to its country (current enrichment) and from
 * there to its receiving agency; the addresses that cannot be placed are listed with the reason.
 */
export function jurisdiction(ctx: Context, input: { readonly from: number; readonly to: number; readonly limit?: number }): JurisdictionResult {
  if (!(input.from < input.to)) throw new InputError('--from must be before --to');
  const limit = input.limit ?? MAX_ROWS;
  const rows = ctx.store.referrals.candidates({
    since: input.from, until: input.to, deadlineFrom: Number.MIN_SAFE_INTEGER, includeUndated: true, includeReferred: true, limit: limit + 1,
  });
  const truncated = rows.length > limit;
  const ips = rows.slice(0, limit).sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  const groups = new Map<string, { agency?: string; countries: Set<string>; ips: number; reasons: Partial<Record<Unplaced, number>> }>();
  for (const r of ips) {
    const k = r.agency ?? '';
    let g = groups.get(k);
    if (!g) { g = { ...(r.agency !== undefined ? { agency: r.agency } : {}), countries: new Set(), ips: 0, reasons: {} }; groups.set(k, g); }
    g.ips++;
    if (r.country !== undefined) g.countries.add(r.country);
    if (r.agency === undefined) for (const why of r.unplaced.filter((u) => u !== 'no retention rule')) g.reasons[why] = (g.reasons[why] ?? 0) + 1;
  }
  const list = [...groups.values()].map((g) => ({ ...g, countries: [...g.countries].sort() }))
    .sort((a, b) => (a.agency === undefined ? 1 : b.agency === undefined ? -1 : b.ips - a.ips || a.agency.localeCompare(b.agency)));
  return { from: input.from, to: input.to, groups: list, ips, truncated, synthetic: ctx.store.intel.purpose() === 'synthetic' };
}
