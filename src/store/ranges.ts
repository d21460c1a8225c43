import type { ByteRange } from '../domain/observation.ts';

/** Text form of coalesced half-open ranges: "0-16384,32768-49152". Compact, greppable, exact. */
export function formatRanges(ranges: readonly ByteRange[]): string {
  return ranges.map(([a, b]) => `${a}-${b}`).join(',');
}

export function parseRanges(text: string): ByteRange[] {
  if (text === '') return [];
  return text.split(',').map((part) => {
    const m = /^(\d+)-(\d+)$/.exec(part);
    if (!m) throw new RangeError(`bad range "${part}"`);
    return [Number(m[1]), Number(m[2])] as const;
  });
}

/** The coalesced union of half-open ranges given in any order: sort, then merge (O(n log n)). */
export function unionRanges(lists: Iterable<readonly ByteRange[]>): ByteRange[] {
  const all: ByteRange[] = [];
  for (const l of lists) for (const r of l) if (r[1] > r[0]) all.push(r);
  all.sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of all) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
