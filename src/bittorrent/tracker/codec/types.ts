/** BEP 3 `event`; BEP 15 encodes it as 0 none, 1 completed, 2 started, 3 stopped. */
export type AnnounceEvent = 'none' | 'completed' | 'started' | 'stopped';

/** A peer's address as text: dotted IPv4 or RFC 5952 IPv6. */
export interface PeerAddress {
  readonly ip: string;
  readonly port: number;
}

/** One announce, independent of transport (BEP 3 query parameters, BEP 15 announce fields). */
export interface AnnounceRequest {
  readonly infoHash: Uint8Array;
  readonly peerId: Uint8Array;
  /** The client's listen port. */
  readonly port: number;
  /**
   * Byte counters. Exact up to 2^53; larger values (sent only by broken or
   * hostile clients) are the nearest double.
   */
  readonly uploaded: number;
  readonly downloaded: number;
  readonly left: number;
  readonly event: AnnounceEvent;
  /** BEP 23: the client accepts a compact peer list. */
  readonly compact?: boolean;
  readonly numWant?: number;
  /** Opaque client key; our client sends 8 hex digits so it also fits BEP 15's u32. */
  readonly key?: string;
  /** The address the client claims (BEP 3 `ip`); recorded, never trusted. */
  readonly ip?: string;
  /** BEP 7 `ipv6`: the client's IPv6 address, told to a tracker it announces to over IPv4. */
  readonly ipv6?: string;
  /** BEP 3 `trackerid` echoed back from a previous response. */
  readonly trackerId?: string;
}

/** A successful announce response, as the client sees it. */
export interface AnnounceResponse {
  /** Seconds until the next regular announce. */
  readonly interval: number;
  readonly minInterval?: number;
  /** Seeders and leechers, when the tracker reports them. */
  readonly complete?: number;
  readonly incomplete?: number;
  readonly peers: readonly PeerAddress[];
  readonly warning?: string;
  readonly trackerId?: string;
}

/** BEP 48 / BEP 15 per-torrent scrape counters. */
export interface ScrapeStats {
  readonly complete: number;
  readonly downloaded: number;
  readonly incomplete: number;
}
