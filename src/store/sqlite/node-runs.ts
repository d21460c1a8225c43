import type { DatabaseSync } from 'node:sqlite';

/** One start of a node, as node_runs (migration node-runs-001) keeps it. */
export interface NodeRunRow {
  readonly startedAt: number;
  /** The evidence log's size when the node was up: records from here to the next run's firstSeq are this run's. */
  readonly firstSeq: number;
  readonly toolVersion: string;
  readonly runtime: string;
  /** JSON texts, as written. */
  readonly settings: string;
  readonly presented: string;
}

export function insertNodeRun(db: DatabaseSync, r: NodeRunRow): void {
  db.prepare('INSERT INTO node_runs (started_at, first_seq, tool_version, runtime, settings, presented) VALUES (?, ?, ?, ?, ?, ?)')
    .run(r.startedAt, r.firstSeq, r.toolVersion, r.runtime, r.settings, r.presented);
}

/** Every run, oldest first (one row per node start: a few a day at most). */
export function listNodeRuns(db: DatabaseSync): NodeRunRow[] {
  return db.prepare('SELECT * FROM node_runs ORDER BY first_seq, id').all().map((r) => ({
    startedAt: Number(r.started_at), firstSeq: Number(r.first_seq), toolVersion: String(r.tool_version), runtime: String(r.runtime),
    settings: String(r.settings), presented: String(r.presented),
  }));
}
