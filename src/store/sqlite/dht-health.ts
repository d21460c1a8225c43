import type { DatabaseSync } from 'node:sqlite';
import { bucketSeries, type AddressHealth, type DecoyHealth, type HealthQueries, type InboundBucket } from '../health.ts';

export { bucketSeries, type AddressHealth, type DecoyHealth, type InboundBucket };

/** HealthQueries over the store's own connection. */
export class SqliteHealthQueries implements HealthQueries {
  readonly #db: DatabaseSync;
  constructor(db: DatabaseSync) { this.#db = db; }
  async inboundByAddress(since: number, bucketMs: number): Promise<AddressHealth[]> { return inboundByAddress(this.#db, since, bucketMs); }
  async inboundByDecoy(since: number, limit: number): Promise<DecoyHealth[]> { return inboundByDecoy(this.#db, since, limit); }
  async inboundCounts(since: number, later: number): Promise<{ since: number; later: number }> { return inboundCounts(this.#db, since, later); }
}

/**
 * Deliveries started at or after `since`, and of those at or after `later`: two counts of one index range, for the overview
 * (issue 13: API p95 <= 100 ms). The overview summed inboundByAddress's hourly buckets, whose GROUP BY sorts every delivery of
 * the week: on PostgreSQL at 10,000,000 deliveries with the clock at the data's end (195,373 deliveries in the week) ~75 ms of
 * the route's 86 ms of CPU, the sort spilling to disk (session 10).
 */
export function inboundCounts(db: DatabaseSync, since: number, later: number): { since: number; later: number } {
  const r = db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN started_at >= ? THEN 1 ELSE 0 END), 0) AS m FROM deliveries WHERE started_at >= ?`).get(later, since)!;
  return { since: Number(r.n), later: Number(r.m) };
}

/** Up to this many local addresses, inboundByAddress reads one index range per address. */
export const LOCAL_ADDRESSES = 64;

/**
 * Blocklist awareness: inbound peer connections (deliveries) per local address and per decoy,
 * bucketed in time, so an operator sees when an address or a decoy stops receiving peers.
 */
export function inboundByAddress(db: DatabaseSync, since: number, bucketMs: number): AddressHealth[] {
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) throw new RangeError(`bucket length must be a positive whole number of ms, got ${bucketMs}`);
  // node:sqlite binds a JS number as REAL, and INTEGER / REAL is a real division in SQLite
  // (every row would be its own bucket), so the width is cast back to INTEGER for the floor division.
  const bucketed = `SELECT local_ip, (started_at / CAST(?1 AS INTEGER)) * CAST(?1 AS INTEGER) AS b, COUNT(*) AS n, MAX(started_at) AS last FROM deliveries`;
  // One range of the (local_ip, started_at) index per local address, found by index seeks (a node has a few). PostgreSQL's month
  // partitions have no B-tree on started_at (a BRIN), so the one statement over all addresses read the month's whole local_ip
  // index: 14 of its 25 ms for a day's 27,120 deliveries at 10,000,000 (session 10; issue 13, API p95 <= 100 ms for
  // /api/node-health, 35 ms of CPU a request against SQLite's 10). Past LOCAL_ADDRESSES addresses (a centre of many nodes), the one statement.
  const addresses: string[] = [];
  const next = db.prepare('SELECT MIN(local_ip) AS ip FROM deliveries WHERE local_ip > ?');
  for (let ip = db.prepare('SELECT MIN(local_ip) AS ip FROM deliveries').get()?.ip; ip !== null && ip !== undefined && addresses.length <= LOCAL_ADDRESSES; ip = next.get(ip)?.ip) addresses.push(String(ip));
  const one = db.prepare(`${bucketed} WHERE local_ip = ?3 AND started_at >= ?2 GROUP BY local_ip, b ORDER BY b`);
  const rows = addresses.length <= LOCAL_ADDRESSES ? addresses.flatMap((ip) => one.all(bucketMs, since, ip))
    : db.prepare(`${bucketed} WHERE started_at >= ?2 GROUP BY local_ip, b ORDER BY local_ip, b`).all(bucketMs, since);
  const out = new Map<string, { total: number; lastAt: number; buckets: InboundBucket[] }>();
  for (const r of rows) {
    const ip = String(r.local_ip);
    const a = out.get(ip) ?? { total: 0, lastAt: 0, buckets: [] };
    a.total += Number(r.n);
    a.lastAt = Math.max(a.lastAt, Number(r.last));
    a.buckets.push({ bucketStart: Number(r.b), count: Number(r.n) });
    out.set(ip, a);
  }
  return [...out].map(([localIp, a]) => ({ localIp, ...a }));
}

/** Every active decoy with its inbound connections and swarm presence since `since`; silent decoys first. */
export function inboundByDecoy(db: DatabaseSync, since: number, limit: number): DecoyHealth[] {
  return db.prepare(`SELECT k.id, k.info_hash,
      (SELECT COUNT(*) FROM deliveries d WHERE d.decoy_id = k.id AND d.started_at >= ?) AS inbound,
      (SELECT MAX(started_at) FROM deliveries d WHERE d.decoy_id = k.id) AS last_in,
      (SELECT COUNT(*) FROM swarm_presence p WHERE p.decoy_id = k.id AND p.at >= ?) AS presence
    FROM decoys k WHERE k.status = 'active' ORDER BY inbound, presence, k.id LIMIT ?`).all(since, since, limit).map((r) => ({
    decoyId: Number(r.id), infoHash: String(r.info_hash), inbound: Number(r.inbound),
    lastInboundAt: r.last_in === null ? null : Number(r.last_in), presence: Number(r.presence),
  }));
}
