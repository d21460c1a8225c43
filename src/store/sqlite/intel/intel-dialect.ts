import type { Period, RollupPeriod } from '../../intelligence.ts';

export type { RollupPeriod };

export const DAY_MS = 86_400_000;

export const ROLLUP_PERIODS: readonly RollupPeriod[] = ['week', 'month', 'year'];

/**
 * The date arithmetic the intelligence SQL needs, in each store's spelling: everything else in
 * sqlite/intel/ is SQL both SQLite and PostgreSQL run as written (through postgres/pg-database.ts).
 * Buckets are UTC; a bucket's key is the day number (days since 1970-01-01) of its first day: a
 * week's Monday, a month's 1st, a year's 1 January.
 */
export interface IntelDialect {
  /** The bucket label ('YYYY-MM-DD' for day and week, 'YYYY-MM', 'YYYY') of a UTC ms column. */
  bucketLabel(msCol: string, period: Period): string;
  /** The day number of the first day of the bucket holding a UTC ms column. */
  bucketDay(msCol: string, period: RollupPeriod): string;
  /** The label of a bucket given as its first day's number. */
  dayLabel(dayCol: string, period: RollupPeriod): string;
  /** The smaller / larger of two non-null values. */
  least(a: string, b: string): string;
  greatest(a: string, b: string): string;
  /** Statements run at the start of a rollup refresh, in its transaction, before the high-water marks are read. */
  readonly refreshLock: readonly string[];
  /**
   * Statements run at the start of an erasure transaction that corrects the rollups, before it reads
   * their high-water marks: no refresh may move a mark past records the erasure is taking out.
   */
  readonly eraseLock: readonly string[];
  /**
   * A set-returning function that answers the rollups' high-water marks (wd, wa, td, ta) in place of the
   * plain query, after work of its own: on PostgreSQL, projecting the centre's shipped records (pg-centre-005),
   * in the same round trip.
   */
  readonly marksFrom?: string;
  /**
   * Count the deterrence cohorts in SQL (cohort-counts-sql.ts) rather than page every address's
   * activity row to the caller (cohort-queries.ts): for a networked store, where each row crosses
   * the connection, and whose GROUP BY hashes instead of sorting.
   */
  readonly cohortsInSql?: boolean;
}

/** Monday on or before the UTC day of `ms`, as days since 1970-01-01 (a Thursday): plain integer arithmetic, the same in both stores. */
export const weekDaySql = (col: string) => `((${col} / ${DAY_MS}) - (((${col} / ${DAY_MS}) + 3) % 7))`;

export const SQLITE_INTEL: IntelDialect = {
  bucketLabel(col, period) {
    const t = `${col} / 1000, 'unixepoch'`;
    switch (period) {
      case 'day': return `strftime('%Y-%m-%d', ${t})`;
      // 'weekday 1' moves forward to the next Monday (or stays on one): from six days back, that is this week's Monday.
      case 'week': return `date(${t}, '-6 days', 'weekday 1')`;
      case 'month': return `strftime('%Y-%m', ${t})`;
      case 'year': return `strftime('%Y', ${t})`;
    }
  },
  bucketDay(col, period) {
    if (period === 'week') return weekDaySql(col);
    return `CAST(julianday(${col} / 1000, 'unixepoch', 'start of ${period}') - 2440587.5 AS INTEGER)`;
  },
  dayLabel(day, period) {
    const f = period === 'week' ? '%Y-%m-%d' : period === 'month' ? '%Y-%m' : '%Y';
    return `strftime('${f}', ${day} * 86400, 'unixepoch')`;
  },
  least: (a, b) => `MIN(${a}, ${b})`,
  greatest: (a, b) => `MAX(${a}, ${b})`,
  // BEGIN IMMEDIATE already holds SQLite's one write lock: no row can be added below the marks read.
  refreshLock: [],
  eraseLock: [],
};
