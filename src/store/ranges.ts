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
