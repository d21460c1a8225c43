import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpAnnounce } from '../../../src/bittorrent/tracker/client/http-client.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { buildDecoys } from '../../../src/decoy/builder.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import { openContext } from '../../../src/node/context.ts';
import { startSeedNode } from '../../../src/node/seed-node.ts';
import { DEFAULT_PAYLOAD_ID } from '../../../src/payload/index.ts';
import { WirePeer } from '../../helpers/wire-peer.ts';

/**
 * Issue 10 item 2 on loopback (127.0.0.1 and ::1): a node given an IPv6 address serves decoys over
 * IPv6, its built-in tracker listens on both families with one swarm and lists the node's IPv6
 * address in `peers6` (BEP 7), and a delivery over IPv6 is recorded with the RFC 5952 address.
 */
test('a node with an IPv6 address: peer port and built-in tracker on both families, peers6, IPv6 deliveries recorded', async () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-ipv6-'));
  const ctx = openContext(loadSettings({ flags: { dataDir: data, port: '0', trackerServerPort: '0', addresses: ['::1'], announceIntervalS: '5', flushIntervalMs: '50' }, env: {} }), () => {});
  const logs: string[] = [];
  try {
    const payload = ctx.payloads.get(DEFAULT_PAYLOAD_ID);
    const [decoy] = await ctx.store.insertDecoys(buildDecoys([{ line: 1, name: 'holiday-video-0042.mp4', size: null }], payload, ctx.payloadSource(payload.id)), Date.now());
    const node = await startSeedNode(ctx, { log: (l) => logs.push(l) });
    try {
      const { peerPort, trackerHttp } = node.info;
      assert.ok(trackerHttp !== undefined);
      const trackerPort = Number(new URL(trackerHttp).port);
      // The node's own announces: one over each family, to the built-in tracker on that family.
      await node.announced();
      const req = (port: number) => ({ infoHash: infoHashFromHex(decoy!.infoHash), peerId: new Uint8Array(20).fill(port & 0xff), port, uploaded: 0, downloaded: 100, left: 100, event: 'started' as const, compact: true });
      let v6 = await httpAnnounce(`http://[::1]:${trackerPort}/announce`, req(40001), { localAddress: '::1' });
      for (let i = 0; i < 50 && !v6.peers.some((p) => p.ip === '::1' && p.port === peerPort); i++) {
        await sleep(100);
        v6 = await httpAnnounce(`http://[::1]:${trackerPort}/announce`, req(40001), { localAddress: '::1' });
      }
      assert.ok(v6.peers.some((p) => p.ip === '::1' && p.port === peerPort), `peers6 lists the node over IPv6: ${JSON.stringify(v6.peers)} ${logs.join('\n')}`);
      const v4 = await httpAnnounce(`http://127.0.0.1:${trackerPort}/announce`, req(40002), { localAddress: '127.0.0.1' });
      assert.ok(v4.peers.some((p) => p.ip === '127.0.0.1' && p.port === peerPort), 'and over IPv4, from the same swarm');
      assert.ok(v4.peers.some((p) => p.ip === '::1' && p.port === 40001), 'one swarm for both families: the IPv6 leecher is listed to the IPv4 one');

      // A download over IPv6 (an independent implementation: bittorrent-protocol).
      const peer = await WirePeer.download(peerPort, decoy!, '-LT2080-ipv6ipv6ipv6', '::1');
      for (let i = 0; i < 200 && peer.bytes < decoy!.size; i++) await sleep(50);
      assert.equal(peer.bytes, decoy!.size, 'the whole decoy over IPv6');
      peer.close();
    } finally {
      await node.stop();
    }
    const rows = await ctx.store.queryDeliveries({ ip: '::1' });
    assert.equal(rows.length, 1, 'one delivery recorded under ::1');
    assert.equal(rows[0]!.remoteIp, '::1');
    assert.equal(rows[0]!.localIp, '::1');
    assert.equal(rows[0]!.bytesServed, decoy!.size);
    const announces = await ctx.store.queryAnnounces({ ip: '::1' });
    assert.ok(announces.length >= 1, 'the IPv6 announce recorded with its IPv6 source');
  } finally {
    await ctx.close();
    rmSync(data, { recursive: true, force: true });
  }
});
