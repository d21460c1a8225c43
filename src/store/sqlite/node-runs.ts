import type { DatabaseSync } from 'node:sqlite';
import type { SessionProgressObservation } from '../../domain/observation.ts';
import { codecOf } from './record-tables/registry.ts';

/** A run of a node on this data directory (node_runs, sessions-001). */
export interface NodeRun {
  readonly id: number;
  readonly startedAt: number;
  readonly pid: number;
  /** session_progress rows written by this run have ids above this. */
  readonly progressFromId: number;
}

/**
 * SQL for node_runs and for the sessions a run left open (sessions-001). Bookkeeping, not evidence:
 * what it finds is written as chained unclean-shutdown and session-progress records.
 */
export class NodeRunsTable {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) { this.#db = db; }

  /** Runs never marked stopped nor recovered: each ended uncleanly (or is still running, which the data directory lock rules out). */
  unfinished(): NodeRun[] {
    return this.#db.prepare('SELECT id, started_at, pid, progress_from_id FROM node_runs WHERE stopped_at IS NULL AND recovered_at IS NULL ORDER BY id')
      .all().map((r) => ({ id: Number(r.id), startedAt: Number(r.started_at), pid: Number(r.pid), progressFromId: Number(r.progress_from_id) }));
  }

  begin(startedAt: number, pid: number): number {
    const from = Number(this.#db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM session_progress').get()!.n);
    return Number(this.#db.prepare('INSERT INTO node_runs (started_at, pid, progress_from_id) VALUES (?, ?, ?)').run(startedAt, pid, from).lastInsertRowid);
  }

  markStopped(id: number, at: number): void {
    this.#db.prepare('UPDATE node_runs SET stopped_at = ? WHERE id = ?').run(at, id);
  }

  markRecovered(id: number, at: number): void {
    this.#db.prepare('UPDATE node_runs SET recovered_at = ? WHERE id = ?').run(at, id);
  }

  /**
   * Sessions a run left open: the last session-progress record of each session the run recorded
   * (ids in (fromId, toId]), unless that record already says interrupted, or the session has its
   * final delivery record. At most the node's connection limit per run.
   */
  openSessions(fromId: number, toId: number): SessionProgressObservation[] {
    return codecOf('session-progress').query(this.#db,
      `id IN (SELECT MAX(id) FROM session_progress WHERE id > ? AND id <= ? GROUP BY session_id)
       AND phase <> 'interrupted' AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.session_id = session_progress.session_id)`,
      [fromId, toId], 'id', -1) as unknown as SessionProgressObservation[];
  }
}
