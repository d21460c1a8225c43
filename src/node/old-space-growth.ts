import { setFlagsFromString } from 'node:v8';

/**
 * Caps how far V8 lets the old space grow past what survived the last full GC before it runs the
 * next one: (1 + percent / 100) x the survivors, and at least 8 MB more (V8's minimum step). V8's own
 * factor goes up to 4x on a heap this size; 0 leaves it.
 *
 * Why (issue 10 item 5, target: peak RSS <= 1/10 of libtorrent's announcing the same decoys): under
 * load every HTTP announce in flight outlives the 2 MB young generation (`bin/counterseed` runs seed
 * and lab with --max-semi-space-size=2), so its socket and buffers, ~2.4 KB, are promoted, then die.
 * V8's sampling heap profiler over a round of 100,000 decoys counted 419 MB of such objects, 58 % of
 * it the HTTP announce path. The old space swelled from 14-20 MB after a full GC to 40-58 MB before
 * the next: at 300,000 decoys the node's peak RSS was 265 MB against 231 MB when all were announced
 * (bench/README.md, announce-decoys). The cost is more full GCs: measured in bench/README.md (serve).
 *
 * Set at run time, once the node has started: V8's flag hash is part of every compile-cache entry,
 * and a command-line flag (or one set before the imports) would make every module miss the cache
 * that `npm install` warmed, and rewrite it under the wrong hash.
 */
export function limitOldSpaceGrowth(percent: number): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > 300) throw new RangeError(`old-space growth must be 0..300 percent, got ${percent}`);
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  applied = percent;
}

let applied: number | undefined;

/** The bound this process last set (0: V8's own factor), undefined if none was: what a started node applied. */
export function oldSpaceGrowthApplied(): number | undefined { return applied; }
