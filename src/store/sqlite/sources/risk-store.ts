import type { DatabaseSync } from 'node:sqlite';
import { SQLITE_BATCH, withBatchCache, type BatchCapabilities } from './batch-cache.ts';
import { RiskRollup } from './risk-rollup.ts';
import type { FactorRecords, FactorValues, RiskFactor, RiskReview, RiskRun, RiskScore, RiskStore, ScoreAllInput } from '../../risk.ts';

type Row = Record<string, unknown>;
const DAY = 86_400_000;

/** Imported records (other sources) matched to the address's deliveries in the match run (also PostgreSQL's, postgres/pg-risk.ts). */
export const RISK_MATCHES = `
  SELECT ip, COUNT(DISTINCT source_record_id) AS n FROM source_matches WHERE run_id = :mr AND other_kind = 'delivery' GROUP BY ip`;
const MATCHES = `CREATE TEMP TABLE risk_matches AS ${RISK_MATCHES}`;

const runRow = (r: Row): RiskRun => ({
  id: Number(r.id), at: Number(r.at), weightsVersion: String(r.weights_version), weights: String(r.weights), deliveriesUpTo: Number(r.deliveries_up_to),
  matchRunId: r.match_run_id === null ? null : Number(r.match_run_id), ips: Number(r.ips),
});

export const values = (r: Row): FactorValues => ({
  deliveries: Number(r.deliveries), decoys: Number(r.decoys), completions: Number(r.completions), daysActive: Number(r.days_active),
  persistenceDays: Number(r.persistence_days), returnsAfterWarning: Number(r.returns_after_warning), sourceMatches: Number(r.source_matches),
  extraNetworks: Number(r.extra_networks),
});

/** The risk_scores column of each factor. */
export const COLUMN: { readonly [F in RiskFactor]: string } = {
  deliveries: 'deliveries', decoys: 'decoys', completions: 'completions', daysActive: 'days_active', persistenceDays: 'persistence_days',
  returnsAfterWarning: 'returns_after_warning', sourceMatches: 'source_matches', extraNetworks: 'extra_networks',
};

/** RiskStore over the SQLite store's connection. */
export class SqliteRiskStore implements RiskStore {
  readonly #db: DatabaseSync;
  readonly #rollup: RiskRollup;
  readonly #batch: BatchCapabilities;
  /** `batch`: what the database has that the rollup's fill tunes. */
  constructor(db: DatabaseSync, batch = SQLITE_BATCH) { this.#db = db; this.#rollup = new RiskRollup(db); this.#batch = batch; }

  /**
   * Target (issue 14): every IP of 10,000,000 deliveries scored in <= 30 s. The factors come from the
   * risk rollup (risk-rollup.ts), extended first with the deliveries added since the last run, so a
   * run reads the deliveries only once; the score itself is computed by `input.score` (one formula, in
   * analysis/risk/factors.ts).
   */
  scoreAll(input: ScoreAllInput): RiskRun {
    const db = this.#db;
    // The catch-up in its own transaction (the first run after an upgrade reads every delivery), then
    // the run in one write transaction, so the rollup cannot move under it.
    withBatchCache(db, this.#batch, () => this.#write(() => this.#rollup.refresh()));
    return this.#write(() => {
      const up = this.#rollup.refresh();
      const mr = db.prepare('SELECT id FROM source_match_runs ORDER BY id DESC LIMIT 1').get();
      const matchRunId = mr ? Number(mr.id) : null;
      db.exec('DROP TABLE IF EXISTS temp.risk_matches');
      try {
        db.prepare(MATCHES).run({ mr: matchRunId ?? -1 });
        db.exec('CREATE UNIQUE INDEX temp.risk_matches_ip ON risk_matches(ip)');
        const run = Number(db.prepare('INSERT INTO risk_runs (at, weights_version, weights, deliveries_up_to, match_run_id, ips) VALUES (?, ?, ?, ?, ?, 0) RETURNING id')
          .get(input.at, input.weightsVersion, input.weights, up, matchRunId)!.id);
        const cols = 'deliveries, decoys, completions, days_active, persistence_days, returns_after_warning, source_matches, extra_networks, first_warning_at';
        const factors = `SELECT f.*, COALESCE(m.n, 0) AS source_matches FROM (${RiskRollup.FACTORS}) f LEFT JOIN risk_matches m ON m.ip = f.ip`;
        if (input.scoreSql) {
          // Every score in one statement: the formula as SQL, the same terms as riskScore (analysis/risk/factors.ts).
          const ips = Number(db.prepare(`INSERT INTO risk_scores (run_id, ip, score, ${cols})
            SELECT ${run}, x.ip, ${input.scoreSql((f) => `x.${COLUMN[f]}`)}, ${cols} FROM (${factors}) x WHERE true`).run().changes);
          db.prepare('UPDATE risk_runs SET ips = ? WHERE id = ?').run(ips, run);
          return this.run(run)!;
        }
        const ins = db.prepare(`INSERT INTO risk_scores (run_id, ip, score, ${cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
        let ips = 0;
        for (const r of db.prepare(factors).iterate()) {
          const v = values(r as Row);
          ins.run(run, String(r.ip), input.score(v), v.deliveries, v.decoys, v.completions, v.daysActive, v.persistenceDays, v.returnsAfterWarning,
            v.sourceMatches, v.extraNetworks, r.first_warning_at === null ? null : Number(r.first_warning_at));
          ips++;
        }
        db.prepare('UPDATE risk_runs SET ips = ? WHERE id = ?').run(ips, run);
        return this.run(run)!;
      } finally { db.exec('DROP TABLE IF EXISTS temp.risk_matches'); }
    });
  }

  /** Runs `fn` in a write transaction (BEGIN IMMEDIATE: the rollup's watermark is read and moved under the lock). */
  #write<T>(fn: () => T): T {
    const db = this.#db;
    db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      db.exec('COMMIT');
      return out;
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    }
  }

  latestRun(): RiskRun | undefined {
    const r = this.#db.prepare('SELECT * FROM risk_runs ORDER BY id DESC LIMIT 1').get();
    return r ? runRow(r as Row) : undefined;
  }

  run(id: number): RiskRun | undefined {
    const r = this.#db.prepare('SELECT * FROM risk_runs WHERE id = ?').get(id);
    return r ? runRow(r as Row) : undefined;
  }

  #scoreRow(r: Row): RiskScore {
    const rv = this.#db.prepare('SELECT * FROM risk_reviews WHERE run_id = ? AND ip = ? ORDER BY id DESC LIMIT 1').get(Number(r.run_id), String(r.ip));
    return {
      runId: Number(r.run_id), ip: String(r.ip), score: Number(r.score), values: values(r),
      firstWarningAt: r.first_warning_at === null ? null : Number(r.first_warning_at),
      review: rv ? { reviewedBy: String(rv.reviewed_by), reason: String(rv.reason), at: Number(rv.at) } : null,
    };
  }

  score(runId: number, ip: string): RiskScore | undefined {
    const r = this.#db.prepare('SELECT * FROM risk_scores WHERE run_id = ? AND ip = ?').get(runId, ip);
    return r ? this.#scoreRow(r as Row) : undefined;
  }

  top(runId: number, limit: number): RiskScore[] {
    return this.#db.prepare('SELECT * FROM risk_scores WHERE run_id = ? ORDER BY score DESC, ip LIMIT ?').all(runId, limit).map((r) => this.#scoreRow(r as Row));
  }

  factorRecords(run: RiskRun, ip: string, factor: RiskFactor, limit: number): FactorRecords {
    const where = 'remote_ip = :ip AND metadata_only = 0 AND id <= :up';
    const p = { ip, up: run.deliveriesUpTo, mr: run.matchRunId ?? -1 };
    const firstWarning = this.#db.prepare(`SELECT MIN(started_at) AS t FROM deliveries WHERE ${where} AND completed = 1`).get({ ip, up: run.deliveriesUpTo })!.t;
    // One id per counted thing: every delivery, the first delivery of each decoy / day / network, and so on.
    const sql: Record<RiskFactor, string> = {
      deliveries: `SELECT id FROM deliveries WHERE ${where} ORDER BY started_at, id`,
      decoys: `SELECT MIN(id) AS id FROM deliveries WHERE ${where} GROUP BY decoy_id ORDER BY 1`,
      completions: `SELECT id FROM deliveries WHERE ${where} AND completed = 1 ORDER BY started_at, id`,
      daysActive: `SELECT MIN(id) AS id FROM deliveries WHERE ${where} GROUP BY started_at / ${DAY} ORDER BY 1`,
      persistenceDays: `SELECT id FROM (SELECT id FROM deliveries WHERE ${where} ORDER BY started_at, id LIMIT 1) AS earliest
        UNION SELECT id FROM (SELECT id FROM deliveries WHERE ${where} ORDER BY started_at DESC, id DESC LIMIT 1) AS latest ORDER BY 1`,
      returnsAfterWarning: firstWarning === null ? 'SELECT NULL AS id WHERE 1 = 0'
        : `SELECT MIN(id) AS id FROM deliveries WHERE ${where} AND started_at >= ${(Math.floor(Number(firstWarning) / DAY) + 1) * DAY} GROUP BY started_at / ${DAY} ORDER BY 1`,
      sourceMatches: "SELECT DISTINCT source_record_id AS id FROM source_matches WHERE run_id = :mr AND ip = :ip AND other_kind = 'delivery' ORDER BY 1",
      extraNetworks: `SELECT MIN(id) AS id FROM deliveries WHERE ${where} GROUP BY COALESCE(network, 'bittorrent') ORDER BY 1`,
    };
    const text = sql[factor];
    // Only the parameters the statement names (node:sqlite refuses others).
    const params = Object.fromEntries(Object.entries(p).filter(([k]) => text.includes(`:${k}`)));
    const ids: number[] = [];
    let total = 0;
    for (const r of this.#db.prepare(text).iterate(params)) { if (total < limit) ids.push(Number(r.id)); total++; }
    return { ids, total };
  }

  review(runId: number, ip: string, review: RiskReview): void {
    this.#db.prepare('INSERT INTO risk_reviews (run_id, ip, reviewed_by, reason, at) VALUES (?, ?, ?, ?, ?)').run(runId, ip, review.reviewedBy, review.reason, review.at);
  }
}
