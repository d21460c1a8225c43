import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ClosestCache } from '../../../src/bittorrent/dht/closest-cache.ts';
import { COMPACT_PEER, COMPACT_PEER6 } from '../../../src/bittorrent/dht/compact.ts';
import { K } from '../../../src/bittorrent/dht/routing-table.ts';

const nodes = (last: number, n: number, v6 = false) =>
  Array.from({ length: n }, (_, i) => ({ ip: v6 ? `2001:db8::${last.toString(16)}:${i + 1}` : `198.18.${last}.${i + 1}`, port: 6881 + i }));

it('keeps each slot its own node addresses, clears them, and refuses more than k', () => {
  const cache = new ClosestCache();
  cache.reserve(1000);
  cache.set(3, nodes(3, K));
  cache.set(700, nodes(7, 2));
  assert.deepEqual(cache.get(3), nodes(3, K));
  assert.deepEqual(cache.get(700), nodes(7, 2));
  assert.equal(cache.get(4), null);
  cache.set(700, nodes(9, 1));
  assert.deepEqual(cache.get(700), nodes(9, 1), 'a shorter list replaces a longer one');
  cache.set(3, null);
  assert.equal(cache.get(3), null);
  assert.throws(() => cache.set(5, nodes(1, K + 1)), /nodes/);
  assert.throws(() => cache.set(1000, nodes(1, 1)), /reserve/);
  assert.throws(() => cache.set(6, nodes(1, 1, true)), /IPv4/, 'an address of the other family is refused');
});

it('an IPv6 cache keeps IPv6 addresses (BEP 32), in RFC 5952 form', () => {
  const cache = new ClosestCache(6);
  cache.reserve(10);
  cache.set(1, nodes(1, K, true));
  assert.deepEqual(cache.get(1), nodes(1, K, true));
});

// Issue 10 item 5: after one DHT cycle every decoy has an entry, so this is held per decoy at
// 1,000,000 decoys. With the node ids (26 / 38 bytes a node) it was 208 / 304 bytes per decoy.
it('holds the addresses only: k x 6 bytes per IPv4 decoy, k x 18 per IPv6 decoy, plus a count byte', () => {
  const v4 = new ClosestCache(4), v6 = new ClosestCache(6);
  const n = 256 * 40;
  v4.reserve(n);
  v6.reserve(n);
  for (let s = 0; s < n; s++) { v4.set(s, nodes(s % 250, K)); v6.set(s, nodes(s % 250, K, true)); }
  assert.equal(v4.bytesPerSlot, K * COMPACT_PEER);
  assert.equal(v6.bytesPerSlot, K * COMPACT_PEER6);
  assert.equal(v4.bytes, n * (K * COMPACT_PEER + 1));
  assert.equal(v6.bytes, n * (K * COMPACT_PEER6 + 1));
  assert.ok(v4.bytes / n <= 49 && v6.bytes / n <= 145, `${v4.bytes / n} / ${v6.bytes / n} bytes per decoy`);
});
