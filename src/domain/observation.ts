import type { NetworkStamp } from './content-id.ts';
import type { InfoHashHex } from './info-hash.ts';

/**
 * Observations are evidence: a typed event log, timestamped where they happen (UTC ms),
 * never dropped silently (cf. libtorrent alerts). Observations about content carry the adapter's
 * NetworkStamp (`network`, `contentId`); the BitTorrent fields stay where they mean something.
 */
export type Observation = DeliveryObservation | TrackerAnnounceObservation | RejectedConnectionObservation | SwarmPresenceObservation
  | SessionProgressObservation | UncleanShutdownObservation | AggregateObservation;

export type Encryption = 'none' | 'mse-rc4' | 'mse-plaintext';

/** How the peer connection ran: TCP, or uTP over UDP (BEP 29). */
export type Transport = 'tcp' | 'utp';

/** Half-open byte range [start, end) of the decoy's content. */
export type ByteRange = readonly [start: number, end: number];

/** One peer connection that reached a decoy (handshake routed by infohash). */
export interface DeliveryObservation extends NetworkStamp {
  readonly kind: 'delivery';
  readonly sessionId: string;
  readonly decoyId: number;
  readonly infoHash: InfoHashHex;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly localIp: string;
  readonly localPort: number;
  readonly transport: Transport;
  readonly encryption: Encryption;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Raw 20-byte peer id, hex. */
  readonly peerId: string;
  /** Client parsed from the BEP 20 peer id prefix, e.g. "Transmission 3.00". */
  readonly client: string | null;
  /** Extended handshake `v` (BEP 10), verbatim. */
  readonly clientVersion: string | null;
  /** Extended handshake `p`: the peer's advertised listen port. */
  readonly listenPort: number | null;
  /** Piece payload bytes sent in `piece` messages. */
  readonly bytesServed: number;
  readonly blocksServed: number;
  /** Coalesced content byte ranges served. */
  readonly servedRanges: readonly ByteRange[];
  /** Pieces the peer reported having on arrival (bitfield/have_all/have_none), and at the end. */
  readonly peerPiecesAtStart: number | null;
  readonly peerPiecesAtEnd: number | null;
  /** The peer reported having every piece by the end of the session. */
  readonly completed: boolean;
  /** BEP 9 metadata pieces served. */
  readonly metadataPiecesServed: number;
  /** The session fetched metadata (or nothing) but no piece data: typical of DHT crawlers and indexers. */
  readonly metadataOnly: boolean;
  readonly disconnectReason: string;
}

/**
 * A delivery session's state while it is still open (issue 17, item 5), so that a kill -9 loses at
 * most the last progress interval of it, not the whole session: `open` when both handshakes are
 * done, `progress` every few seconds or megabytes while something changed, and `interrupted`,
 * written by the next start after an unclean stop, for a session whose last record was open or
 * progress and which has no delivery record (the counters are those of its last progress record).
 * The session's `delivery` record stays the one final account of it; these never replace it.
 */
export interface SessionProgressObservation extends NetworkStamp {
  readonly kind: 'session-progress';
  readonly phase: 'open' | 'progress' | 'interrupted';
  /** When this record was made (for `interrupted`: when the restarted node wrote it). */
  readonly at: number;
  /** When the counters below were taken: `at`, except for `interrupted` (the last progress record's instant). */
  readonly progressAt: number;
  readonly sessionId: string;
  readonly decoyId: number;
  readonly infoHash: InfoHashHex;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly localIp: string;
  readonly localPort: number;
  readonly encryption: Encryption;
  readonly startedAt: number;
  readonly peerId: string;
  readonly client: string | null;
  readonly clientVersion: string | null;
  readonly listenPort: number | null;
  readonly bytesServed: number;
  readonly blocksServed: number;
  /**
   * Content byte ranges (coalesced) served since the session's previous session-progress record, so
   * that a long session's records grow with what it was served, not with its square (a peer asking
   * for every other block would otherwise repeat an ever longer list). In an `interrupted` record:
   * the union of all its earlier records' ranges, i.e. everything the session is known to have got.
   */
  readonly newRanges: readonly ByteRange[];
  readonly metadataPiecesServed: number;
  /** Pieces the peer reported having, as far as known at `progressAt`. */
  readonly peerPieces: number | null;
}

/**
 * The node's own statement, written first at the start that follows an unclean stop (kill -9, power
 * loss, crash): the previous run never marked itself stopped. Names what the log held when the
 * previous run died, and how many sessions it left open (each gets an `interrupted` progress record).
 */
export interface UncleanShutdownObservation {
  readonly kind: 'unclean-shutdown';
  readonly at: number;
  /** Start instant and process id of the run that did not stop cleanly. */
  readonly runStartedAt: number;
  readonly runPid: number;
  /** Sequence number of the last evidence record in the log at detection (null: the log was empty). */
  readonly lastSeq: number | null;
  /** That record's hash (hex), which pins it: the verifier checks record lastSeq hashes to it. */
  readonly lastHash: string | null;
  /** Sessions open according to their last progress records (an `interrupted` record each follows). */
  readonly openSessions: number;
}

/** An announce received by the built-in tracker (HTTP or UDP). */
export interface TrackerAnnounceObservation extends NetworkStamp {
  readonly kind: 'tracker-announce';
  readonly at: number;
  readonly protocol: 'http' | 'udp';
  readonly infoHash: InfoHashHex;
  readonly decoyId: number | null;
  readonly remoteIp: string;
  readonly remotePort: number;
  /** The `ip` the client claims, if any (not trusted). */
  readonly claimedIp: string | null;
  /** The `port` the client announces as its listen port. */
  readonly announcedPort: number;
  readonly peerId: string;
  readonly event: 'started' | 'completed' | 'stopped' | 'none';
  readonly uploaded: number;
  readonly downloaded: number;
  readonly left: number;
}

/** A connection dropped before it reached a decoy (unknown infohash, bad handshake, limits). */
export interface RejectedConnectionObservation extends NetworkStamp {
  readonly kind: 'rejected-connection';
  readonly at: number;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly infoHash: InfoHashHex | null;
  readonly reason: string;
}

/**
 * Swarm presence: an address seen taking part in a decoy's swarm through the DHT (BEP 5), without
 * any connection to us. WEAKER than a delivery: nothing was served, and DHT addresses can be spoofed
 * or belong to crawlers, so it is labelled `strength: 'weak'`.
 */
export interface SwarmPresenceObservation extends NetworkStamp {
  readonly kind: 'swarm-presence';
  readonly at: number;
  readonly strength: 'weak';
  /** get_peers or announce_peer that arrived for our infohash, or a peer listed in a get_peers reply to our lookup. */
  readonly source: 'dht-get-peers' | 'dht-announce-peer' | 'dht-peer-list';
  readonly infoHash: InfoHashHex;
  readonly decoyId: number | null;
  readonly remoteIp: string;
  /** UDP source port of the query, or the announced/listed peer port. */
  readonly remotePort: number;
  /** Our address that saw it (a node may own several). */
  readonly localIp: string;
}

/** Kinds a flood can push past their per-second record budget; their surplus is aggregated. */
export type AggregatedKind = 'rejected-connection' | 'swarm-presence' | 'tracker-announce';

/**
 * Events that were counted, not recorded one by one (issue 17, item 4: nothing silently lost): all
 * events of one kind and reason from one source prefix in one UTC second. A flood beyond a producer's
 * per-second budget, or an announce for an infohash that is not a decoy, ends here. The sum of
 * `count` over aggregates plus the individual records equals the events received.
 * The source is a /24 (IPv4) or /48 (IPv6) network: a flood from one network is one row per second,
 * and the aggregate names no single address (it is not evidence against one downloader). When the
 * aggregator's open buckets are full, further sources fall into a /0 bucket (`network` 0.0.0.0 or ::),
 * so the record rate stays bounded whatever the number of spoofed sources.
 */
export interface AggregateObservation {
  readonly kind: 'aggregate';
  /** Start of the UTC second the events arrived in, ms (a multiple of 1000). */
  readonly at: number;
  /** Kind of the events counted. */
  readonly observed: AggregatedKind;
  /** Why they were counted instead of recorded: over the per-second budget, or not about a decoy. */
  readonly cause: 'rate-cap' | 'unknown-infohash';
  /** The events' own reason: rejection reason, DHT source, or tracker protocol. */
  readonly reason: string;
  /** Network address of the source prefix, e.g. "198.51.100.0" or "2001:db8:1::". */
  readonly network: string;
  /** 24 (IPv4) or 48 (IPv6); 0 for the overflow bucket. */
  readonly prefixLength: number;
  readonly count: number;
}

/**
 * A byte counter as recorded in evidence: exact up to 2^53 - 1; anything larger (Transmission sends
 * 2^64 - 1 for `left` before a magnet has metadata) cannot be exact in a number and is recorded as -1.
 */
export function evidenceCounter(v: number): number {
  return Number.isSafeInteger(v) && v >= 0 ? v : -1;
}
