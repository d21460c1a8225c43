import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpAnnounce } from '../../../src/bittorrent/tracker/client/http-client.ts';
import { UdpTrackerClient } from '../../../src/bittorrent/tracker/client/udp-client.ts';
import type { AnnounceRequest } from '../../../src/bittorrent/tracker/codec/types.ts';
import { TrackerServer } from '../../../src/bittorrent/tracker/server/tracker-server.ts';
import type { TrackerAnnounceObservation } from '../../../src/domain/observation.ts';
import { id20 } from './fixtures.ts';

test('IPv6 loopback: UDP answers in the socket family, HTTP lists peers6 (BEP 7)', async () => {
  const obs: TrackerAnnounceObservation[] = [];
  const server = new TrackerServer({ host: '::1', httpPort: 0, udpPort: 0, lookup: () => 1, onAnnounce: (o) => { if (o.kind === 'tracker-announce') obs.push(o); } });
  const urls = await server.start();
  const client = new UdpTrackerClient({ localAddress: '::1', timeoutsMs: [3000] });
  const req = (port: number): AnnounceRequest => ({ infoHash: id20(600), peerId: id20(port), port, uploaded: 0, downloaded: 0, left: 0, event: 'started', compact: true });
  try {
    assert.match(urls.udpUrl!, /^udp:\/\/\[::1\]:\d+$/);
    await client.announce(urls.udpUrl!, req(9001));
    const u = await client.announce(urls.udpUrl!, req(9002));
    assert.deepEqual(u.peers, [{ ip: '::1', port: 9001 }]);
    const h = await httpAnnounce(urls.httpUrl!, req(9003));
    assert.deepEqual(h.peers.map((p) => `${p.ip} ${p.port}`).sort(), ['::1 9001', '::1 9002']);
    assert.ok(obs.every((o) => o.remoteIp === '::1'));
  } finally {
    await client.close();
    await server.stop();
  }
});
