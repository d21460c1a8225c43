import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpAnnounce } from '../../../src/bittorrent/tracker/client/http-client.ts';
import { parseCampaignCsv } from '../../../src/campaign/campaign-csv.ts';
import { LiveDecoySync, type ServedIndex } from '../../../src/campaign/live-sync.ts';
import { loadSettings } from '../../../src/config/load.ts';
import type { Decoy } from '../../../src/domain/decoy.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import { openContext } from '../../../src/node/context.ts';
import { startSeedNode } from '../../../src/node/seed-node.ts';
import { CampaignStore } from '../../../src/store/sqlite/campaign-store.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { toServedDecoy } from '../../../src/domain/decoy.ts';
import { RawPeer } from '../../helpers/raw-peer.ts';

const DAY = 86_400_000;

function fakeDecoy(id: number): Decoy {
  return { id, infoHash: id.toString(16).padStart(40, '0'), name: `holiday-video-${id}.mp4`, payloadId: 'p', size: 1, pieceLength: 16384, pieceCount: 1, info: new Uint8Array(1), contentSha256: '', status: 'active', createdAt: 0 };
}

function fakeIndex(): ServedIndex & { map: Map<string, Decoy> } {
  const map = new Map<string, Decoy>();
  return { map, add: (d) => { map.set(d.infoHash, d); }, remove: (h) => map.delete(h), decoys: () => [...map.values()].map((decoy) => toServedDecoy(decoy)) };
}

test('LiveDecoySync: serves new active decoys, drops deactivated ones, calls the announce hooks; a failed step still syncs', async () => {
  const index = fakeIndex();
  let active = new Set([1, 2]);
  const added: number[] = [];
  const removed: number[] = [];
  let steps = 0;
  const logs: string[] = [];
  const sync = new LiveDecoySync({
    step: () => { steps++; if (steps === 2) throw new Error('payload missing'); return { released: 0, retired: 0 }; },
    activeIds: () => active,
    getDecoy: async (id) => (id === 99 ? undefined : fakeDecoy(id)),
    index, onAdded: (d) => added.push(d.id), onRemoved: (d) => removed.push(d.id), now: () => 0, log: (m) => logs.push(m),
  }, { intervalMs: 3_600_000 });
  assert.deepEqual(await sync.syncNow(), { released: 0, retired: 0, added: 2, removed: 0 });
  active = new Set([2, 3, 99]); // 1 retired, 3 new, 99 vanished between the two queries
  const [a, b] = await Promise.all([sync.syncNow(), sync.syncNow()]);
  assert.equal(a, b, 'concurrent calls join one run');
  assert.deepEqual(a, { released: 0, retired: 0, added: 1, removed: 1 });
  assert.deepEqual(added, [1, 2, 3]);
  assert.deepEqual(removed, [1]);
  assert.deepEqual([...index.map.values()].map((d) => d.id).sort(), [2, 3]);
  assert.ok(logs.some((l) => /campaign step failed: payload missing/.test(l)));
  await sync.stop();
  assert.throws(() => new LiveDecoySync({ activeIds: () => active, getDecoy: async () => undefined, index, now: () => 0, log: () => {} }, { intervalMs: 0 }), RangeError);
});

/** Whether the node answers a BitTorrent handshake for this infohash (served) or hangs up (not served). */
async function served(port: number, infoHashHex: string): Promise<boolean> {
  const peer = await RawPeer.connect(port);
  try {
    await peer.sendHandshake(infoHashFromHex(infoHashHex), new Uint8Array(Buffer.from('-LT2080-abcdefghijkl', 'latin1')));
    await peer.waitUntil(() => peer.handshake !== undefined || peer.closed, 5000, 'handshake or close');
    return peer.handshake !== undefined;
  } finally { peer.close(); }
}

test('a running seed node releases, serves and announces campaign decoys, and stops serving them at TTL, without restart', async () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-live-'));
  const settings = loadSettings({ flags: { dataDir: data, port: '0', trackerServerPort: '0', announceIntervalS: '5', campaignTickS: '86400' }, env: {} });
  const ctx = openContext(settings, () => {});
  try {
    const campaigns = new CampaignStore(ctx.store as SqliteStore);
    // Created a day and a half ago, one a day: two are due, none released yet.
    const c = campaigns.create({ name: 'spring', perDay: 1, ttlDays: 1, payloadId: null, createdAt: Date.now() - 1.5 * DAY },
      parseCampaignCsv('holiday-video-0001.mp4\nholiday-archive-0002.zip\nholiday-video-0003.mkv\n'));
    const node = await startSeedNode(ctx, { log: () => {} });
    try {
      assert.equal(node.info.decoys, 0);
      await node.syncCampaigns();
      const live = await ctx.store.listDecoys({ status: 'active' });
      assert.deepEqual(live.map((d) => d.name), ['holiday-video-0001.mp4', 'holiday-archive-0002.zip']);
      for (const d of live) assert.equal(await served(node.info.peerPort, d.infoHash), true, `${d.name} served`);
      // The new decoys were handed to the announce scheduler: the built-in tracker knows the seeder.
      await node.announced({ signal: AbortSignal.timeout(10_000) });
      const r = await httpAnnounce(node.info.trackerHttp!, { infoHash: infoHashFromHex(live[0]!.infoHash), peerId: new Uint8Array(20).fill(7), port: 50000, uploaded: 0, downloaded: 0, left: 1, event: 'started', compact: true });
      assert.ok(r.peers.some((p) => p.port === node.info.peerPort), 'tracker returns the seeder for a released decoy');

      // Two days later (moved back in the store): TTL passed, both retired; the third is due only by day count.
      (ctx.store as SqliteStore).database.prepare('UPDATE decoys SET created_at = created_at - ?').run(2 * DAY);
      await node.syncCampaigns();
      const { deliveries: _probes, ...counts } = campaigns.counts(c.id); // our probe handshakes may be recorded by now
      assert.deepEqual(counts, { planned: 1, active: 0, retired: 2 });
      for (const d of live) assert.equal(await served(node.info.peerPort, d.infoHash), false, `${d.name} no longer served`);
      assert.equal((await ctx.store.listDecoys({ status: 'retired' })).length, 2, 'records stay');
    } finally { await node.stop(); }
  } finally { await ctx.close(); rmSync(data, { recursive: true, force: true }); }
});
