import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { ByteRange, SessionProgressObservation } from '../../domain/observation.ts';
import { parseRanges, unionRanges } from '../ranges.ts';
import { codecOf } from './record-tables/registry.ts';
import { prepareAll } from './statements.ts';

/** Where a row's values hold the fields track() reads (the fields' order in their record tables). */
const fieldIndex = (kind: string, name: string) => codecOf(kind).spec.fields.findIndex((f) => f.name === name);
const DELIVERY_SESSION = fieldIndex('delivery', 'sessionId');
const PROGRESS_SESSION = fieldIndex('session-progress', 'sessionId');
const PROGRESS_PHASE = fieldIndex('session-progress', 'phase');

import type { NodeRun, RunMarkers } from '../evidence-log.ts';

export type { NodeRun };

/**
 * SQL for run_markers and open_sessions (sessions-001). Bookkeeping, not evidence: what it finds is
 * written as chained unclean-shutdown and session-progress records. (node_runs, node-runs-001, is
 * the other view of a run: what it presented to the network, for exports.)
 */
export class RunMarkersTable implements RunMarkers {
  readonly #db: DatabaseSync;
  readonly #st;

  constructor(db: DatabaseSync) {
    this.#db = db;
    this.#st = prepareAll(db, {
      open: 'INSERT OR IGNORE INTO open_sessions (session_id) VALUES (?)',
      closed: 'DELETE FROM open_sessions WHERE session_id = ?',
      unfinished: 'SELECT id, started_at, pid, progress_from_id FROM run_markers WHERE stopped_at IS NULL AND recovered_at IS NULL ORDER BY id',
      lastProgress: 'SELECT COALESCE(MAX(id), 0) AS n FROM session_progress',
      begin: 'INSERT INTO run_markers (started_at, pid, progress_from_id) VALUES (?, ?, ?)',
      stopped: 'UPDATE run_markers SET stopped_at = ? WHERE id = ?',
      recovered: 'UPDATE run_markers SET recovered_at = ? WHERE id = ?',
      ranges: 'SELECT new_ranges FROM session_progress WHERE session_id = ?',
    });
  }

  /** Runs never marked stopped nor recovered: each ended uncleanly (or is still running, which the data directory lock rules out). */
  unfinished(): NodeRun[] {
    return this.#st.unfinished.all().map((r) => ({ id: Number(r.id), startedAt: Number(r.started_at), pid: Number(r.pid), progressFromId: Number(r.progress_from_id) }));
  }

  begin(startedAt: number, pid: number): number {
    const from = Number(this.#st.lastProgress.get()!.n);
    return Number(this.#st.begin.run(startedAt, pid, from).lastInsertRowid);
  }

  markStopped(id: number, at: number): void {
    this.#st.stopped.run(at, id);
  }

  markRecovered(id: number, at: number): void {
    this.#st.recovered.run(at, id);
  }

  /** Keeps open_sessions in step with rows being written (call inside their transaction): open adds, delivery or interrupted removes. */
  track(rows: readonly { readonly kind: string; readonly values: readonly SQLInputValue[] }[]): void {
    for (const r of rows) {
      if (r.kind === 'delivery') this.#st.closed.run(r.values[DELIVERY_SESSION]!);
      else if (r.kind === 'session-progress') {
        const phase = r.values[PROGRESS_PHASE];
        if (phase === 'open') this.#st.open.run(r.values[PROGRESS_SESSION]!);
        else if (phase === 'interrupted') this.#st.closed.run(r.values[PROGRESS_SESSION]!);
      }
    }
  }

  /** Every range a session's progress records name, coalesced: what it is known to have been served. */
  rangesOf(sessionId: string): ByteRange[] {
    const rows = this.#st.ranges.all(sessionId);
    return unionRanges(rows.map((r) => parseRanges(String(r.new_ranges))));
  }

  /**
   * Sessions a run left open: the last session-progress record of each session in open_sessions
   * whose open record the run wrote (ids in (fromId, toId]). At most the node's connection limit,
   * plus the sessions that ended in its last flush interval.
   */
  openSessions(fromId: number, toId: number): SessionProgressObservation[] {
    return codecOf('session-progress').query(this.#db,
      `id IN (SELECT (SELECT MAX(p.id) FROM session_progress p WHERE p.session_id = o.session_id) FROM open_sessions o
              WHERE (SELECT MIN(p.id) FROM session_progress p WHERE p.session_id = o.session_id) BETWEEN ? + 1 AND ?)`,
      [fromId, toId], 'id', -1) as unknown as SessionProgressObservation[];
  }
}
