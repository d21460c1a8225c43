import type { DeliveryObservation } from '../domain/observation.ts';
import { InputError } from '../domain/errors.ts';
import { recordAccess, requirePurpose } from './access-log.ts';
import type { Context } from './context.ts';
import { dossier, type Dossier } from './dossier.ts';
import { requirePermission, type Actor, type Governance } from './governance.ts';

/** The largest page a request may ask for: a page is read, logged and rendered in a few ms. */
export const MAX_PAGE = 500;

export interface DeliverySearch {
  readonly ip?: string;
  readonly decoyId?: number;
  readonly since?: number;
  readonly to?: number;
  readonly limit?: number;
  /** Opaque: from the previous page's `next`. */
  readonly cursor?: string;
  readonly purpose?: string;
}

export interface DeliveryPage {
  readonly deliveries: (DeliveryObservation & { readonly decoyName: string | null })[];
  /** Cursor of the next page, null at the end. */
  readonly next: string | null;
}

/** Cursor: the start time of the last row given, and how many rows with that start time were given. */
const encodeCursor = (since: number, skip: number): string => Buffer.from(JSON.stringify([since, skip])).toString('base64url');
function decodeCursor(c: string): { since: number; skip: number } {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString()) as unknown;
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1]) && v[1] >= 0 && v[1] <= 1_000_000) return { since: v[0], skip: v[1] };
  } catch { /* fall through */ }
  throw new InputError('cursor is not one this server gave');
}

/**
 * An analyst's search of delivery sessions (personal data: remote IPs), one page at a time, oldest
 * first. Needs a stated purpose; the consultation is logged (LED Art. 25) with the filter and the
 * number of rows shown before the rows are returned.
 */
export async function searchDeliveries(ctx: Pick<Context, 'store'>, g: Governance, actor: Actor, q: DeliverySearch): Promise<DeliveryPage> {
  requirePermission(actor, 'consult');
  const purpose = requirePurpose(q.purpose);
  const limit = q.limit ?? 100;
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_PAGE)) throw new InputError(`limit must be 1-${MAX_PAGE}`);
  const cur = q.cursor !== undefined ? decodeCursor(q.cursor) : undefined;
  const since = cur?.since ?? q.since;
  // Rows come ordered by start time then row: the first `skip` rows at `since` were on earlier pages.
  const rows = await ctx.store.queryDeliveries({
    ...(q.ip !== undefined ? { ip: q.ip } : {}), ...(q.decoyId !== undefined ? { decoyId: q.decoyId } : {}),
    ...(since !== undefined ? { since } : {}), ...(q.to !== undefined ? { to: q.to } : {}), limit: limit + (cur?.skip ?? 0) + 1,
  });
  const page = rows.slice(cur?.skip ?? 0);
  const more = page.length > limit;
  const shown = page.slice(0, limit);
  let next: string | null = null;
  if (more && shown.length > 0) {
    const lastAt = shown.at(-1)!.startedAt;
    const sameInstant = rows.slice(0, (cur?.skip ?? 0) + shown.length).filter((r) => r.startedAt === lastAt).length;
    next = encodeCursor(lastAt, sameInstant);
  }
  const names = new Map<number, string | null>();
  for (const d of shown) if (!names.has(d.decoyId)) names.set(d.decoyId, (await ctx.store.getDecoy(d.decoyId))?.name ?? null);
  const filter = [q.ip !== undefined ? `ip=${q.ip}` : '', q.decoyId !== undefined ? `decoy=${q.decoyId}` : '',
    q.since !== undefined ? `since=${new Date(q.since).toISOString()}` : '', q.to !== undefined ? `to=${new Date(q.to).toISOString()}` : ''].filter(Boolean).join(' ');
  const ips = [...new Set(shown.map((d) => d.remoteIp))];
  recordAccess(g, actor, 'consult', `deliveries ${filter || '(all)'}${cur ? ' (next page)' : ''}: ${shown.length} rows, IPs ${ips.slice(0, 20).join(',')}${ips.length > 20 ? ` +${ips.length - 20}` : ''}`, purpose);
  return { deliveries: shown.map((d) => ({ ...d, decoyName: names.get(d.decoyId) ?? null })), next };
}

/**
 * An analyst's per-IP dossier (issue 11 item 3, issue 13 §2): needs a stated purpose; the
 * consultation is logged with the address and what the dossier holds before it is returned.
 */
export function consultDossier(ctx: Context, g: Governance, actor: Actor, q: { ip: string; purpose?: string; limit?: number }): Dossier {
  requirePermission(actor, 'consult');
  const purpose = requirePurpose(q.purpose);
  const d = dossier(ctx, { ip: q.ip, limit: q.limit ?? 200 });
  recordAccess(g, actor, 'consult', `dossier ${d.ip}: ${d.deliveries.length} deliveries, ${d.announces.length} announces, ${d.presence.length} presence records, ${d.enrichment.length} enrichments${d.truncated ? ' (truncated)' : ''}`, purpose);
  return d;
}
