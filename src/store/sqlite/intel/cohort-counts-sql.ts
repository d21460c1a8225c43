import type { DatabaseSync } from 'node:sqlite';
import type { CohortCount } from '../../intelligence.ts';
import { DAY_MS, weekDaySql } from './intel-dialect.ts';

type Grouping = 'none' | 'campaign' | 'language' | 'format';

/**
 * The deterrence cohorts' counts (cohort-queries.ts says what they mean) as one GROUP BY in the
 * store, for PostgreSQL: the rows that leave the server are one per (week, group, exposed), not
 * one per address. Target (issue 11, on PostgreSQL per issue 12): cohorts over a year <= 5 s at
 * 10,000,000 deliveries. Reading intel_ip_activity's ~580,000 rows through the synchronous
 * connection cost the client ~22 us a row at load 15 (pg's row parsing, then the copy from the
 * worker thread), 7.0 s in the bench at 4,000,000 deliveries, while PostgreSQL hashes the groups
 * without a sort. SQLite keeps counting in JavaScript (its GROUP BY sorts: 3.9 s at 3,000,000).
 * Each horizon is a pair of columns (eligible, returned), so every address is one row of the
 * aggregate. The same SQL runs on both stores (test/unit/store/postgres/synth-same-rows.test.ts
 * compares it with the JavaScript counts on both).
 */
export function cohortCountsSql(db: DatabaseSync, from: number, to: number, horizons: readonly number[], groupBy: Grouping, dataEnd: number): CohortCount[] {
  for (const h of horizons) if (!Number.isSafeInteger(h) || h < 0) throw new RangeError(`horizon ${h}: a whole number of days`);
  const col = groupBy === 'campaign' ? 'campaign_id' : groupBy === 'language' ? 'lang' : 'format';
  // One group per decoy (a decoy in two campaign items counts once), as decoyGroups() reads them.
  const group = groupBy === 'none' ? "''" : "COALESCE(CAST(m.g AS TEXT), '(none)')";
  const join = groupBy === 'none' ? '' : `LEFT JOIN (SELECT decoy_id, MIN(${col}) AS g FROM intel_decoy_dims GROUP BY decoy_id) m ON m.decoy_id = c.decoy`;
  const sums = horizons.map((h, i) => {
    const due = `c.t0 + ${h * DAY_MS}`;
    return `SUM(CASE WHEN ${due} <= ? THEN 1 ELSE 0 END) AS e${i}, SUM(CASE WHEN ${due} <= ? AND c.last >= ${due} THEN 1 ELSE 0 END) AS r${i}`;
  });
  const rows = db.prepare(`SELECT c.week AS week, ${group} AS grp, c.exposed AS exposed${sums.map((s) => `, ${s}`).join('')}
    FROM (SELECT ${weekDaySql('first_exposure_at')} AS week, 1 AS exposed, first_exposure_at AS t0, first_exposure_decoy AS decoy, last_seen AS last
        FROM intel_ip_activity WHERE first_exposure_at >= ? AND first_exposure_at < ?
      UNION ALL
      SELECT ${weekDaySql('first_contact_at')}, 0, first_contact_at, first_contact_decoy, last_seen
        FROM intel_ip_activity WHERE first_contact_at >= ? AND first_contact_at < ? AND (first_exposure_at IS NULL OR first_contact_at < first_exposure_at)) c
    ${join}
    GROUP BY 1, 2, 3`).all(...horizons.flatMap(() => [dataEnd, dataEnd]), from, to, from, to);
  const out: CohortCount[] = [];
  for (const r of rows) {
    const week = Number(r.week);
    for (let i = 0; i < horizons.length; i++) {
      const eligible = Number(r[`e${i}`]);
      if (eligible === 0) continue;
      out.push({ cohortWeek: new Date(week * DAY_MS).toISOString().slice(0, 10), group: String(r.grp), exposed: Number(r.exposed) === 1, horizonDays: horizons[i]!, eligible, returned: Number(r[`r${i}`]) });
    }
  }
  // The order cohort-queries.ts gives: week, group, exposed first, horizon.
  return out.sort((a, b) => a.cohortWeek.localeCompare(b.cohortWeek) || a.group.localeCompare(b.group) || Number(b.exposed) - Number(a.exposed) || a.horizonDays - b.horizonDays);
}
