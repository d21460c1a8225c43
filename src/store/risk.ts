/**
 * Explainable risk assessments (issue 14 §3): per IP, the factor values counted from the records,
 * stored with the weights (and their version) they were scored with, and the human review that
 * turns a draft into a reviewed assessment. Never evidence, never chained.
 * SQLite: sqlite/sources/risk-store.ts (migrations sources-001, risk-001); PostgreSQL: the same SQL, postgres/pg-risk.ts (pg-sources-001, pg-risk-001).
 */

/** The factors, in display order. Their meaning is in analysis/risk/factors.ts. */
export const RISK_FACTORS = ['deliveries', 'decoys', 'completions', 'daysActive', 'persistenceDays', 'returnsAfterWarning', 'sourceMatches', 'extraNetworks'] as const;
export type RiskFactor = (typeof RISK_FACTORS)[number];
export type FactorValues = { readonly [F in RiskFactor]: number };

export interface RiskRun {
  readonly id: number;
  readonly at: number;
  readonly weightsVersion: string;
  /** Canonical `name=weight,...` text of the weights used. */
  readonly weights: string;
  /** The deliveries counted: id <= this. */
  readonly deliveriesUpTo: number;
  /** The match run whose matches were counted, if any. */
  readonly matchRunId: number | null;
  readonly ips: number;
}

export interface RiskScore {
  readonly runId: number;
  readonly ip: string;
  readonly score: number;
  readonly values: FactorValues;
  /** UTC ms of the first delivery after which the address counts as warned (a completed delivery), or null. */
  readonly firstWarningAt: number | null;
  readonly review: RiskReview | null;
}

export interface RiskReview {
  readonly reviewedBy: string;
  readonly reason: string;
  readonly at: number;
}

export interface FactorRecords {
  /** Delivery ids (or, for sourceMatches, imported record ids) behind the value, up to the limit asked. */
  readonly ids: readonly number[];
  readonly total: number;
}

export interface ScoreAllInput {
  readonly weights: string;
  readonly weightsVersion: string;
  readonly at: number;
  readonly score: (v: FactorValues) => number;
  /**
   * Optional: the same score as an SQL expression (log2, +, *) over the columns `col` names, with log2
   * spelt by `log2` (default: SQLite's log2()), for a store to score in one statement; a store may
   * always use `score` instead.
   */
  readonly scoreSql?: (col: (f: RiskFactor) => string, log2?: (x: string) => string) => string;
}

export interface RiskStore {
  /**
   * Counts every factor for every IP with a delivery (metadata-only sessions left out), scores each
   * with `score`, and stores the run. Returns it.
   */
  scoreAll(input: ScoreAllInput): RiskRun;
  latestRun(): RiskRun | undefined;
  run(id: number): RiskRun | undefined;
  /** The IP's score in a run. */
  score(runId: number, ip: string): RiskScore | undefined;
  /** Highest first. */
  top(runId: number, limit: number): RiskScore[];
  /** The records behind one factor's value for `ip` in `run`, up to `limit` ids. */
  factorRecords(run: RiskRun, ip: string, factor: RiskFactor, limit: number): FactorRecords;
  /** Marks the IP's score in the run reviewed. */
  review(runId: number, ip: string, review: RiskReview): void;
}
