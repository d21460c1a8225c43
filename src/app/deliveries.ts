import type { DeliveryObservation } from '../domain/observation.ts';
import { listDeliveries, type DeliveryListing } from '../evidence/delivery-listing.ts';
import type { Context } from './context.ts';

export type { ChainState, DeliveryListing, ListedDelivery } from '../evidence/delivery-listing.ts';

export interface DeliveryFilter {
  /** Remote IP address. */
  readonly ip?: string;
  readonly decoyId?: number;
  /** UTC ms: sessions that started at or after this instant. */
  readonly since?: number;
  /** UTC ms: sessions that started before this instant. */
  readonly to?: number;
  /** By start time: 'asc' oldest first (default), 'desc' newest first (issue 15 item 12). */
  readonly order?: 'asc' | 'desc';
  /** At most this many sessions, the first in `order`. */
  readonly limit?: number;
}

const filterOf = (f: DeliveryFilter) => ({
  ...(f.ip !== undefined ? { ip: f.ip } : {}), ...(f.decoyId !== undefined ? { decoyId: f.decoyId } : {}),
  ...(f.since !== undefined ? { since: f.since } : {}), ...(f.to !== undefined ? { to: f.to } : {}),
  ...(f.order !== undefined ? { order: f.order } : {}), ...(f.limit !== undefined ? { limit: f.limit } : {}),
});

/** Recorded delivery sessions (one per peer connection that reached a decoy), oldest first. */
export async function queryDeliveries(ctx: Pick<Context, 'store'>, filter: DeliveryFilter = {}): Promise<DeliveryObservation[]> {
  return ctx.store.queryDeliveries(filterOf(filter));
}

/**
 * The same sessions, each with whether the evidence chain backs it (chained, altered after it was
 * chained, not chained), and how many are not backed: what an analyst must see beside the rows.
 */
export function checkedDeliveries(ctx: Pick<Context, 'store'>, filter: DeliveryFilter = {}): Promise<DeliveryListing> {
  return listDeliveries(ctx.store, filterOf(filter));
}

/** Sessions read per store query by streamDeliveries: a few hundred KB of rows, a few ms of work. */
export const DELIVERY_PAGE = 1000;

/**
 * The same sessions as queryDeliveries, as an async iterable read a page at a time, so a request
 * handler can stream 100,000 of them without holding them all or blocking its loop for the whole
 * read. Pages follow the store's order (start time, then row): each page starts at the last start
 * time seen and skips the sessions of that instant it already gave, so none is lost or repeated
 * even when many share one start time.
 */
export async function* streamDeliveries(ctx: Pick<Context, 'store'>, filter: DeliveryFilter = {}, opts: { readonly pageSize?: number } = {}): AsyncGenerator<DeliveryObservation> {
  const pageSize = opts.pageSize ?? DELIVERY_PAGE;
  // Pages continue from the last start time seen, so they go oldest first.
  if (filter.order === 'desc') throw new RangeError('streamDeliveries reads oldest first; order desc is not supported');
  if (!(Number.isInteger(pageSize) && pageSize >= 1)) throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
  let left = filter.limit ?? Infinity;
  let since = filter.since;
  /** Sessions already given whose start time is `since`. */
  let atSince = new Set<string>();
  while (left > 0) {
    const want = Math.min(pageSize, left) + atSince.size;
    const rows = await ctx.store.queryDeliveries(filterOf({ ...filter, ...(since !== undefined ? { since } : {}), limit: want }));
    let given = 0;
    for (const r of rows) {
      if (r.startedAt === since && atSince.has(r.sessionId)) continue;
      if (left <= 0) return;
      if (r.startedAt !== since) { since = r.startedAt; atSince = new Set(); }
      atSince.add(r.sessionId);
      yield r;
      given++;
      left--;
    }
    if (rows.length < want || given === 0) return;
  }
}
