import type { IntelDialect } from '../sqlite/intel/intel-dialect.ts';
import { weekDaySql } from '../sqlite/intel/intel-dialect.ts';

const utc = (msCol: string) => `(to_timestamp(${msCol} / 1000.0) AT TIME ZONE 'UTC')`;
const day = (d: string) => `(DATE '1970-01-01' + (${d})::int)`;

/** The intelligence SQL's date arithmetic in PostgreSQL (sqlite/intel/intel-dialect.ts says what each part means). */
export const PG_INTEL: IntelDialect = {
  bucketLabel(col, period) {
    switch (period) {
      case 'day': return `to_char(${utc(col)}, 'YYYY-MM-DD')`;
      case 'week': return `to_char(${day(weekDaySql(col))}, 'YYYY-MM-DD')`;
      case 'month': return `to_char(${utc(col)}, 'YYYY-MM')`;
      case 'year': return `to_char(${utc(col)}, 'YYYY')`;
    }
  },
  bucketDay(col, period) {
    if (period === 'week') return weekDaySql(col);
    return `(date_trunc('${period}', ${utc(col)})::date - DATE '1970-01-01')`;
  },
  dayLabel(d, period) {
    return `to_char(${day(d)}, '${period === 'week' ? 'YYYY-MM-DD' : period === 'month' ? 'YYYY-MM' : 'YYYY'}')`;
  },
  least: (a, b) => `LEAST(${a}, ${b})`,
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  // Ids come from sequences, handed out before commit: a writer could commit id 10 after the refresh
  // read MAX(id) = 11 and moved its mark past it for ever. SHARE mode waits for every open insert
  // to commit and holds new ones off for the refresh (seconds), so every id up to MAX(id) is final.
  refreshLock: ['LOCK TABLE deliveries, tracker_announces IN SHARE MODE'],
  // ROW EXCLUSIVE (what any insert or delete takes) conflicts with the refresh's SHARE: a refresh under
  // way is waited for, and none starts until the erasure's transaction ends. Writers are not held up.
  eraseLock: ['LOCK TABLE deliveries, tracker_announces IN ROW EXCLUSIVE MODE'],
  // Records shipped by nodes (centre_segments, pg-centre-007) become observation rows, once, before the marks are read (pg-centre-005; in chunks, pg-centre-007).
  marksFrom: 'cs_intel_marks()',
  // Cohorts over a year at 10,000,000 deliveries (target <= 5 s): ~580,000 activity rows through the
  // synchronous connection took longer than PostgreSQL's hash aggregate of them (cohort-counts-sql.ts).
  cohortsInSql: true,
};
