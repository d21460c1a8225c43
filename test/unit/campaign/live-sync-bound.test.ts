import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { TorrentIndex } from '../../../src/bittorrent/seeder/torrent-index.ts';
import { LiveDecoySync } from '../../../src/campaign/live-sync.ts';
import type { Decoy } from '../../../src/domain/decoy.ts';
import { compactHeap } from '../../../src/node/compact-heap.ts';

const N = 200_000;

function decoy(id: number): Decoy {
  return {
    id, infoHash: createHash('sha1').update(`holiday-video-${id}.mp4`).digest('hex'), name: `holiday-video-${id}.mp4`, payloadId: 'p',
    size: 4 << 20, pieceLength: 1 << 18, pieceCount: 16, info: new Uint8Array(0), contentSha256: '', status: 'active', createdAt: 0,
  };
}

// Issue 10 item 5: every campaign tick (5 min) read the served set into a Map of decoy objects: ~300 MB
// of heap at 1,000,000 decoys (~200 bytes each here), the peak RSS of a node announcing them. The served set is now read as ids.
test(`a sync over ${N.toLocaleString('en')} served decoys holds ids, not an object per decoy`, async () => {
  const index = new TorrentIndex({ sourceFor: () => { throw new Error('not served here'); }, loadInfo: () => new Uint8Array(0) });
  index.reserve(N);
  for (let id = 1; id <= N; id++) { const d = decoy(id); index.add({ id, infoHash: d.infoHash, payloadId: 'p', size: d.size, pieceLength: d.pieceLength, pieceCount: 16, infoLength: 0 }); }
  const active = new Set<number>();
  for (let id = 2; id <= N + 1; id++) active.add(id); // decoy 1 retired, decoy N + 1 new
  let before = 0, during = 0;
  const removed: number[] = [];
  const sync = new LiveDecoySync({
    activeIds: () => { compactHeap(); before = process.memoryUsage().heapUsed; return active; },
    // Called for the new decoy, after the served set has been read and while the sync still holds it.
    getDecoy: async (id) => { compactHeap(); during = process.memoryUsage().heapUsed; return decoy(id); },
    index, onRemoved: (d) => removed.push(d.id), now: () => 0, log: () => {},
  }, { intervalMs: 3_600_000 });
  assert.deepEqual(await sync.syncNow(), { released: 0, retired: 0, added: 1, removed: 1 });
  assert.deepEqual(removed, [1]);
  assert.equal(index.size, N);
  assert.ok(index.get(decoy(N + 1).infoHash) && !index.get(decoy(1).infoHash));
  const perDecoy = (during - before) / N;
  assert.ok(perDecoy < 16, `the sync held ${perDecoy.toFixed(1)} bytes of heap per served decoy (a Map of decoy objects: ~200)`);
});

// V8 pretenured the ServedDecoy objects a tick made to read 300,000 ids (old space 59 MB at the tick,
// 12-20 MB otherwise): the ids come from the index's column, and decoys are made only to remove some.
test('a tick reads the served ids from the index column; decoys are made only when some are to be removed', async () => {
  const index = new TorrentIndex({ sourceFor: () => { throw new Error('not served here'); }, loadInfo: () => new Uint8Array(0) });
  for (let id = 1; id <= 1000; id++) index.add({ id, infoHash: decoy(id).infoHash, payloadId: 'p', size: 1, pieceLength: 16384, pieceCount: 1, infoLength: 0 });
  let made = 0;
  const counted = { add: (d: Decoy) => index.add(d), remove: (h: string) => index.remove(h), servedIds: () => index.servedIds(), *decoys() { for (const d of index.decoys()) { made++; yield d; } } };
  let active = new Set<number>(Array.from({ length: 1001 }, (_, i) => i + 1)); // 1001 new
  const sync = new LiveDecoySync({ activeIds: () => active, getDecoy: async (id) => decoy(id), index: counted, now: () => 0, log: () => {} }, { intervalMs: 3_600_000 });
  assert.deepEqual(await sync.syncNow(), { released: 0, retired: 0, added: 1, removed: 0 });
  assert.equal(made, 0, 'no decoy object made when nothing is removed');
  assert.deepEqual(await sync.syncNow(), { released: 0, retired: 0, added: 0, removed: 0 });
  assert.equal(made, 0);
  active = new Set([...active].filter((id) => id !== 500));
  assert.deepEqual(await sync.syncNow(), { released: 0, retired: 0, added: 0, removed: 1 });
  assert.ok(!index.get(decoy(500).infoHash) && index.size === 1000);
  assert.deepEqual(index.servedIds().sort().subarray(498, 500), Float64Array.of(499, 501));
});
