import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryReclaimer } from '../../../src/node/memory-reclaimer.ts';

const MB = 2 ** 20;

test('compacts once the heap has grown and stopped growing, not while it grows, not for small growth', () => {
  let heap = 10 * MB;
  const compacted: number[] = [];
  const r = new MemoryReclaimer({ intervalMs: 1000, growthBytes: 16 * MB }, {
    heapSize: () => heap,
    compact: () => { compacted.push(heap); heap = 11 * MB; return 5; },
  });
  heap = 20 * MB; assert.equal(r.check(), false, 'growing');
  heap = 20 * MB; assert.equal(r.check(), false, 'settled, but only 10 MB above the base');
  heap = 30 * MB; assert.equal(r.check(), false, 'growing (a flood)');
  heap = 40 * MB; assert.equal(r.check(), false, 'still growing');
  heap = 39 * MB; assert.equal(r.check(), true, 'stopped growing, 29 MB above the base');
  assert.deepEqual(compacted, [39 * MB]);
  assert.equal(r.check(), false, 'the base is now the compacted heap');
  heap = 25 * MB; r.check();
  assert.equal(r.check(), false, '14 MB above the new base');
  assert.equal(r.compactions, 1);
});

test('really gives garbage back: a burst of promoted garbage is compacted away', () => {
  const r = new MemoryReclaimer({ intervalMs: 1000, growthBytes: 8 * MB });
  // ~40 MB of objects that survive long enough to be promoted, then die.
  let keep: object[] = [];
  for (let i = 0; i < 400_000; i++) keep.push({ index: i, begin: i * 16384, length: 16384, pad: [i, i] });
  assert.equal(r.check(), false, 'the heap has just grown');
  keep = [];
  void keep;
  const before = process.memoryUsage().heapUsed;
  assert.equal(r.check(), true, 'grown and settled');
  assert.ok(process.memoryUsage().heapUsed < before - 8 * MB, `${(before / MB).toFixed(0)} MB -> ${(process.memoryUsage().heapUsed / MB).toFixed(0)} MB`);
});
