import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SortedIds } from '../../../src/domain/sorted-ids.ts';

test('SortedIds: membership by binary search, ascending iteration, size', () => {
  const ids = SortedIds.collect([2, 3, 5, 8, 13, 21, 2 ** 40]);
  assert.equal(ids.size, 7);
  for (const id of [2, 3, 5, 8, 13, 21, 2 ** 40]) assert.ok(ids.has(id), String(id));
  for (const id of [0, 1, 4, 9, 22, 2 ** 40 + 1, -1, 2.5]) assert.ok(!ids.has(id), String(id));
  assert.deepEqual([...ids], [2, 3, 5, 8, 13, 21, 2 ** 40]);
  assert.equal(SortedIds.collect([]).size, 0);
  assert.ok(!SortedIds.collect([]).has(1));
});

test('SortedIds: ids out of order or repeated are sorted and deduplicated', () => {
  const ids = SortedIds.collect([9, 1, 5, 1, 9, 3]);
  assert.deepEqual([...ids], [1, 3, 5, 9]);
  assert.ok(ids.has(5) && !ids.has(2));
});

test('SortedIds: collects past its first 1,024 slots, 8 bytes an id', () => {
  const n = 100_000;
  const ids = SortedIds.collect((function* () { for (let i = 1; i <= n; i++) yield i * 3; })());
  assert.equal(ids.size, n);
  assert.ok(ids.has(3) && ids.has(3 * n) && ids.has(150_000) && !ids.has(150_001));
});
