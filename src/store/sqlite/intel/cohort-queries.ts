import type { DatabaseSync } from 'node:sqlite';
import type { CohortCount } from '../../intelligence.ts';
import { DAY_MS } from './sql-parts.ts';

const PAGE = 50_000;

type Grouping = 'none' | 'campaign' | 'language' | 'format';

/**
 * Deterrence cohorts (issue 11 item 4) from intel_ip_activity: per address the first exposure
 * (a completed, not metadata-only, delivery) and the first unexposed contact, and when it was
 * last seen (delivery or announce, any decoy). "Returned after h days" = last seen at or after
 * t0 + h days; only addresses whose t0 + h is at or before the end of the data are eligible.
 * The comparison group: addresses whose first contact came before any exposure (t0 = that contact).
 *
 * One pass over the rollup, counted here: the same counts as one GROUP BY in SQL (bench/intel.bench.ts
 * checks them against the plain query), but SQL's sort of (week, group, group, horizon) rows took
 * 3.9 s of the 5 s budget at 3 million deliveries.
 */
export function cohorts(db: DatabaseSync, from: number, to: number, horizons: readonly number[], groupBy: Grouping, dataEnd: number): CohortCount[] {
  const groupOf = decoyGroups(db, groupBy);
  const acc = new Map<number, { week: number; group: string; exposed: boolean; h: number; eligible: number; returned: number }>();
  // Counters keyed by a number (week, group, exposed, horizon) rather than a string built per
  // address and horizon: over the ~580,000 addresses of 10 million deliveries those strings and
  // their garbage were a fifth of the CPU (issue 11: cohorts over a year <= 5 s).
  const groupIds = new Map<string, number>();
  const count = (exposed: boolean, t0: number, decoy: number | null, last: number) => {
    if (t0 < from || t0 >= to) return;
    const day = Math.floor(t0 / DAY_MS);
    const week = day - ((day + 3) % 7);
    const group = groupBy === 'none' ? '' : (decoy !== null ? groupOf.get(decoy) : undefined) ?? '(none)';
    let g = groupIds.get(group);
    if (g === undefined) { g = groupIds.size; groupIds.set(group, g); }
    for (let i = 0; i < horizons.length; i++) {
      const h = horizons[i]!;
      if (t0 + h * DAY_MS > dataEnd) continue;
      const k = ((week * 65_536 + g) * 2 + (exposed ? 1 : 0)) * horizons.length + i;
      let a = acc.get(k);
      if (!a) { a = { week, group, exposed, h, eligible: 0, returned: 0 }; acc.set(k, a); }
      a.eligible++;
      if (last >= t0 + h * DAY_MS) a.returned++;
    }
  };
  // Paged by address id (50,000 rows a page): memory stays bounded, and on PostgreSQL each page is one round trip.
  const st = db.prepare(`SELECT ip_id, first_exposure_at, first_exposure_decoy, first_contact_at, first_contact_decoy, last_seen FROM intel_ip_activity
    WHERE ip_id > ? AND (first_exposure_at IS NOT NULL OR first_contact_at IS NOT NULL) ORDER BY ip_id LIMIT ${PAGE}`);
  st.setReturnArrays(true);
  for (let after = 0, page: unknown[][]; (page = st.all(after) as unknown as unknown[][]).length > 0; after = Number(page.at(-1)![0])) {
    for (const r of page) {
      const n = (v: unknown) => (v === null ? null : Number(v));
      const fx = n(r[1]);
      const fc = n(r[3]);
      const last = Number(r[5]);
      const fxd = n(r[2]);
      const fcd = n(r[4]);
      if (fx !== null) count(true, fx, fxd, last);
      if (fc !== null && (fx === null || fc < fx)) count(false, fc, fcd, last);
    }
  }
  return [...acc.values()]
    .sort((a, b) => a.week - b.week || a.group.localeCompare(b.group) || Number(b.exposed) - Number(a.exposed) || a.h - b.h)
    .map((a) => ({ cohortWeek: new Date(a.week * DAY_MS).toISOString().slice(0, 10), group: a.group, exposed: a.exposed, horizonDays: a.h, eligible: a.eligible, returned: a.returned }));
}

/** Each decoy's campaign, language or format (a few thousand decoys at most); one per decoy, as cohort-counts-sql.ts takes it. */
function decoyGroups(db: DatabaseSync, groupBy: Grouping): Map<number, string> {
  const out = new Map<number, string>();
  if (groupBy === 'none') return out;
  const col = groupBy === 'campaign' ? 'campaign_id' : groupBy === 'language' ? 'lang' : 'format';
  for (const r of db.prepare(`SELECT decoy_id, MIN(${col}) AS g FROM intel_decoy_dims GROUP BY decoy_id`).all()) if (r.g !== null) out.set(Number(r.decoy_id), String(r.g));
  return out;
}
