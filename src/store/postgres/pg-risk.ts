import type { DatabaseSync } from 'node:sqlite';
import type { RiskRun, ScoreAllInput } from '../risk.ts';
import { RISK_MATCHES, SqliteRiskStore, values } from '../sqlite/sources/risk-store.ts';
import { copyLine } from './copy-text.ts';
import type { SyncConnection } from './sync-connection.ts';

const DAY = 86_400_000;

/*
 * The factors straight from the deliveries, one pass per run. (SQLite scores from its risk rollup,
 * store/sqlite/sources/risk-rollup.ts, extended from a watermark; it has no PostgreSQL twin yet.)
 */
/**
 * Each factor's count, over one address's deliveries that were not metadata-only (crawlers and
 * indexers fetch metadata only; they are not downloaders), up to the run's last delivery id.
 * Days are UTC days. The same definitions are written out in analysis/risk/factors.ts.
 */
const RISK_BASE = `
  SELECT remote_ip AS ip,
    COUNT(*) AS deliveries,
    COUNT(DISTINCT decoy_id) AS decoys,
    SUM(completed) AS completions,
    COUNT(DISTINCT started_at / ${DAY}) AS days_active,
    (MAX(started_at) - MIN(started_at)) / ${DAY} AS persistence_days,
    COUNT(DISTINCT COALESCE(network, 'bittorrent')) - 1 AS extra_networks,
    MIN(CASE WHEN completed = 1 THEN started_at END) AS first_warning_at
  FROM deliveries WHERE metadata_only = 0 AND id <= :up GROUP BY remote_ip`;
/** Distinct UTC days after the day of the first completed delivery (the warning was delivered whole) with a delivery. */
const RISK_RETURNS = `
  SELECT d.remote_ip AS ip, COUNT(DISTINCT d.started_at / ${DAY}) AS n
  FROM risk_base b CROSS JOIN deliveries d
  WHERE b.first_warning_at IS NOT NULL AND d.remote_ip = b.ip AND d.started_at >= (b.first_warning_at / ${DAY} + 1) * ${DAY}
    AND d.metadata_only = 0 AND d.id <= :up
  GROUP BY d.remote_ip`;
/**
 * Every scored address with its factor values, over the three results above named risk_base,
 * risk_returns and risk_matches (SQLite: temporary tables; PostgreSQL, postgres/pg-risk.ts: a WITH).
 */
const RISK_ROWS = `SELECT b.*, COALESCE(r.n, 0) AS returns_after_warning, COALESCE(m.n, 0) AS source_matches
  FROM risk_base b LEFT JOIN risk_returns r ON r.ip = b.ip LEFT JOIN risk_matches m ON m.ip = b.ip`;

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

  override scoreAll(input: ScoreAllInput): RiskRun {
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
