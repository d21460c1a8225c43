import type { DimensionRow } from '../store/intelligence.ts';
import type { Context } from './context.ts';
import { refreshIntel } from './intel-refresh.ts';

export interface WeekReach {
  /** Monday of the UTC week, YYYY-MM-DD. */
  readonly week: string;
  /** Distinct addresses with a delivery that was not metadata-only, that week. */
  readonly addresses: number;
  /** Of them, placed in a Norwegian municipality (an IP-geolocation estimate). */
  readonly placed: number;
  /** Distinct municipalities with at least one placed address. */
  readonly municipalities: number;
}

export interface WeeklyReach {
  readonly synthetic: boolean;
  readonly weeks: readonly WeekReach[];
  /** Per week and place (municipality number, or a "(...)" key for the rest): distinct addresses. */
  readonly byPlace: readonly DimensionRow[];
}

/**
 * Weekly reach from the week rollup (issue 11's rollups, intel-003: a year reads in
 * milliseconds at 1,000,000 deliveries where the plain queries behind `stats` take seconds): what
 * the overview's trend and the internal map show. Whole UTC weeks whose Monday is in [from, to).
 */
export function weeklyReach(ctx: Context, input: { readonly from: number; readonly to: number }): WeeklyReach {
  const refreshed = refreshIntel(ctx);
  const byPlace = ctx.store.intel.rollupUniqueIps('week', 'municipality', input.from, input.to);
  const weeks = new Map<string, { addresses: number; placed: number; municipalities: number }>();
  for (const r of byPlace) {
    const w = weeks.get(r.bucket) ?? { addresses: 0, placed: 0, municipalities: 0 };
    w.addresses += r.ips;
    if (/^\d{4}$/.test(r.key)) { w.placed += r.ips; w.municipalities++; }
    weeks.set(r.bucket, w);
  }
  return { synthetic: refreshed.purpose === 'synthetic', weeks: [...weeks].map(([week, w]) => ({ week, ...w })), byPlace };
}
