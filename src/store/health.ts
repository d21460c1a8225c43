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
}
