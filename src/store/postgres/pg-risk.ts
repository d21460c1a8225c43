import type { DatabaseSync } from 'node:sqlite';
import { RISK_FACTORS } from '../risk.ts';
import type { RiskRun, ScoreAllInput } from '../risk.ts';
import { COLUMN, RISK_MATCHES, SqliteRiskStore, values } from '../sqlite/sources/risk-store.ts';
import { RiskRollup } from '../sqlite/sources/risk-rollup.ts';
import { copyLine } from './copy-text.ts';
import { PG_BATCH } from './pg-database.ts';
import type { SyncConnection } from './sync-connection.ts';

/** Scores per COPY (the path without scoreSql): bounds the text held at once. */
/** The longest table of log2 values sent with the scoring statement (8 bytes and ~19 characters each). */
const MAX_LOG2 = 1_000_000;
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
 * flight would never count 100. So the bound of an extension is read in a transaction of its own
 * under `LOCK TABLE deliveries IN SHARE MODE`: the lock waits for every transaction that has written
 * to deliveries (or any of its partitions: the lock recurses) to end, then is let go at once. At that
 * moment every id handed out so far is committed or rolled back for good, and every id handed out
 * after it is higher: the sequence (pg-partitions-001's deliveries_row_id) caches 1 value, so nextval
 * order is time order, and an insert takes its id after its table lock. The highest id then is the
 * bound: every delivery up to it is visible to every later snapshot, none will appear below it.
 * Writers (nodes, the centre's projection, counterseed synth) wait for that read only, not for the
 * extension (20 s for the first fill at 1,000,000 deliveries), which reads deliveries without a lock
 * on them; before, the extension ran under the lock and held every writer for its length.
 * The extension holds the rollup's watermark row (RiskRollup.refresh): a second scorer waits and then
 * starts from the watermark the first committed, so no delivery is added twice; an erasure's recount
 * (node/erasure.ts, RiskRollup.rebuild) takes the same row, so it runs before or after an extension,
 * never across it. The scoring itself then reads one REPEATABLE READ snapshot, in which the watermark
 * and the rollup agree, without any lock.
 */
export class PgRiskStore extends SqliteRiskStore {
  readonly #db: DatabaseSync;
  readonly #conn: SyncConnection;
  readonly #rollup: RiskRollup;
  constructor(db: DatabaseSync, conn: SyncConnection) { super(db, PG_BATCH); this.#db = db; this.#conn = conn; this.#rollup = new RiskRollup(db); }

  override scoreAll(input: ScoreAllInput): RiskRun {
    const db = this.#db;
    const committed = this.#transaction('BEGIN', () => {
      db.exec('LOCK TABLE deliveries IN SHARE MODE');
      return Number((db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM deliveries').get() as { n: number | string }).n);
    });
    this.#transaction('BEGIN', () => this.#rollup.refresh(committed));
    return this.#transaction('BEGIN ISOLATION LEVEL REPEATABLE READ', () => {
      const up = this.#rollup.watermark();
      const mr = db.prepare('SELECT id FROM source_match_runs ORDER BY id DESC LIMIT 1').get() as { id: number } | undefined;
      const matchRunId = mr ? Number(mr.id) : null;
      const p = { mr: matchRunId ?? -1 };
      const run = Number((db.prepare('INSERT INTO risk_runs (at, weights_version, weights, deliveries_up_to, match_run_id, ips) VALUES (?, ?, ?, ?, ?, 0) RETURNING id')
        .get(input.at, input.weightsVersion, input.weights, up, matchRunId) as { id: number }).id);
      // The rollup's factors, once (the scores read them, and #log2Values their largest value).
      db.exec(`CREATE TEMP TABLE risk_f ON COMMIT DROP AS ${RiskRollup.FACTORS}`);
      let ips: number;
      const log2 = input.scoreSql ? this.#log2Values(p) : undefined;
      if (input.scoreSql && log2) {
        // log2(n) = the n-th element of the array (a PostgreSQL array literal; JavaScript's shortest
        // decimal of a double reads back as that double): one O(1) subscript per factor and address.
        const lookup = (x: string) => `(CAST(:lg AS DOUBLE PRECISION[]))[(${x})::int]`;
        ips = db.prepare(`INSERT INTO risk_scores (run_id, ip, score, ${COLS})
          SELECT ${run}, x.ip, ${input.scoreSql((f) => `x.${COLUMN[f]}`, lookup)}, ${COLS} FROM (${FACTORS}) x`).run({ ...p, lg: `{${log2.join(',')}}` }).changes as number;
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
   * [Math.log2(1), Math.log2(2), ..., Math.log2(1 + the largest value a factor takes in this run)], for
   * the scores in SQL: PostgreSQL's own logarithms differ from Math.log2 in the last bit (riskScoreSql,
   * analysis/risk/factors.ts), and a stored score must be riskScore's to the bit. Undefined beyond
   * MAX_LOG2 values (an address with more deliveries than that): the scores are then made in JavaScript.
   * (A table of the values looked up per factor cost 8.9 s for 56,595 addresses, the planner scanning it.)
   */
  #log2Values(p: { mr: number }): number[] | undefined {
    const max = RISK_FACTORS.filter((f) => f !== 'sourceMatches').map((f) => `MAX(${COLUMN[f]})`).join(', ');
    const r = this.#db.prepare(`SELECT GREATEST(0, (SELECT MAX(n) FROM (${RISK_MATCHES}) m), ${max}) AS n FROM risk_f`).get(p) as { n: number | string | null };
    const n = 1 + Number(r.n ?? 0);
    return n > MAX_LOG2 ? undefined : Array.from({ length: n }, (_, i) => Math.log2(i + 1));
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
