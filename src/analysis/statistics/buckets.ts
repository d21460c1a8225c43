import type { Period } from '../../store/intelligence.ts';

const DAY = 86_400_000;

/** Start (UTC ms) of the bucket holding `ms`: UTC day, week from Monday, month, year. */
export function bucketStart(ms: number, period: Period): number {
  const d = new Date(ms);
  switch (period) {
    case 'day': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'week': { const day = Math.floor(ms / DAY); return (day - ((day + 3) % 7)) * DAY; } // 1970-01-01 was a Thursday
    case 'month': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'year': return Date.UTC(d.getUTCFullYear(), 0, 1);
  }
}

export function nextBucket(start: number, period: Period): number {
  const d = new Date(start);
  switch (period) {
    case 'day': return start + DAY;
    case 'week': return start + 7 * DAY;
    case 'month': return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case 'year': return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
}

/** The label the store uses for a bucket (store/intelligence.ts). */
export function bucketLabel(start: number, period: Period): string {
  const iso = new Date(start).toISOString();
  return period === 'year' ? iso.slice(0, 4) : period === 'month' ? iso.slice(0, 7) : iso.slice(0, 10);
}

/** Every bucket overlapping [from, to), at most `max` (a bounded list for a bounded output). */
export function bucketsBetween(from: number, to: number, period: Period, max = 10_000): { start: number; end: number; label: string }[] {
  const out: { start: number; end: number; label: string }[] = [];
  for (let s = bucketStart(from, period); s < to && out.length < max; s = nextBucket(s, period)) out.push({ start: s, end: nextBucket(s, period), label: bucketLabel(s, period) });
  return out;
}
