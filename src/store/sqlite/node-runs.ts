import type { DatabaseSync } from 'node:sqlite';
import type { NodeRunCatalog, NodeRunRow } from '../node-runs.ts';

export type { NodeRunRow };

/** node_runs (migration node-runs-001) over the store's own connection. */
export class SqliteNodeRuns implements NodeRunCatalog {
  readonly #db: DatabaseSync;
  constructor(db: DatabaseSync) { this.#db = db; }
  insert(r: NodeRunRow): void { insertNodeRun(this.#db, r); }
  list(): NodeRunRow[] { return listNodeRuns(this.#db); }
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
