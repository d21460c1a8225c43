import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ClosestCache } from '../../../src/bittorrent/dht/closest-cache.ts';
import { COMPACT_NODE } from '../../../src/bittorrent/dht/compact.ts';
import { K } from '../../../src/bittorrent/dht/routing-table.ts';

it('keeps each slot its own compact nodes, clears them, and refuses more than k', () => {
  const cache = new ClosestCache();
  cache.reserve(1000);
  const nodes = (fill: number, n: number) => new Uint8Array(n * COMPACT_NODE).fill(fill);
  cache.set(3, nodes(3, K));
  cache.set(700, nodes(7, 2));
  assert.deepEqual(cache.get(3), nodes(3, K));
  assert.deepEqual(cache.get(700), nodes(7, 2));
  assert.equal(cache.get(4), null);
  cache.set(700, nodes(9, 1));
  assert.deepEqual(cache.get(700), nodes(9, 1), 'a shorter list replaces a longer one');
  cache.set(3, null);
  assert.equal(cache.get(3), null);
  assert.throws(() => cache.set(5, nodes(1, K + 1)), /compact nodes/);
  assert.throws(() => cache.set(1000, nodes(1, 1)), /reserve/);
});
