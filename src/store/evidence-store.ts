import type { Decoy, DecoyStatus, NewDecoy, ServedDecoy } from '../domain/decoy.ts';
import type { DeliveryObservation, Observation, TrackerAnnounceObservation } from '../domain/observation.ts';
import type { Payload } from '../domain/payload.ts';

/** Tracker announces by infohash, remote IP, decoy, time (UTC ms, from inclusive, to exclusive), without given peer ids. */
export interface AnnounceQuery {
  infoHash?: string;
  ip?: string;
  decoyId?: number;
  from?: number;
  to?: number;
  /** 40 hex digits each: announces by these peer ids are left out (the node's own, issue 15 item 12). */
  excludePeerIds?: readonly string[];
  /** 'asc' oldest first (default), 'desc' newest first: with `limit`, the newest N. */
  order?: 'asc' | 'desc';
  limit?: number;
}

export interface DeliveryQuery {
  readonly ip?: string;
  readonly decoyId?: number;
  /** UTC ms: sessions that started at or after this instant. */
  readonly since?: number;
  /** UTC ms: sessions that started before this instant. */
  readonly to?: number;
  /** By start time: 'asc' oldest first (default), 'desc' newest first; with `limit`, the first N in this order. */
  readonly order?: 'asc' | 'desc';
  readonly limit?: number;
}

/** A decoy retired by hand (`decoys retire`): when and why. */
export interface DecoyRetirement { readonly decoyId: number; readonly retiredAt: number; readonly reason: string }

export interface DecoyQuery {
  readonly status?: DecoyStatus;
  readonly payloadId?: string;
  /** Content size in bytes (`decoys identify`: a decoy's size nearly identifies it). */
  readonly size?: number;
  /** 40 lowercase hex digits (`decoys retire INFOHASH`). */
  readonly infoHash?: string;
  /** The exact torrent name (`decoys retire NAME`). */
  readonly name?: string;
  /** Only decoys with a larger id: with `limit`, one page of a listing in id order (decoys export pages through 100,000). */
  readonly afterId?: number;
  readonly limit?: number;
}

/**
 * Where evidence lives. SQLite is the embedded default; a PostgreSQL store for
 * multi-node deployments implements the same interface (and runs the same contract suite).
 * Writes are async so that a networked store fits; the SQLite store resolves immediately.
 */
export interface EvidenceStore {
  // Payload catalog (sync: the registry calls it while hashing files).
  insertPayload(p: Payload): void;
  getPayload(id: string): Payload | undefined;
  listPayloads(): Payload[];

  /** Inserts all or nothing; fails on a duplicate infohash. */
  insertDecoys(decoys: readonly NewDecoy[], now: number): Promise<Decoy[]>;
  listDecoys(q?: DecoyQuery): Promise<Decoy[]>;
  getDecoy(id: number): Promise<Decoy | undefined>;
  /** Active decoys in id order, compact (no info dict), a page at a time: a node may serve 100,000. */
  listServedDecoys(q: { afterId: number; limit: number }): Promise<ServedDecoy[]>;
  /** How many decoys are active (listServedDecoys would return), for sizing structures before loading them. */
  countServedDecoys(): Promise<number>;
  /**
   * Retires the given decoys by hand, all in one transaction: each active one becomes retired and
   * gets a retirement row (when, why); ones already retired are left as they are. Returns the ids
   * it retired. A running node stops serving them at its next decoy sync.
   */
  retireDecoys(ids: readonly number[], now: number, reason: string): Promise<number[]>;
  /** Hand retirements, oldest first (of one decoy with `decoyId`). */
  decoyRetirements(q?: { readonly decoyId?: number }): Promise<DecoyRetirement[]>;

  /**
   * Appends a batch atomically, with `counters` (added to the named counters) in the same transaction:
   * either every observation and every count is stored, or none.
   */
  appendObservations(batch: readonly Observation[], counters?: Readonly<Record<string, number>>): Promise<void>;
  /**
   * Keeps an observation the store refused as a row, verbatim, so it is neither lost nor blocking, and
   * adds 1 to `observations.quarantined.<kind>` in the same transaction.
   */
  quarantineObservation(o: Observation, error: string): Promise<void>;
  queryDeliveries(q?: DeliveryQuery): Promise<DeliveryObservation[]>;
  queryAnnounces(q?: AnnounceQuery): Promise<TrackerAnnounceObservation[]>;

  /** Monotonic named counters (e.g. observations dropped under overload). */
  addToCounter(name: string, delta: number): Promise<void>;
  counters(): Promise<Record<string, number>>;

  /**
   * Every active decoy, compact, in id order, `pageSize` at a time: the node's one pass over them at
   * start-up (each row is read once; a store may read them with a smaller cache than usual).
   */
  servedDecoyPages(pageSize: number): AsyncGenerator<ServedDecoy[]>;

  close(): Promise<void>;
}
