import type { Context } from './context.ts';
import { refreshIntel } from './intel-refresh.ts';
import { publicMap, type PublicMap } from './public-map.ts';

/**
 * Target (issue 13 benchmarks): API p95 <= 100 ms. Drawing the all-time public map costs ~635 ms CPU at
 * 10,000,000 deliveries (bench/public-map.bench.ts: the store's statement over ~560,000 year pairs, then
 * the boundaries and the SVG), and `/map`, `/map.svg` and `/api/public-map` answer anyone, logged in or not.
 *
 * So the drawing is kept per store and k, with the data version it was drawn at
 * (IntelligenceStore.publicMapVersion), and given again while that version holds:
 * - an erasure (records removed) redraws it at the next request: no count of erased records stays shown;
 * - new records (deliveries rolled up, addresses assessed) redraw it at the next request once the kept
 *   drawing was checked REDRAW_MIN_MS ago. A node records all the time; without the floor any anonymous
 *   visitor could make the server draw the map again on every request. The floor covers the refresh
 *   too (rolling up, enriching: refreshIntel): within it a request reads the data version and nothing more.
 */
export const REDRAW_MIN_MS = 60_000;

interface Kept { readonly k: number; readonly purpose: string; readonly records: string; readonly erased: string; readonly at: number; readonly map: PublicMap }
const kept = new WeakMap<object, Kept>();

/** The public map of `publicMap(ctx, { k })`, reused as above (equal to drawing it again: test/unit/web/public-map-cache.test.ts). */
export function cachedPublicMap(ctx: Context, k: number, now: number): PublicMap {
  const intel = ctx.store.intel;
  const old = kept.get(intel);
  // Within the floor: the kept drawing, unless an erasure came since (then refreshed and drawn again below).
  if (old && old.k === k && now - old.at < REDRAW_MIN_MS && old.erased === intel.publicMapVersion().erased && old.purpose === (intel.purpose() ?? '')) return old.map;
  const refreshed = refreshIntel(ctx);
  const v = intel.publicMapVersion();
  const purpose = refreshed.purpose ?? '';
  if (old && old.k === k && old.purpose === purpose && old.erased === v.erased && old.records === v.records) {
    // Nothing new: the same drawing, checked now (the floor starts again).
    kept.set(intel, { ...old, at: now });
    return old.map;
  }
  const map = publicMap(ctx, { k });
  kept.set(intel, { k, purpose, ...v, at: now, map });
  return map;
}
