import { recordAccess, requirePurpose } from './access-log.ts';
import type { Context } from './context.ts';
import { may, PermissionError, type Actor, type Governance } from './governance.ts';
import { DAY_MS, referralsDue, type DueResult } from './referrals-due.ts';

/**
 * Referral deadlines as alerts for the web app (issue 13 §2 over issue 14 part 4): an ISP keeps the
 * records that map an address to a subscriber only so long, so what runs out first comes first.
 * The alert (overview, referrals page) gives counts and dates only; the list with the addresses is a
 * consultation, logged with its purpose before it is returned.
 */

/** Days ahead the overview's alert looks. */
export const ALERT_DAYS = 7;

export interface DueAlertLine {
  /** The agency that would receive them, or undefined when the country has none. */
  readonly agency?: string;
  readonly ips: number;
  /** The soonest deadline of these addresses (UTC ms) and whole days left to it. */
  readonly soonest: number;
  readonly daysLeft: number;
}

export interface DueAlerts {
  readonly now: number;
  readonly withinDays: number;
  /** Per agency, soonest deadline first. */
  readonly lines: readonly DueAlertLine[];
  readonly dated: number;
  /** Addresses with a delivery inside the horizon but no deadline (no rule, not placed): they need a look. */
  readonly undated: number;
  readonly synthetic: boolean;
}

const mayDue = (actor: Actor) => may(actor.role, 'export:request') || may(actor.role, 'approve') || may(actor.role, 'retention');

/**
 * How long an alert is reused: it reads every address with a delivery inside the retention horizon
 * (~35 ms of CPU at 1,000,000 deliveries, several hundred ms of wall time on a loaded machine), and
 * the overview shows it on every load (target, issue 13 benchmarks: API p95 <= 100 ms, overview
 * interactive <= 1 s). Deadlines are days away, so a minute-old count is still right; a referral
 * built from this process clears it at once (forgetDueAlerts).
 */
export const ALERT_TTL_MS = 60_000;
const ALERTS = new WeakMap<object, Map<number, DueAlerts>>();

/** Drops the cached alerts of this store (after a referral build, or a change to the tables). */
export function forgetDueAlerts(ctx: Context): void { ALERTS.delete(ctx.store.referrals); }

/** Counts per agency of the addresses whose retention runs out within `withinDays`, soonest first; no address named. Up to ALERT_TTL_MS old. */
export function dueAlerts(ctx: Context, actor: Actor, now: number, withinDays = ALERT_DAYS): DueAlerts {
  if (!mayDue(actor)) throw new PermissionError(`role ${actor.role} may not see referral deadlines`);
  let byWindow = ALERTS.get(ctx.store.referrals);
  if (!byWindow) { byWindow = new Map(); ALERTS.set(ctx.store.referrals, byWindow); }
  const hit = byWindow.get(withinDays);
  if (hit && now >= hit.now && now - hit.now < ALERT_TTL_MS) return hit;
  const fresh = computeDueAlerts(ctx, now, withinDays);
  if (byWindow.size >= 16) byWindow.clear();
  byWindow.set(withinDays, fresh);
  return fresh;
}

/** The alert computed now (no cache). */
export function computeDueAlerts(ctx: Context, now: number, withinDays: number): DueAlerts {
  const r = referralsDue(ctx, { withinDays, now });
  const by = new Map<string, { agency?: string; ips: number; soonest: number }>();
  for (const row of r.dated) {
    const k = row.agency ?? '';
    const a = by.get(k) ?? { ...(row.agency !== undefined ? { agency: row.agency } : {}), ips: 0, soonest: row.deadline! };
    a.ips++;
    a.soonest = Math.min(a.soonest, row.deadline!);
    by.set(k, a);
  }
  const lines = [...by.values()].sort((a, b) => a.soonest - b.soonest).map((a) => ({ ...a, daysLeft: Math.floor((a.soonest - now) / DAY_MS) }));
  return { now, withinDays, lines, dated: r.dated.length, undated: r.undated.length, synthetic: r.synthetic };
}

/** The due list with its addresses, soonest first, then the undated with the reason (a logged consultation). */
export function consultDue(ctx: Context, g: Governance, actor: Actor, q: { withinDays: number; purpose?: string; limit?: number }): DueResult {
  if (!mayDue(actor)) throw new PermissionError(`role ${actor.role} may not see referral deadlines`);
  const purpose = requirePurpose(q.purpose);
  const r = referralsDue(ctx, { withinDays: q.withinDays, now: g.now(), limit: Math.min(Math.max(1, q.limit ?? 500), 5000) });
  const ips = [...r.dated, ...r.undated].map((x) => x.ip);
  recordAccess(g, actor, 'consult', `referrals due within ${q.withinDays} days: ${r.dated.length} dated, ${r.undated.length} undated, IPs ${ips.slice(0, 20).join(',')}${ips.length > 20 ? ` +${ips.length - 20}` : ''}`, purpose);
  return r;
}
