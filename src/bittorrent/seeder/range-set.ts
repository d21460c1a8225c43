import type { ByteRange } from '../../domain/observation.ts';

/**
 * Coalesced, sorted, half-open ranges. Per-block activity is folded in here so a delivery
 * is stored as a handful of ranges instead of one row per 16 KiB block.
 * Size is bounded by the content itself: at most one range per block served.
 */
export class RangeSet {
  #r: [number, number][] = [];

  add(start: number, end: number): void {
    if (end <= start) return;
    const r = this.#r;
    // Fast path: sequential blocks extend the last range.
    const last = r[r.length - 1];
    if (last && start >= last[0]) {
      if (start <= last[1]) { if (end > last[1]) last[1] = end; return; }
      r.push([start, end]);
      return;
    }
    let lo = 0, hi = r.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (r[mid]![1] < start) lo = mid + 1; else hi = mid; }
    let i = lo, s = start, e = end;
    while (i < r.length && r[i]![0] <= e) { s = Math.min(s, r[i]![0]); e = Math.max(e, r[i]![1]); i++; }
    r.splice(lo, i - lo, [s, e]);
  }

  /** True if [start, end) lies entirely inside one range. */
  covers(start: number, end: number): boolean {
    const r = this.#r;
    let lo = 0, hi = r.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (r[mid]![1] < end) lo = mid + 1; else hi = mid; }
    const x = r[lo];
    return x !== undefined && x[0] <= start && x[1] >= end;
  }

  get total(): number { let n = 0; for (const [a, b] of this.#r) n += b - a; return n; }
  toArray(): ByteRange[] { return this.#r.map(([a, b]) => [a, b] as const); }
  get count(): number { return this.#r.length; }
}
