import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DueHeap } from '../../../src/bittorrent/tracker/client/due-heap.ts';

test('heap pops in due order with arbitrary removals', () => {
  const h = new DueHeap<{ due: number; heapIndex: number; id: number }>();
  let seed = 12345;
  const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const items = Array.from({ length: 2000 }, (_, id) => ({ due: Math.floor(rnd() * 500), heapIndex: -1, id }));
  for (const it of items) h.push(it);
  const removed = new Set<number>();
  for (let i = 0; i < 700; i++) {
    const it = items[Math.floor(rnd() * items.length)]!;
    h.remove(it);
    removed.add(it.id);
    assert.equal(it.heapIndex, -1);
  }
  assert.equal(h.size, 2000 - removed.size);
  let last = -1, n = 0;
  for (let it = h.pop(); it !== undefined; it = h.pop()) {
    assert.ok(it.due >= last);
    assert.ok(!removed.has(it.id));
    last = it.due; n++;
  }
  assert.equal(n, 2000 - removed.size);
  assert.throws(() => { const x = { due: 1, heapIndex: -1 }; const g = new DueHeap(); g.push(x); g.push(x); });
});
