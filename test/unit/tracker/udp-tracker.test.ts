import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { TrackerFailureError, TrackerTimeoutError } from '../../../src/bittorrent/tracker/client/errors.ts';
import { UdpTrackerClient } from '../../../src/bittorrent/tracker/client/udp-client.ts';
import type { AnnounceRequest } from '../../../src/bittorrent/tracker/codec/types.ts';
import * as udp from '../../../src/bittorrent/tracker/codec/udp.ts';
import type { AggregateObservation } from '../../../src/domain/observation.ts';
import { id20, startLabTracker, waitAggregated } from './fixtures.ts';

let clock = Date.now();
const lab = await startLabTracker({ intervalSeconds: 75 });
after(() => lab.server.stop());
const IH = id20(500);
lab.known.set(Buffer.from(IH).toString('hex'), 7);

const req = (port: number, over: Partial<AnnounceRequest> = {}): AnnounceRequest => ({
  infoHash: IH, peerId: id20(port), port, uploaded: 0, downloaded: 0, left: 0, event: 'started', ...over,
});

async function bound(address = '127.0.0.1'): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, address, resolve));
  return s;
}

test('UDP announces return the other peers and reuse one connection id', async () => {
  const client = new UdpTrackerClient({ now: () => clock, timeoutsMs: [2000, 2000] });
  try {
    const connectsBefore = lab.server.stats().udp!.connects;
    const a = await client.announce(lab.udpUrl, req(8001));
    assert.deepEqual(a.peers, []);
    assert.equal(a.interval, 75);
    const b = await client.announce(lab.udpUrl, req(8002, { left: 77, downloaded: 11, uploaded: 2 }));
    assert.deepEqual(b.peers, [{ ip: '127.0.0.1', port: 8001 }]);
    assert.deepEqual([b.complete, b.incomplete], [1, 1]);
    await client.announce(lab.udpUrl, req(8001, { event: 'none' }));
    assert.equal(lab.server.stats().udp!.connects - connectsBefore, 1, 'one connect for three announces');
    assert.equal(client.stats.connectsSent, 1);
    // BEP 15: the id is only used for 60 s; after that the client connects again.
    clock += 61_000;
    await client.announce(lab.udpUrl, req(8001, { event: 'none' }));
    assert.equal(lab.server.stats().udp!.connects - connectsBefore, 2);
    const obs = lab.observations.find((o) => o.announcedPort === 8002)!;
    assert.deepEqual([obs.protocol, obs.decoyId, obs.event, obs.left, obs.downloaded, obs.uploaded, obs.claimedIp], ['udp', 7, 'started', 77, 11, 2, null]);
  } finally {
    await client.close();
  }
});

test('unknown infohash over UDP: BEP 15 error, counted in an aggregate (not a row of its own), no peer entry', async () => {
  const client = new UdpTrackerClient({ timeoutsMs: [2000] });
  try {
    const unknown = id20(501);
    const before = lab.observations.length;
    await assert.rejects(client.announce(lab.udpUrl, { ...req(8100), infoHash: unknown }), (e) => e instanceof TrackerFailureError && /unknown torrent/.test(e.message));
    assert.equal(lab.observations.length, before, 'not recorded one by one');
    const isIt = (a: AggregateObservation) => a.cause === 'unknown-infohash' && a.reason === 'udp' && a.network === '127.0.0.0' && a.prefixLength === 24;
    assert.equal(await waitAggregated(lab, 1, isIt), 1);
    lab.known.set(Buffer.from(unknown).toString('hex'), 8);
    assert.deepEqual((await client.announce(lab.udpUrl, { ...req(8101), infoHash: unknown })).peers, []);
  } finally {
    await client.close();
  }
});

test('packets with forged connection ids get no reply; the claimed ip is recorded but not listed', async () => {
  const s = await bound();
  try {
    const port = Number(new URL(lab.udpUrl).port);
    const dropped = lab.server.stats().udp!.dropped;
    const forged = udp.encodeAnnounceRequest({
      connectionId: 0x1234n, transactionId: 1, infoHash: IH, peerId: id20(1), downloaded: 0n, left: 0n, uploaded: 0n,
      event: 'started', ip: 0, key: 0, numWant: 10, port: 8200,
    });
    s.send(forged, port, '127.0.0.1');
    s.send(udp.encodeConnectRequest(2), port, '127.0.0.1');
    // Loopback keeps order: had the forged packet been answered, that reply would come first.
    const [first] = await once(s, 'message') as [Buffer];
    const conn = udp.decodeConnectResponse(new Uint8Array(first));
    assert.equal(conn.transactionId, 2);
    assert.equal(lab.server.stats().udp!.dropped, dropped + 1);
    s.send(udp.encodeAnnounceRequest({
      connectionId: conn.connectionId, transactionId: 3, infoHash: IH, peerId: id20(2), downloaded: 0n, left: 5n, uploaded: 0n,
      event: 'started', ip: 0x0a090909, key: 0, numWant: 10, port: 8201,
    }), port, '127.0.0.1');
    const [reply] = await once(s, 'message') as [Buffer];
    assert.equal(udp.decodeAnnounceResponse(new Uint8Array(reply), 4).transactionId, 3);
    const obs = lab.observations.at(-1)!;
    assert.deepEqual([obs.claimedIp, obs.remoteIp, obs.announcedPort], ['10.9.9.9', '127.0.0.1', 8201]);
    // An authenticated but malformed request is answered with a BEP 15 error naming the reason.
    const bad = udp.encodeScrapeRequest({ connectionId: conn.connectionId, transactionId: 4, infoHashes: [IH] }).subarray(0, 30);
    s.send(bad, port, '127.0.0.1');
    const [err] = await once(s, 'message') as [Buffer];
    assert.deepEqual(udp.decodeErrorResponse(new Uint8Array(err)), { transactionId: 4, message: 'bad-length' });
    const client = new UdpTrackerClient({ timeoutsMs: [2000] });
    const listed = await client.announce(lab.udpUrl, req(8202)).finally(() => client.close());
    assert.ok(listed.peers.some((p) => p.ip === '127.0.0.1' && p.port === 8201));
    assert.ok(!listed.peers.some((p) => p.ip === '10.9.9.9'));
  } finally {
    s.close();
  }
});

test('a silent tracker gets exactly the configured number of tries, then a timeout error', async () => {
  const silent = await bound();
  let received = 0;
  silent.on('message', () => { received++; });
  const client = new UdpTrackerClient({ timeoutsMs: [30, 30, 30] });
  try {
    await assert.rejects(client.announce(`udp://127.0.0.1:${silent.address().port}`, req(8300)), TrackerTimeoutError);
    assert.equal(client.stats.connectsSent, 3);
    assert.equal(received, 3);
  } finally {
    await client.close();
    silent.close();
  }
});

test('a lost connect is retried; replies from the wrong address are ignored', async () => {
  const tracker = await bound();
  const impostor = await bound('127.0.0.3');
  let connects = 0;
  tracker.on('message', (m: Buffer, r) => {
    const p = new Uint8Array(m);
    if (p.length === 16) {
      connects++;
      const { transactionId } = udp.decodeConnectRequest(p);
      // The impostor answers every connect first; the real tracker drops the first one.
      impostor.send(udp.encodeConnectResponse(transactionId, 1n), r.port, r.address);
      if (connects > 1) tracker.send(udp.encodeConnectResponse(transactionId, 99n), r.port, r.address);
      return;
    }
    const q = udp.decodeAnnounceRequest(p);
    assert.equal(q.connectionId, 99n);
    tracker.send(udp.encodeAnnounceResponse({ transactionId: q.transactionId, interval: 10, leechers: 0, seeders: 1, peers: [] }, 4), r.port, r.address);
  });
  const client = new UdpTrackerClient({ timeoutsMs: [50, 2000] });
  try {
    const r = await client.announce(`udp://127.0.0.1:${tracker.address().port}/announce`, req(8400));
    assert.equal(r.interval, 10);
    assert.equal(connects, 2);
    assert.ok(client.stats.ignored >= 1);
  } finally {
    await client.close();
    tracker.close();
    impostor.close();
  }
});

test('invalid tracker URLs are refused before any packet is sent', async () => {
  const client = new UdpTrackerClient();
  try {
    await assert.rejects(client.announce('udp://127.0.0.1', req(1)), /udp:\/\/host:port/);
    await assert.rejects(client.announce('http://127.0.0.1:1', req(1)), /udp:\/\/host:port/);
    assert.equal(client.stats.connectsSent, 0);
  } finally {
    await client.close();
  }
});
