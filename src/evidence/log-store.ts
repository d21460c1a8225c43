import type { ByteRange, Observation, SessionProgressObservation } from '../domain/observation.ts';
import type { ChainRow } from './chain/chain-records.ts';
import type { Recordable } from './record.ts';
import type { IndexLeaf } from './key-index.ts';

/**
 * The evidence log's persistence port: what the chain and the checkpoints need from a store. It is
 * declared here, by its user, and every store implements it (store/store.ts), so evidence/ imports
 * nothing from store/ (issue 16: no folder cycles).
 */

/** A row the store has just written: what the chain needs of it (its codec writes its record text) and where it is. */
export interface WrittenRow extends ChainRow { readonly rowId: number }

export interface StoredCheckpoint {
  readonly id: number;
  readonly treeSize: number;
  readonly at: number;
  readonly reason: string;
  readonly text: string;
  readonly signature: Buffer;
  readonly frontier: Buffer;
}

export interface LogRow {
  readonly seq: number;
  readonly kind: string;
  /** The record's canonical text: re-derived from its row, and checked against `hash`. */
  readonly text: string;
  readonly hash: Buffer;
  /** The record's `at` (UTC ms), as in its text. */
  readonly at: number;
  /** The keys the record is filed under in the key index (key-index.ts recordKeys of the derived record). */
  readonly keys: readonly string[];
}

export interface LogFilter {
  readonly ip?: string;
  /**
   * Several addresses at once (a referral: every address of one agency in one package), each with its
   * own completeness proof. Only with from/to; exports only (exports/selection.ts).
   */
  readonly ips?: readonly string[];
  readonly decoyId?: number;
  /** UTC ms, inclusive. */
  readonly from?: number;
  /** UTC ms, exclusive. */
  readonly to?: number;
  /** Only these kinds (default: every kind). */
  readonly kinds?: readonly string[];
}

/** Where a record is and its hash, without its text (selectLinks); derive() gives the text. */
export interface LogLink { readonly seq: number; readonly kind: string; readonly rowId: number | null; readonly hash: Buffer }

/** What the chain needs of a row just written: its kind and id. */
export interface ChainedRow { readonly kind: string; readonly rowId: number }

/** Runs inside the append transaction with the rows just written (the evidence chain); a throw rolls the batch back. */
export type AppendHook = (rows: readonly WrittenRow[]) => void;

/**
 * The evidence log's tables (evidence/evidence-log.ts chains and checkpoints through them): the
 * chain links, the checkpoints, the clock statements, saved case filters. Callers own transactions.
 * Every read that returns a record's text re-derives it from its row and checks it against the
 * chained hash, and refuses a gap in the chain, with the record's number.
 */
export interface EvidenceLogTables {
  /** The fingerprint of the node that writes this log, once set. */
  node(): string | undefined;
  setNode(fingerprint: string): void;
  /** The last link, or undefined for an empty log. */
  head(): { seq: number; hash: Buffer } | undefined;
  /** Writes recordables the log itself produces (clock statements) into their tables; `after` chains them in the same transaction. */
  writeRows(items: readonly Recordable[], after: (rows: readonly WrittenRow[]) => void): WrittenRow[];
  /** Links records seq, seq + 1, ... to their rows; `hashes` holds 32 bytes per row, in order. */
  insertRuns(seq: number, rows: readonly ChainedRow[], hashes: Uint8Array): void;
  count(): number;
  /** Records with seq >= from. */
  countFrom(from: number): number;
  /** Leaf hashes for seq in [from, to), in order; every one must be there. */
  hashes(from: number, to: number): Generator<Buffer>;
  /** Records in [from, to), in order (fewer if the chain ends first). */
  range(from: number, to: number): Generator<LogRow>;
  /** The records of `links`, in seq order, each re-derived and checked. */
  derive(links: readonly LogLink[]): LogRow[];
  select(f: LogFilter, limit: number): LogRow[];
  selectLinks(f: LogFilter, limit: number): LogLink[];
  /** Clock records in effect for seq in [fromSeq, toSeq]: the last one at or before fromSeq and every one up to toSeq. */
  clockRecords(fromSeq: number, toSeq: number): LogRow[];
  clockLinks(fromSeq: number, toSeq: number): LogLink[];
  /** The links of every record of `kind` below `toSeq`, from the chain's runs, in seq order. */
  kindLinks(kind: string, toSeq: number): LogLink[];
  latestCheckpoint(): StoredCheckpoint | undefined;
  listCheckpoints(limit: number): StoredCheckpoint[];
  insertCheckpoint(c: Omit<StoredCheckpoint, 'id'>): number;
  /** Saves a named filter. False (nothing written) when `name` holds another filter and `replace` is not set: a case's filter never changes silently. */
  saveCase(name: string, filter: string, now: number, replace?: boolean): boolean;
  getCase(name: string): string | undefined;
  /** The key index every checkpoint commits to (evidence-004; evidence/audit.ts writes it). */
  readonly index: EvidenceIndex;
  /** The record fields a kind's table declares as its ip and decoy (what the key index files it under). */
  keyFields(kind: string): { readonly ipField?: string; readonly decoyField?: string; readonly networkField?: string };
  /** The links of these records, in the order given. */
  linksAt(seqs: readonly number[]): LogLink[];
  /** Counts every chained kind's rows against its links up to `size` (a deleted or planted row throws, with its record). */
  checkRows(size: number, opts?: { rows: boolean }): void;
  /** The number of rows in each record kind's table (chained or not). */
  rowCounts(): Map<string, number>;
  /** Delivery rows matching a query, with their row ids (for chainStatus), ordered by start. */
  deliveryRows(q: { ip?: string; decoyId?: number; since?: number; limit?: number }): { rowId: number; obs: Record<string, unknown> }[];
  /** Whether each row is chained and still matches its link. */
  chainStatus(kind: string, rowIds: readonly number[]): Map<number, 'chained' | 'altered' | 'unchained'>;
  /** The newest checkpoint that signs the key index (an audited one: export or manual). */
  latestIndexedCheckpoint(): StoredCheckpoint | undefined;
  /** Checkpoint rows over exactly `treeSize` records. */
  checkpointsAt(treeSize: number): StoredCheckpoint[];
}

/** A key of the index with its row id. */
export interface StoredKey extends IndexLeaf { readonly id: number }

/** The key index's storage (evidence-004). Nothing in it is trusted: every reader checks leaves against a signed root. */
export interface EvidenceIndex {
  get(key: string): StoredKey | undefined;
  /** A new key, with no records yet (count 0, accumulator zero); returns its id. */
  addKey(key: string): number;
  setLeaf(id: number, count: number, acc: Uint8Array): void;
  addRecord(keyId: number, seq: number, at: number): void;
  clear(): void;
  size(): number;
  /** Every leaf, sorted by key (byte order). */
  leaves(): Generator<IndexLeaf>;
  /** Position of `key` in the sorted leaves if present, else where it would go. */
  position(key: string): number;
  /** The keys from `lo` to `hi` (inclusive), sorted. */
  between(lo: string, hi: string): StoredKey[];
  /** The records filed under a key: (seq, at) in seq order. */
  records(keyId: number): [seq: number, at: number][];
}

/**
 * What the tamper-evident log needs from a store: its tables, the store's write transaction, and a
 * hook into every observation append. The chain is written in the same transaction as the rows it
 * covers, in every store: a hook that throws rolls the batch back.
 */
export interface EvidenceLogBackend {
  readonly tables: EvidenceLogTables;
  /** Runs fn in one write transaction. */
  transaction<T>(fn: () => T): T;
  /** Runs `hook` inside every appendObservations transaction; returns its removal. */
  addAppendHook(hook: AppendHook): () => void;
  /**
   * The same tables on a read-only connection of their own, read in one read transaction at a time
   * (`read`): a consistent snapshot that never holds the writer's lock. Checkpoint audits read there
   * (evidence-log.ts). A store without one audits inside its write transaction.
   */
  readonly snapshot?: { readonly table: EvidenceLogTables; read<T>(fn: () => T): T };
}

/** A run of a node on this data directory, as its run marker keeps it. */
export interface NodeRun {
  readonly id: number;
  readonly startedAt: number;
  readonly pid: number;
  /** session-progress rows written by this run have ids above this. */
  readonly progressFromId: number;
}

/** Run markers and open sessions (evidence/unclean-shutdown.ts): bookkeeping whose findings are written as chained records. */
export interface RunMarkers {
  unfinished(): NodeRun[];
  begin(startedAt: number, pid: number): number;
  markStopped(id: number, at: number): void;
  markRecovered(id: number, at: number): void;
  /** Keeps open sessions in step with rows just written (inside their transaction). */
  track(rows: readonly { readonly kind: string; readonly values: readonly unknown[] }[]): void;
  rangesOf(sessionId: string): ByteRange[];
  openSessions(fromId: number, toId: number): SessionProgressObservation[];
}

/** A store with a tamper-evident log (every Store: store/store.ts). */
export interface EvidenceLogSource {
  evidenceLog(): EvidenceLogBackend;
  /** The run markers of this data directory. */
  runMarkers(): RunMarkers;
  appendObservations(batch: readonly Observation[]): Promise<void>;
}
