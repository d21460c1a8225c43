import type { DatabaseSync } from 'node:sqlite';
import { RISK_FACTORS } from '../risk.ts';
import type { RiskRun, ScoreAllInput } from '../risk.ts';
import { COLUMN, RISK_MATCHES, SqliteRiskStore, values } from '../sqlite/sources/risk-store.ts';
import { RiskRollup } from '../sqlite/sources/risk-rollup.ts';
import { copyLine } from './copy-text.ts';
import type { SyncConnection } from './sync-connection.ts';

/** Scores per COPY (the path without scoreSql): bounds the text held at once. */
const COPY_SLICE = 50_000;
const COLS = 'deliveries, decoys, completions, days_active, persistence_days, returns_after_warning, source_matches, extra_networks, first_warning_at';
/** Every factor per address: the rollup's, with the match run's matches (:mr). */
const FACTORS = `SELECT f.*, COALESCE(m.n, 0) AS source_matches FROM risk_f f LEFT JOIN (${RISK_MATCHES}) m ON m.ip = f.ip`;

/**
 * The RiskStore on PostgreSQL (tables: migrations/pg-sources-001.ts, pg-risk-001.ts): the SQLite
 * store's SQL over the PgDatabase facade, scoring from the same risk rollup (sqlite/sources/risk-rollup.ts,
 * run as written). Issue 14's target: every IP of 10,000,000 deliveries scored in <= 30 s.
 *
 * The watermark on deliveries.id. PostgreSQL hands out ids when a row is inserted and makes them
 * visible when its transaction commits, so ids commit out of order: a node's transaction holding id
 * 100 can commit after the centre's ingest committed id 101. A watermark moved to 101 while 100 is in
 * flight would never count 100. So the rollup is extended (refresh) only under
 * `LOCK TABLE deliveries IN SHARE MODE`: that lock waits for every transaction that has written to
 * deliveries (or any of its partitions: the lock recurses) to end, and holds back new writers until
 * the extension commits. Under it every id handed out so far is committed or rolled back for good,
 * and the ids handed out after it are higher: the sequence (pg-partitions-001's deliveries_row_id)
 * caches 1 value, so nextval order is time order, and an insert takes its id after its table lock.
 * Writers (nodes, the centre's ingest, counterseed synth) wait for the extension only: a few seconds
 * after a large import, otherwise the deliveries since the last run. The scoring itself then reads
 * one REPEATABLE READ snapshot, in which the watermark and the rollup agree, without the lock.
 * An erasure recounts its addresses in its own transaction (node/erasure.ts), which the lock also waits for.
 */
export class PgRiskStore extends SqliteRiskStore {
  readonly #db: DatabaseSync;
  readonly #conn: SyncConnection;
  readonly #rollup: RiskRollup;
  constructor(db: DatabaseSync, conn: SyncConnection) { super(db); this.#db = db; this.#conn = conn; this.#rollup = new RiskRollup(db); }

  override scoreAll(input: ScoreAllInput): RiskRun {
    const db = this.#db;
    this.#transaction('BEGIN', () => {
      db.exec('LOCK TABLE deliveries IN SHARE MODE');
      this.#rollup.refresh();
    });
    return this.#transaction('BEGIN ISOLATION LEVEL REPEATABLE READ', () => {
      const up = this.#rollup.watermark();
      const mr = db.prepare('SELECT id FROM source_match_runs ORDER BY id DESC LIMIT 1').get() as { id: number } | undefined;
      const matchRunId = mr ? Number(mr.id) : null;
      const p = { mr: matchRunId ?? -1 };
      const run = Number((db.prepare('INSERT INTO risk_runs (at, weights_version, weights, deliveries_up_to, match_run_id, ips) VALUES (?, ?, ?, ?, ?, 0) RETURNING id')
        .get(input.at, input.weightsVersion, input.weights, up, matchRunId) as { id: number }).id);
      // The rollup's factors, once (the scores read them, and the log2 table their distinct values).
      db.exec(`CREATE TEMP TABLE risk_f ON COMMIT DROP AS ${RiskRollup.FACTORS}`);
      let ips: number;
      if (input.scoreSql) {
        this.#log2Table(p);
        const lookup = (x: string) => `(SELECT l FROM risk_log2 WHERE n = CAST(${x} AS BIGINT))`;
        ips = db.prepare(`INSERT INTO risk_scores (run_id, ip, score, ${COLS})
          SELECT ${run}, x.ip, ${input.scoreSql((f) => `x.${COLUMN[f]}`, lookup)}, ${COLS} FROM (${FACTORS}) x`).run(p).changes as number;
      } else {
        const rows = db.prepare(FACTORS).all(p) as Record<string, unknown>[];
        for (let i = 0; i < rows.length; i += COPY_SLICE) {
          let text = '';
          for (const r of rows.slice(i, i + COPY_SLICE)) {
            const v = values(r);
            text += copyLine([run, String(r.ip), input.score(v), v.deliveries, v.decoys, v.completions, v.daysActive, v.persistenceDays, v.returnsAfterWarning,
              v.sourceMatches, v.extraNetworks, r.first_warning_at === null ? null : Number(r.first_warning_at)]);
          }
          this.#conn.copyInBackground(`COPY risk_scores (run_id, ip, score, ${COLS}) FROM STDIN`, text);
        }
        ips = rows.length;
      }
      db.prepare('UPDATE risk_runs SET ips = ? WHERE id = ?').run(ips, run);
      return this.run(run)!;
    });
  }

  /**
   * risk_log2 (n, l): l = Math.log2(n) for every 1 + value a factor takes in this run. PostgreSQL's own
   * logarithms differ from Math.log2 in the last bit (analysis/risk/factors.ts, riskScoreSql), and the
   * stored score must be riskScore's to the bit; a few thousand distinct values, looked up by key.
   */
  #log2Table(p: { mr: number }): void {
    const db = this.#db;
    const vals = RISK_FACTORS.filter((f) => f !== 'sourceMatches').map((f) => `(${COLUMN[f]})`).join(', ');
    const rows = db.prepare(`SELECT DISTINCT v FROM (SELECT 1 + v AS v FROM risk_f CROSS JOIN LATERAL (VALUES ${vals}) t(v)
      UNION SELECT 1 + n FROM (${RISK_MATCHES}) m UNION SELECT 1) u`).all(p) as { v: number | string }[];
    db.exec('CREATE TEMP TABLE risk_log2 (n BIGINT PRIMARY KEY, l DOUBLE PRECISION NOT NULL) ON COMMIT DROP');
    let text = '';
    for (const r of rows) { const n = Number(r.v); text += copyLine([n, Math.log2(n)]); }
    this.#conn.copyInBackground('COPY risk_log2 (n, l) FROM STDIN', text);
    db.exec('ANALYZE risk_log2');
  }

  #transaction<T>(begin: string, fn: () => T): T {
    const db = this.#db;
    db.exec(begin);
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }
}
