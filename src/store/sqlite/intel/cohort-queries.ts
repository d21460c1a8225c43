import type { DatabaseSync } from 'node:sqlite';
import type { CohortCount } from '../../intelligence.ts';
import { DAY_MS } from './sql-parts.ts';

const GROUP = { none: "''", campaign: "COALESCE(CAST(m.campaign_id AS TEXT), '(none)')", language: "COALESCE(m.lang, '(none)')", format: "COALESCE(m.format, '(none)')" } as const;

/**
 * Deterrence cohorts (issue 11 item 4) from intel_ip_activity: per address the first exposure
 * (a completed, not metadata-only, delivery) and the first unexposed contact, and when it was
 * last seen (delivery or announce, any decoy). "Returned after h days" = last seen at or after
 * t0 + h days; only addresses whose t0 + h is before the end of the data are eligible.
 * The comparison group: addresses whose first contact came before any exposure (t0 = that contact).
 */
export function cohorts(db: DatabaseSync, from: number, to: number, horizons: readonly number[], groupBy: keyof typeof GROUP, dataEnd: number): CohortCount[] {
  if (horizons.length === 0) return [];
  const h = horizons.map((x) => `(${Math.trunc(x)})`).join(', ');
  const join = groupBy === 'none' ? '' : 'LEFT JOIN intel_decoy_dims m ON m.decoy_id = b.decoy';
  return db.prepare(`WITH h(days) AS (VALUES ${h}),
    b AS (
      SELECT 1 AS exposed, first_exposure_at AS t0, first_exposure_decoy AS decoy, last_seen FROM intel_ip_activity
        WHERE first_exposure_at >= ?1 AND first_exposure_at < ?2
      UNION ALL
      SELECT 0, first_contact_at, first_contact_decoy, last_seen FROM intel_ip_activity
        WHERE first_contact_at >= ?1 AND first_contact_at < ?2 AND (first_exposure_at IS NULL OR first_contact_at < first_exposure_at)
    )
    SELECT date(b.t0 / 1000, 'unixepoch', '-6 days', 'weekday 1') AS week, ${GROUP[groupBy]} AS grp, b.exposed, h.days,
      COUNT(*) AS eligible, SUM(b.last_seen >= b.t0 + h.days * ${DAY_MS}) AS returned
    FROM b CROSS JOIN h ${join}
    WHERE b.t0 + h.days * ${DAY_MS} <= ?3
    GROUP BY week, grp, b.exposed, h.days ORDER BY week, grp, b.exposed DESC, h.days`).all(from, to, dataEnd)
    .map((r) => ({ cohortWeek: String(r.week), group: String(r.grp), exposed: r.exposed === 1, horizonDays: Number(r.days), eligible: Number(r.eligible), returned: Number(r.returned) }));
}
