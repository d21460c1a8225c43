import type { DatabaseSync } from 'node:sqlite';

export interface InboundBucket { readonly bucketStart: number; readonly count: number }
export interface AddressHealth { readonly localIp: string; readonly total: number; readonly lastAt: number; readonly buckets: readonly InboundBucket[] }
export interface DecoyHealth { readonly decoyId: number; readonly infoHash: string; readonly inbound: number; readonly lastInboundAt: number | null; readonly presence: number }

/**
 * Blocklist awareness: inbound peer connections (deliveries) per local address and per decoy,
 * bucketed in time, so an operator sees when an address or a decoy stops receiving peers.
 */
export function inboundByAddress(db: DatabaseSync, since: number, bucketMs: number): AddressHealth[] {
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) throw new RangeError(`bucket length must be a positive whole number of ms, got ${bucketMs}`);
  // node:sqlite binds a JS number as REAL, and INTEGER / REAL is a real division in SQLite
  // (every row would be its own bucket), so the width is cast back to INTEGER for the floor division.
  const rows = db.prepare(`SELECT local_ip, (started_at / CAST(?1 AS INTEGER)) * CAST(?1 AS INTEGER) AS b, COUNT(*) AS n, MAX(started_at) AS last
    FROM deliveries WHERE started_at >= ?2 GROUP BY local_ip, b ORDER BY local_ip, b`).all(bucketMs, since);
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

/**
 * An address's counts per bucket, oldest first, from the bucket holding `since` to the one
 * holding `now`, both included: a window that does not start on a bucket boundary spans
 * one bucket more than its length divided by the width, and the last is the current one.
 */
export function bucketSeries(buckets: readonly InboundBucket[], since: number, now: number, bucketMs: number): number[] {
  const first = Math.floor(since / bucketMs) * bucketMs;
  const n = Math.floor(now / bucketMs) - first / bucketMs + 1;
  const counts = new Array<number>(Math.max(0, n)).fill(0);
  for (const b of buckets) {
    const i = (b.bucketStart - first) / bucketMs;
    if (i >= 0 && i < counts.length) counts[i] = b.count;
  }
  return counts;
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
