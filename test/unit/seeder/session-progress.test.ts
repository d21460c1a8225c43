import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Seeder } from '../../../src/bittorrent/seeder/seeder.ts';
import { TorrentIndex } from '../../../src/bittorrent/seeder/torrent-index.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import type { Observation, SessionProgressObservation } from '../../../src/domain/observation.ts';
import { RawPeer } from '../../helpers/raw-peer.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';
import { makeOwnPeerId } from '../../../src/bittorrent/wire/own-peer-id.ts';

const BLOCK = 16384;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Issue 17, item 5: an open session is in the log from its handshake on, and its progress follows it. */
describe('session-progress records', () => {
  it('open at the handshake, progress after the interval or the byte step when something was served, none while idle or after the end', async () => {
    const t = testDecoy({ size: 8 * BLOCK, pieceLength: 2 * BLOCK });
    const index = new TorrentIndex({ sourceFor: () => t.source, loadInfo: () => t.decoy.info, infoCacheSize: 1 });
    index.add({ ...t.decoy, infoLength: t.decoy.info.length });
    const seen: Observation[] = [];
    const seeder = new Seeder({
      host: '127.0.0.1', port: 0, peerId: makeOwnPeerId('-qB5030-', 'libtorrent'), clientVersion: 'qBittorrent/5.0.3',
      maxConnections: 10, maxConnectionsPerIp: 10, uploadSlots: 4, uploadRate: 0, unchokeRotationMs: 30_000,
      handshakeTimeoutMs: 2000, idleTimeoutMs: 10_000, maxRequestQueue: 50, allowPlaintext: true,
      progress: { intervalMs: 300, bytes: 3 * BLOCK },
    }, { index, publish: (o) => seen.push(o), now: Date.now });
    const { port } = await seeder.start();
    const progress = () => seen.filter((o): o is SessionProgressObservation => o.kind === 'session-progress');
    const until = async (pred: () => boolean, what: string) => {
      for (let i = 0; i < 300 && !pred(); i++) await sleep(10);
      assert.ok(pred(), what);
    };
    try {
      const peer = await RawPeer.connect(port);
      await peer.sendHandshake(infoHashFromHex(t.decoy.infoHash), new Uint8Array(Buffer.from('-TR3000-abcdefghijkl', 'latin1')));
      await peer.waitFor('have-all');
      await until(() => progress().length === 1, 'an open record once the handshakes are done');
      const open = progress()[0]!;
      assert.equal(open.phase, 'open');
      assert.equal(open.bytesServed, 0);
      assert.equal(open.remotePort, peer.localPort);
      assert.equal(open.decoyId, t.decoy.id);
      assert.equal(open.progressAt, open.at);
      assert.equal(open.client, 'Transmission 3.00');

      peer.send({ type: 'interested' });
      await peer.waitFor('unchoke');
      peer.send({ type: 'request', index: 0, begin: 0, length: BLOCK });
      await peer.waitUntil(() => peer.received.some((m) => m.type === 'piece'), 2000, 'block');
      const served1At = Date.now();
      assert.equal(progress().length, 1, 'one block, below the byte step: not at once');
      await until(() => progress().length === 2, 'a progress record within the interval');
      assert.ok(Date.now() - served1At >= 250, 'after the interval, not per block');
      assert.deepEqual({ ...progress()[1]!, at: 0, progressAt: 0 }, { ...open, at: 0, progressAt: 0, phase: 'progress', bytesServed: BLOCK, blocksServed: 1, newRanges: [[0, BLOCK]] });

      // Three more blocks: the byte step (3 blocks since the last record) is reached, recorded without waiting.
      for (const [index, begin] of [[0, BLOCK], [1, 0], [1, BLOCK]] as const) peer.send({ type: 'request', index, begin, length: BLOCK });
      await peer.waitUntil(() => peer.received.filter((m) => m.type === 'piece').length === 4, 2000, 'blocks');
      await until(() => progress().length === 3, 'a progress record at the byte step');
      assert.equal(progress()[2]!.bytesServed, 4 * BLOCK);
      assert.deepEqual(progress()[2]!.newRanges, [[BLOCK, 4 * BLOCK]], 'only what was served since the previous record');

      await sleep(700);
      assert.equal(progress().length, 3, 'nothing served since: no record while idle');
      peer.close();
      await until(() => seen.some((o) => o.kind === 'delivery'), 'the final delivery record');
      const d = seen.find((o) => o.kind === 'delivery')!;
      assert.equal(d.kind === 'delivery' && d.sessionId, open.sessionId);
      assert.equal(d.kind === 'delivery' && d.bytesServed, 4 * BLOCK);
      await sleep(400);
      assert.equal(progress().length, 3, 'no progress after the end');
    } finally { await seeder.stop(); }
  });
});
