import type { IpAssessor } from '../analysis/enrichment/enricher.ts';
import { newcombeDifference, wilson, type Interval } from '../analysis/deterrence/intervals.ts';
import type { CohortCount, DataPurpose } from '../store/intelligence.ts';
import type { Context } from './context.ts';
import { refreshIntel } from './intel-refresh.ts';
import { VersionedCache } from './versioned-cache.ts';

export type CohortGrouping = 'none' | 'campaign' | 'language' | 'format';

export interface CohortInput {
  readonly from?: number;
  readonly to?: number;
  readonly horizons?: readonly number[];
  readonly groupBy?: CohortGrouping;
  readonly enricher?: IpAssessor;
}

export interface Rate { readonly eligible: number; readonly returned: number; readonly rate: number; readonly ci95: Interval }
export interface CohortLine {
  /** Monday of the cohort week, or 'all' for the total over the window. */
  readonly cohortWeek: string;
  readonly group: string;
  readonly horizonDays: number;
  readonly exposed: Rate;
  readonly comparison: Rate;
  /** exposed rate - comparison rate, with Newcombe's 95% interval. */
  readonly difference: { readonly value: number; readonly ci95: Interval };
}

export interface CohortReport {
  readonly purpose: DataPurpose | undefined;
  readonly synthetic: boolean;
  readonly identity: string;
  readonly definitions: readonly string[];
  readonly dataEnd: number | undefined;
  readonly totals: readonly CohortLine[];
  readonly weeks: readonly CohortLine[];
  readonly caveats: readonly string[];
}

export const COHORT_DEFINITIONS = [
  'Exposure: a completed delivery of the warning (not metadata-only). Cohort: the UTC week (from Monday) of an address\'s first exposure.',
  'Comparison group: addresses whose first contact with a decoy came before any exposure (metadata-only, or disconnected before the warning could play); their day 0 is that contact.',
  'Returned after N days: the same address seen again (a delivery or a tracker announce, on any decoy) at or after day 0 + N days. Only addresses whose day 0 + N is before the end of the data count (eligible).',
  'Intervals: Wilson 95% for each rate, Newcombe\'s hybrid score 95% for the difference.',
];

export const COHORT_CAVEATS = [
  'Identity is the IP address. Dynamic addresses make a returning person look new (returns undercounted); CGNAT puts many subscribers behind one address (returns overcounted, and one exposed subscriber "returns" when a neighbour connects).',
  'A return is seeing the address again on OUR decoys: someone who keeps downloading elsewhere, or who switched network, is not seen. A lower return rate after a warning may be deterrence, or avoidance of these decoys.',
  'The groups are not randomised: who completes a download and who disconnects early may differ in ways that also change return rates. The difference is an association, not a measured effect.',
  'An address first contacted without exposure and exposed later is in both groups (from its contact, and from its exposure).',
];

/**
 * Reports already computed, per store, by input, with the data version they were computed at.
 * Target (issue 13 benchmarks): API p95 <= 100 ms; a year's cohorts take ~0.4-0.6 s at 1,000,000
 * deliveries (one pass over the per-address activity), and the answer only changes when the
 * rollups take in new records, erasure removes an address, or decoys are added: then the version
 * differs and the report is computed again. Bounded: 32 inputs per store.
 */
const REPORTS = new VersionedCache<CohortReport>(32);

/**
 * `counterseed cohorts` (issue 11 item 4): return rates of exposed addresses against the comparison
 * group. Brings the rollups up to date first, then answers from the cache when the data version is
 * the one the cached report was computed at (equal to computing it again: test/unit/app/intel/cohorts-cache.test.ts).
 */
export function cohorts(ctx: Context, input: CohortInput = {}): CohortReport {
  const refreshed = refreshIntel(ctx, input.enricher ? { enricher: input.enricher } : {});
  const intel = ctx.store.intel;
  const version = `${refreshed.purpose ?? ''} ${intel.cohortDataVersion()}`;
  const key = JSON.stringify([input.from ?? null, input.to ?? null, input.horizons ?? null, input.groupBy ?? 'none']);
  return REPORTS.get(intel, key, version, () => computeCohorts(ctx, input, refreshed.purpose));
}

/** The report computed from the rollups as they are now (no cache; cohorts() refreshes them first). */
export function computeCohorts(ctx: Context, input: CohortInput, purpose: DataPurpose | undefined): CohortReport {
  const horizons = input.horizons ?? [1, 7, 30, 90];
  const intel = ctx.store.intel;
  const dataEnd = intel.lastActivityAt();
  const counts = dataEnd === undefined ? [] : intel.cohorts(input.from ?? 0, input.to ?? 8.64e15, horizons, input.groupBy ?? 'none', dataEnd);
  const weeks = combine(counts, (c) => `${c.cohortWeek}|${c.group}|${c.horizonDays}`);
  const totals = combine(counts, (c) => `all|${c.group}|${c.horizonDays}`);
  return {
    purpose, synthetic: purpose === 'synthetic', identity: 'IP address (peer ids are not stable across client restarts, so they are not used)',
    definitions: COHORT_DEFINITIONS, dataEnd, totals, weeks, caveats: COHORT_CAVEATS,
  };
}

function combine(counts: readonly CohortCount[], keyOf: (c: CohortCount) => string): CohortLine[] {
  const acc = new Map<string, { week: string; group: string; h: number; e: [number, number]; c: [number, number] }>();
  for (const c of counts) {
    const k = keyOf(c);
    const a = acc.get(k) ?? { week: k.split('|')[0]!, group: c.group, h: c.horizonDays, e: [0, 0], c: [0, 0] };
    const t = c.exposed ? a.e : a.c;
    t[0] += c.eligible;
    t[1] += c.returned;
    acc.set(k, a);
  }
  const rate = ([n, r]: [number, number]): Rate => ({ eligible: n, returned: r, rate: n === 0 ? 0 : r / n, ci95: wilson(r, n) });
  return [...acc.values()].map((a) => {
    const d = newcombeDifference(a.e[1], a.e[0], a.c[1], a.c[0]);
    return { cohortWeek: a.week, group: a.group, horizonDays: a.h, exposed: rate(a.e), comparison: rate(a.c), difference: { value: d.difference, ci95: { low: d.low, high: d.high } } };
  }).sort((x, y) => x.cohortWeek.localeCompare(y.cohortWeek) || x.group.localeCompare(y.group) || x.horizonDays - y.horizonDays);
}
