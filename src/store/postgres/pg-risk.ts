import type { DatabaseSync } from 'node:sqlite';
import type { FactorValues, RiskRun } from '../risk.ts';
import { RISK_BASE, RISK_MATCHES, RISK_RETURNS, RISK_ROWS, SqliteRiskStore, values } from '../sqlite/sources/risk-store.ts';
import { copyLine } from './copy-text.ts';
import type { SyncConnection } from './sync-connection.ts';

/** Scores per COPY: bounds the text held at once. */
const COPY_SLICE = 50_000;
const COPY_SCORES = `COPY risk_scores (run_id, ip, score, deliveries, decoys, completions, days_active, persistence_days, returns_after_warning,
  source_matches, extra_networks, first_warning_at) FROM STDIN`;

/**
 * The RiskStore on PostgreSQL (tables: migrations/pg-sources-001.ts): the SQLite store's SQL over
 * the PgDatabase facade. Only scoring differs in form, not in SQL: PostgreSQL takes no parameters in
 * CREATE TABLE AS, so the three factor queries (RISK_BASE, RISK_RETURNS, RISK_MATCHES) are one WITH
 * read in one round trip instead of temporary tables, and the scores go back by COPY instead of one
 * INSERT (one round trip to the worker) per address. Issue 14's target: every IP scored in <= 30 s.
 */
export class PgRiskStore extends SqliteRiskStore {
  readonly #db: DatabaseSync;
  readonly #conn: SyncConnection;
  constructor(db: DatabaseSync, conn: SyncConnection) { super(db); this.#db = db; this.#conn = conn; }

  override scoreAll(input: { weights: string; weightsVersion: string; at: number; score: (v: FactorValues) => number }): RiskRun {
    const db = this.#db;
    const up = Number((db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM deliveries').get() as { n: number }).n);
    const mr = db.prepare('SELECT id FROM source_match_runs ORDER BY id DESC LIMIT 1').get() as { id: number } | undefined;
    const matchRunId = mr ? Number(mr.id) : null;
    const rows = db.prepare(`WITH risk_base AS (${RISK_BASE}), risk_returns AS (${RISK_RETURNS}), risk_matches AS (${RISK_MATCHES}) ${RISK_ROWS}`)
      .all({ up, mr: matchRunId ?? -1 }) as Record<string, unknown>[];
    db.exec('BEGIN');
    try {
      const run = Number((db.prepare('INSERT INTO risk_runs (at, weights_version, weights, deliveries_up_to, match_run_id, ips) VALUES (?, ?, ?, ?, ?, 0) RETURNING id')
        .get(input.at, input.weightsVersion, input.weights, up, matchRunId) as { id: number }).id);
      for (let i = 0; i < rows.length; i += COPY_SLICE) {
        let text = '';
        for (const r of rows.slice(i, i + COPY_SLICE)) {
          const v = values(r);
          text += copyLine([run, String(r.ip), input.score(v), v.deliveries, v.decoys, v.completions, v.daysActive, v.persistenceDays, v.returnsAfterWarning,
            v.sourceMatches, v.extraNetworks, r.first_warning_at === null ? null : Number(r.first_warning_at)]);
        }
        this.#conn.copyInBackground(COPY_SCORES, text);
      }
      db.prepare('UPDATE risk_runs SET ips = ? WHERE id = ?').run(rows.length, run);
      db.exec('COMMIT');
      return this.run(run)!;
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }
}
