import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { compactHeap } from '../../../src/node/compact-heap.ts';

test('compactHeap runs a full GC that frees unreachable objects', async () => {
  let target: object | undefined = { big: new Array(10_000).fill(0) };
  const ref = new WeakRef(target);
  target = undefined;
  // A WeakRef's target is kept until the current job ends.
  await new Promise((r) => setImmediate(r));
  const ms = compactHeap();
  assert.ok(Number.isFinite(ms) && ms >= 0);
  assert.equal(ref.deref(), undefined);
});

test('compactHeap leaves no gc behind: not on the global, not in contexts made afterwards', () => {
  compactHeap();
  assert.equal('gc' in globalThis, false);
  assert.equal(runInNewContext('typeof gc'), 'undefined');
});
