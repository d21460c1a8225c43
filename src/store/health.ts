export interface InboundBucket { readonly bucketStart: number; readonly count: number }
export interface AddressHealth { readonly localIp: string; readonly total: number; readonly lastAt: number; readonly buckets: readonly InboundBucket[] }
export interface DecoyHealth { readonly decoyId: number; readonly infoHash: string; readonly inbound: number; readonly lastInboundAt: number | null; readonly presence: number }

/**
 * Blocklist awareness: inbound peer connections (deliveries) per local address and per decoy,
 * bucketed in time, so an operator sees when an address or a decoy stops receiving peers.
 */
export interface HealthQueries {
  /** Per local address: deliveries started at or after `since`, in buckets of `bucketMs` (oldest first). */
  inboundByAddress(since: number, bucketMs: number): Promise<AddressHealth[]>;
  /** Every active decoy with its inbound connections and swarm presence since `since`; silent decoys first. */
  inboundByDecoy(since: number, limit: number): Promise<DecoyHealth[]>;
  /** Deliveries started at or after `since`, and how many of them at or after `later` (one read, no per-address buckets). */
  inboundCounts(since: number, later: number): Promise<{ readonly since: number; readonly later: number }>;
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
