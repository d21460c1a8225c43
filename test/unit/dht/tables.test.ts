import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PeerStore } from '../../../src/bittorrent/dht/peer-store.ts';
import { QueryRateLimiter } from '../../../src/bittorrent/dht/rate-limit.ts';
import { K, RoutingTable } from '../../../src/bittorrent/dht/routing-table.ts';
import { TokenIssuer, TOKEN_ROTATION_MS } from '../../../src/bittorrent/dht/tokens.ts';
import { randomBytes } from 'node:crypto';

test('routing table stays bounded and keeps old good nodes', () => {
  const self = new Uint8Array(20);
  const table = new RoutingTable(self);
  // Every id with first bit 1 falls in bucket 0: only K fit however many arrive.
  for (let i = 0; i < 1000; i++) {
    const id = new Uint8Array(randomBytes(20)); id[0] = id[0]! | 0x80;
    table.seen({ id, ip: '198.18.1.1', port: 1000 + i }, 0);
  }
  assert.equal(table.size, K);
  const first = table.all()[0]!;
  // A bad node (two failures) gives its slot to a newcomer.
  table.failed(first.id); table.failed(first.id);
  const id = new Uint8Array(randomBytes(20)); id[0] = 0xff;
  assert.ok(table.seen({ id, ip: '198.18.1.2', port: 5 }, 1));
  assert.equal(table.size, K);
  assert.ok(!table.all().some((e) => e === first));
  // 161 buckets x K is the ceiling for any input.
  for (let i = 0; i < 5000; i++) table.seen({ id: new Uint8Array(randomBytes(20)), ip: '198.18.1.3', port: i + 1 }, 2);
  assert.ok(table.size <= 161 * K);
  const target = new Uint8Array(randomBytes(20));
  const closest = table.closest(target, 8);
  assert.equal(closest.length, 8);
});

test('tokens: valid for the issuing IP only, across one rotation, not two', () => {
  let now = 0;
  const tokens = new TokenIssuer({ now: () => now });
  const tok = tokens.issue('198.18.0.5');
  assert.ok(tokens.verify('198.18.0.5', tok));
  assert.ok(!tokens.verify('198.18.0.6', tok));
  now += TOKEN_ROTATION_MS;
  assert.ok(tokens.verify('198.18.0.5', tok), 'previous secret still accepted');
  now += TOKEN_ROTATION_MS;
  assert.ok(!tokens.verify('198.18.0.5', tok), 'two rotations later it is refused');
});

test('peer store is bounded per infohash and in infohashes, and expires', () => {
  const store = new PeerStore({ maxHashes: 3, maxPeersPerHash: 5 });
  for (let i = 0; i < 20; i++) store.add('a'.repeat(40), { ip: '198.18.0.1', port: 1000 + i }, 0);
  assert.equal(store.get('a'.repeat(40), 0).length, 5);
  for (const c of ['b', 'c', 'd', 'e']) store.add(c.repeat(40), { ip: '198.18.0.1', port: 1 }, 0);
  assert.equal(store.size, 3);
  assert.equal(store.get('e'.repeat(40), 31 * 60_000).length, 0, 'expired after 30 minutes');
});

test('rate limiter: never more than the per-destination cap in any 1 s window, global budget honoured', () => {
  const lim = new QueryRateLimiter({ perSecond: 100, perDestinationPerSecond: 2, now: 0 });
  const sent: number[] = [];
  for (let now = 0; now < 10_000; now++) if (lim.tryAcquire('198.18.0.9', now) === 0) sent.push(now);
  for (const t0 of sent) assert.ok(sent.filter((t) => t >= t0 && t < t0 + 1000).length <= 2);
  assert.ok(sent.length >= 18, `expected ~20 sends in 10 s, got ${sent.length}`);
  // Global: 100 q/s over 2 s to distinct destinations.
  const g = new QueryRateLimiter({ perSecond: 100, perDestinationPerSecond: 2, now: 0 });
  let n = 0;
  for (let now = 0; now < 2000; now++) for (let d = 0; d < 5; d++) if (g.tryAcquire(`10.0.${now % 250}.${d}`, now) === 0) n++;
  assert.ok(n <= 210 && n >= 190, `global sends ${n}`);
});
