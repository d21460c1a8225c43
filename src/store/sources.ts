import type { SourceRow } from '../sources/source-row.ts';

/**
 * Records from other sources (issue 14 §1-§2): partner agencies' lists, seized servers' logs. Kept
 * apart from first-party evidence (their own tables, never chained), each import with its
 * provenance. SQLite: sqlite/sources/ (migration sources-001); PostgreSQL: the same SQL, postgres/pg-sources.ts (pg-sources-001).
 */

/** Admiralty/NATO grading (STANAG 2511): source reliability A (completely reliable) .. F (cannot be judged). */
export const RELIABILITY = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type Reliability = (typeof RELIABILITY)[number];
/** Information credibility 1 (confirmed) .. 6 (cannot be judged). */
export const CREDIBILITY = [1, 2, 3, 4, 5, 6] as const;
export type Credibility = (typeof CREDIBILITY)[number];

export type SourceFormat = 'csv' | 'json' | 'ndjson';

export interface NewImport {
  /** Who supplied the file (the partner agency, the seized server's case). */
  readonly source: string;
  /** When they supplied it (UTC ms). */
  readonly receivedAt: number;
  readonly importedAt: number;
  /** Who ran the import. */
  readonly importedBy: string;
  readonly fileName: string;
  readonly format: SourceFormat;
  readonly reliability: Reliability;
  readonly credibility: Credibility;
  readonly note: string;
  /** The importing process: an import left 'loading' by a process that is gone is removed. */
  readonly pid: number;
}

export interface SourceImport extends Omit<NewImport, 'pid'> {
  readonly id: number;
  readonly fileSha256: string;
  readonly fileBytes: number;
  readonly rows: number;
}

export interface StoredSourceRecord extends SourceRow {
  readonly id: number;
  readonly importId: number;
}

/** How two records were matched. */
export type MatchRule =
  /** Same IP, the source's port is our connection's source port (RFC 6302), times within the window. */
  | 'ip+remote-port+time'
  /** Same IP, the source's port is the peer's listen port (BEP 10 `p`), times within the window. */
  | 'ip+listen-port+time'
  /** Same IP, times within the window; one side has no port, so CGNAT cannot be ruled out. */
  | 'ip+time (no port)'
  /** Same IP and port in two imports, times within the window. */
  | 'ip+port+time'
  /** Same BitTorrent peer id, times within the window, any IP: peer-id continuity. */
  | 'peer-id+time';

export interface MatchRun {
  readonly id: number;
  readonly at: number;
  readonly windowMs: number;
  readonly matches: number;
  /** The deliveries the run read: id <= this. */
  readonly deliveriesUpTo: number;
  /** Imports (complete) it read. */
  readonly imports: readonly number[];
}

export interface SourceMatch {
  readonly rule: MatchRule;
  /** The imported record (left side). */
  readonly sourceRecordId: number;
  readonly importId: number;
  readonly source: string;
  readonly grade: string;
  readonly line: number;
  readonly reference: string;
  readonly sourceIp: string;
  readonly sourcePort: number | null;
  readonly sourceAt: number;
  /** The other side: one of our deliveries, or a record of another import. */
  readonly otherKind: 'delivery' | 'source';
  readonly otherId: number;
  /** Network of our delivery ('bittorrent'), or the other import's source name. */
  readonly otherNetwork: string;
  readonly otherIp: string;
  readonly otherPort: number | null;
  readonly otherStart: number;
  readonly otherEnd: number;
  /** Source time minus the other side's interval: 0 inside it, negative before, positive after (ms). */
  readonly deltaMs: number;
  /** Both sides name a peer id: the same or different; else unknown. */
  readonly peerIdContinuity: 'same' | 'different' | 'unknown';
}

export interface SourceStore {
  /** Removes imports left 'loading' by processes that are gone; returns how many. */
  removeAbandoned(isAlive: (pid: number) => boolean): number;
  /** A complete import of the same file from the same source, if any. */
  findImport(source: string, fileSha256: string): SourceImport | undefined;
  /** Starts an import (status 'loading': invisible to every query until finished). */
  beginImport(meta: NewImport): number;
  /** One transaction per call. */
  addRecords(importId: number, rows: readonly SourceRow[]): void;
  finishImport(importId: number, fileSha256: string, fileBytes: number, rows: number): SourceImport;
  /** Deletes the import and its records. */
  abandonImport(importId: number): void;
  imports(): SourceImport[];
  records(importId: number, limit: number): StoredSourceRecord[];

  /** Matches every complete import against the deliveries and each other; stores and returns the run. */
  match(windowMs: number, at: number): MatchRun;
  latestMatchRun(): MatchRun | undefined;
  /** A run's matches, in (source record, other side) order. */
  matches(runId: number, limit: number, ip?: string): SourceMatch[];
}
