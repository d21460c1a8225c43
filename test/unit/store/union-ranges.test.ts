import assert from 'node:assert/strict';
import { it } from 'node:test';
import { unionRanges } from '../../../src/store/ranges.ts';

it('unionRanges: any order, overlapping, adjacent, contained and empty ranges coalesce; sorted output', () => {
  assert.deepEqual(unionRanges([]), []);
  assert.deepEqual(unionRanges([[], [[5, 5]]]), []);
  assert.deepEqual(unionRanges([[[32, 48], [0, 16]], [[16, 20], [40, 64], [50, 60]], [[100, 116]]]), [[0, 20], [32, 64], [100, 116]]);
  // Every other block, in reverse, then the gaps: one range, in O(n log n) (a hostile order costs no more).
  const n = 20_000;
  const odd = Array.from({ length: n }, (_, i) => [(2 * (n - i) - 1) * 16, (2 * (n - i)) * 16] as [number, number]);
  const even = Array.from({ length: n }, (_, i) => [2 * i * 16, (2 * i + 1) * 16] as [number, number]);
  assert.deepEqual(unionRanges([odd, even]), [[0, 2 * n * 16]]);
});
