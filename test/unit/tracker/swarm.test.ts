import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionIds } from '../../../src/bittorrent/tracker/server/connection-ids.ts';
import { Swarm } from '../../../src/bittorrent/tracker/server/swarm.ts';
import { id20 } from './fixtures.ts';

const H = 'ab'.repeat(20);
const peer = (ip: string, port: number, left = 0, event: 'none' | 'started' | 'stopped' | 'completed' = 'started') =>
  ({ ip, port, peerId: id20(port), left, event });

test('swarm lists other peers, never the requester, and counts seeds by left', () => {
  const s = new Swarm({ peerTtlMs: 1000 });
  s.announce(H, peer('127.0.0.1', 1, 0), 0);
  s.announce(H, peer('127.0.0.2', 2, 100), 0);
  s.announce(H, peer('::1', 3, 5), 0);
  const got = s.peers(H, { numWant: 50, excludeIp: '127.0.0.1', excludePort: 1 }, 0).map((p) => p.port).sort();
  assert.deepEqual(got, [2, 3]);
  assert.deepEqual(s.peers(H, { numWant: 50, excludeIp: '127.0.0.1', excludePort: 1, family: 4 }, 0).map((p) => p.port), [2]);
  assert.deepEqual(s.stats(H, 0), { complete: 1, downloaded: 0, incomplete: 2 });
  // The leecher finishes: counted once in `downloaded`, now a seed.
  s.announce(H, peer('127.0.0.2', 2, 0, 'completed'), 1);
  assert.deepEqual(s.stats(H, 1), { complete: 2, downloaded: 1, incomplete: 1 });
  s.announce(H, peer('127.0.0.2', 2, 0, 'stopped'), 2);
  assert.deepEqual(s.stats(H, 2), { complete: 1, downloaded: 1, incomplete: 1 });
});

test('numwant bounds the list and sampling stays within the swarm', () => {
  const s = new Swarm({ peerTtlMs: 1000 });
  for (let i = 1; i <= 100; i++) s.announce(H, peer('127.0.0.1', i), 0);
  const got = s.peers(H, { numWant: 10, excludeIp: 'x', excludePort: 0 }, 0);
  assert.equal(got.length, 10);
  assert.equal(new Set(got.map((p) => p.port)).size, 10);
  assert.ok(got.every((p) => p.port >= 1 && p.port <= 100));
});

test('peers expire after the TTL and re-announcing refreshes them', () => {
  const s = new Swarm({ peerTtlMs: 100 });
  s.announce(H, peer('127.0.0.1', 1), 0);
  s.announce(H, peer('127.0.0.1', 2), 50);
  s.announce(H, peer('127.0.0.1', 1, 0, 'none'), 90);
  assert.equal(s.peerCount(H), 2);
  assert.deepEqual(s.peers(H, { numWant: 5, excludeIp: '', excludePort: 0 }, 160).map((p) => p.port), [1]);
  assert.equal(s.sweep(1000), 1);
  assert.equal(s.torrentCount, 0);
});

test('per-torrent and torrent-count bounds hold', () => {
  const s = new Swarm({ peerTtlMs: 1e9, maxPeersPerTorrent: 3, maxTorrents: 2 });
  for (let i = 1; i <= 5; i++) s.announce(H, peer('127.0.0.1', i), i);
  assert.equal(s.peerCount(H), 3);
  assert.deepEqual(s.peers(H, { numWant: 9, excludeIp: '', excludePort: 0 }, 6).map((p) => p.port).sort(), [3, 4, 5]);
  assert.equal(s.announce('cd'.repeat(20), peer('127.0.0.1', 1), 0), true);
  assert.equal(s.announce('ef'.repeat(20), peer('127.0.0.1', 1), 0), false);
  assert.equal(s.torrentCount, 2);
});

test('connection ids: bound to address and port, valid for one to two buckets, then refused', () => {
  let now = 1_000_000;
  const ids = new ConnectionIds({ now: () => now, secret: new Uint8Array(32).fill(7), bucketMs: 120_000 });
  const id = ids.issue('127.0.0.1', 4000);
  assert.equal(ids.verify('127.0.0.1', 4000, id), true);
  assert.equal(ids.verify('127.0.0.1', 4001, id), false);
  assert.equal(ids.verify('127.0.0.2', 4000, id), false);
  now += 120_000;
  assert.equal(ids.verify('127.0.0.1', 4000, id), true, 'still valid in the next bucket');
  now += 120_000;
  assert.equal(ids.verify('127.0.0.1', 4000, id), false, 'expired after two buckets');
  const other = new ConnectionIds({ now: () => now, secret: new Uint8Array(32).fill(8) });
  assert.notEqual(other.issue('127.0.0.1', 4000), ids.issue('127.0.0.1', 4000));
});
