/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Interval { readonly low: number; readonly high: number }

/**
 * Wilson score interval for a proportion (Wilson 1927; Newcombe 1998, method 3): good coverage
 * for small n and for p near 0 or 1, where the normal ("Wald") interval fails. n = 0 gives [0, 1].
 */
export function wilson(successes: number, n: number, z = Z95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Interval for the difference of two independent proportions p1 - p2 from their Wilson intervals
 * (Newcombe 1998, "Interval estimation for the difference between independent proportions", method 10).
 */
export function newcombeDifference(s1: number, n1: number, s2: number, n2: number, z = Z95): Interval & { readonly difference: number } {
  const p1 = n1 === 0 ? 0 : s1 / n1;
  const p2 = n2 === 0 ? 0 : s2 / n2;
  const a = wilson(s1, n1, z);
  const b = wilson(s2, n2, z);
  const d = p1 - p2;
  return {
    difference: d,
    low: d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2),
    high: d + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2),
  };
}
