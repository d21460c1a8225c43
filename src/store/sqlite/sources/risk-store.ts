import type { DatabaseSync } from 'node:sqlite';
import type { FactorRecords, FactorValues, RiskFactor, RiskReview, RiskRun, RiskScore, RiskStore } from '../../risk.ts';

type Row = Record<string, unknown>;
const DAY = 86_400_000;

/**
 * Each factor's count, over one address's deliveries that were not metadata-only (crawlers and
 * indexers fetch metadata only; they are not downloaders), up to the run's last delivery id.
 * Days are UTC days. The same definitions are written out in analysis/risk/factors.ts.
 */
export const RISK_BASE = `
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
export const RISK_RETURNS = `
  SELECT d.remote_ip AS ip, COUNT(DISTINCT d.started_at / ${DAY}) AS n
  FROM risk_base b CROSS JOIN deliveries d
  WHERE b.first_warning_at IS NOT NULL AND d.remote_ip = b.ip AND d.started_at >= (b.first_warning_at / ${DAY} + 1) * ${DAY}
    AND d.metadata_only = 0 AND d.id <= :up
  GROUP BY d.remote_ip`;
/** Imported records (other sources) matched to the address's deliveries in the match run. */
export const RISK_MATCHES = `
  SELECT ip, COUNT(DISTINCT source_record_id) AS n FROM source_matches WHERE run_id = :mr AND other_kind = 'delivery' GROUP BY ip`;
/**
 * Every scored address with its factor values, over the three results above named risk_base,
 * risk_returns and risk_matches (SQLite: temporary tables; PostgreSQL, postgres/pg-risk.ts: a WITH).
 */
export const RISK_ROWS = `SELECT b.*, COALESCE(r.n, 0) AS returns_after_warning, COALESCE(m.n, 0) AS source_matches
  FROM risk_base b LEFT JOIN risk_returns r ON r.ip = b.ip LEFT JOIN risk_matches m ON m.ip = b.ip`;

const runRow = (r: Row): RiskRun => ({
  id: Number(r.id), at: Number(r.at), weightsVersion: String(r.weights_version), weights: String(r.weights), deliveriesUpTo: Number(r.deliveries_up_to),
  matchRunId: r.match_run_id === null ? null : Number(r.match_run_id), ips: Number(r.ips),
});

export const values = (r: Row): FactorValues => ({
  deliveries: Number(r.deliveries), decoys: Number(r.decoys), completions: Number(r.completions), daysActive: Number(r.days_active),
  persistenceDays: Number(r.persistence_days), returnsAfterWarning: Number(r.returns_after_warning), sourceMatches: Number(r.source_matches),
  extraNetworks: Number(r.extra_networks),
});

/** RiskStore over the SQLite store's connection. */
export class SqliteRiskStore implements RiskStore {
  readonly #db: DatabaseSync;
  constructor(db: DatabaseSync) { this.#db = db; }

  /**
   * The factor values of every address come from RISK_ROWS (one pass over the deliveries); each
   * score is computed here, in JavaScript, by `input.score`, and stored with its values.
   */
  scoreAll(input: { weights: string; weightsVersion: string; at: number; score: (v: FactorValues) => number }): RiskRun {
    const db = this.#db;
    const up = Number(db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM deliveries').get()!.n);
    const mr = db.prepare('SELECT id FROM source_match_runs ORDER BY id DESC LIMIT 1').get();
    const matchRunId = mr ? Number(mr.id) : null;
    db.exec('DROP TABLE IF EXISTS temp.risk_base; DROP TABLE IF EXISTS temp.risk_returns; DROP TABLE IF EXISTS temp.risk_matches');
    db.prepare(`CREATE TEMP TABLE risk_base AS ${RISK_BASE}`).run({ up });
    db.exec('CREATE UNIQUE INDEX temp.risk_base_ip ON risk_base(ip)');
    db.prepare(`CREATE TEMP TABLE risk_returns AS ${RISK_RETURNS}`).run({ up });
    db.prepare(`CREATE TEMP TABLE risk_matches AS ${RISK_MATCHES}`).run({ mr: matchRunId ?? -1 });
    db.exec('BEGIN IMMEDIATE');
    try {
      const run = Number(db.prepare('INSERT INTO risk_runs (at, weights_version, weights, deliveries_up_to, match_run_id, ips) VALUES (?, ?, ?, ?, ?, 0) RETURNING id')
        .get(input.at, input.weightsVersion, input.weights, up, matchRunId)!.id);
      const ins = db.prepare(`INSERT INTO risk_scores (run_id, ip, score, deliveries, decoys, completions, days_active, persistence_days, returns_after_warning,
        source_matches, extra_networks, first_warning_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      let ips = 0;
      for (const r of db.prepare(RISK_ROWS).iterate()) {
        const v = values(r as Row);
        ins.run(run, String(r.ip), input.score(v), v.deliveries, v.decoys, v.completions, v.daysActive, v.persistenceDays, v.returnsAfterWarning,
          v.sourceMatches, v.extraNetworks, r.first_warning_at === null ? null : Number(r.first_warning_at));
        ips++;
      }
      db.prepare('UPDATE risk_runs SET ips = ? WHERE id = ?').run(ips, run);
      db.exec('COMMIT');
      return this.run(run)!;
    } catch (e) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw e;
    } finally {
      db.exec('DROP TABLE IF EXISTS temp.risk_base; DROP TABLE IF EXISTS temp.risk_returns; DROP TABLE IF EXISTS temp.risk_matches');
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
