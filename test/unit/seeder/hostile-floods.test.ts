import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ConnectionLimits } from '../../../src/bittorrent/seeder/connection-limits.ts';
import { Seeder, type SeederInit } from '../../../src/bittorrent/seeder/seeder.ts';
import { TorrentIndex } from '../../../src/bittorrent/seeder/torrent-index.ts';
import { encodeHandshake, makeReserved } from '../../../src/bittorrent/wire/handshake.ts';
import { encodeMessage } from '../../../src/bittorrent/wire/messages.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import type { AggregateObservation, Observation, RejectedConnectionObservation } from '../../../src/domain/observation.ts';
import { RawPeer } from '../../helpers/raw-peer.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';
import { makeOwnPeerId } from '../../../src/bittorrent/wire/own-peer-id.ts';

const PEER_ID = new Uint8Array(Buffer.from('-TR3000-abcdefghijkl', 'latin1'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startSeeder(overrides: Partial<SeederInit> = {}, size = 100_000) {
  const t = testDecoy({ size, pieceLength: 32_768 });
  const index = new TorrentIndex({ sourceFor: () => t.source, loadInfo: () => t.decoy.info });
  index.add(t.decoy);
  const observations: Observation[] = [];
  const seeder = new Seeder({
    host: '127.0.0.1', port: 0, peerId: makeOwnPeerId('-qB5030-', 'libtorrent'), clientVersion: 'qBittorrent/5.0.3',
    maxConnections: 2000, maxConnectionsPerIp: 100, uploadSlots: 4, uploadRate: 0, unchokeRotationMs: 30_000,
    handshakeTimeoutMs: 2000, idleTimeoutMs: 10_000, maxRequestQueue: 50, allowPlaintext: true, ...overrides,
  }, { index, publish: (o) => observations.push(o), now: Date.now });
  const { port } = await seeder.start();
  const rejections = (reason: string) => observations.filter((o): o is RejectedConnectionObservation => o.kind === 'rejected-connection' && o.reason === reason);
  const aggregated = (reason: string) => observations
    .filter((o): o is AggregateObservation => o.kind === 'aggregate' && o.observed === 'rejected-connection' && o.reason === reason)
    .reduce((n, a) => n + a.count, 0);
  return { ...t, seeder, port, infoHash: infoHashFromHex(t.decoy.infoHash), observations, rejections, aggregated };
}

/** Sends `bytes` one at a time, `everyMs` apart, until the connection closes or `maxMs` passes. */
async function trickle(peer: RawPeer, bytes: Uint8Array, everyMs: number, maxMs: number): Promise<number> {
  const t0 = Date.now();
  for (let i = 0; i < bytes.length && !peer.closed && Date.now() - t0 < maxMs; i++) {
    peer.writeRaw(bytes.subarray(i, i + 1));
    await sleep(everyMs);
  }
  await peer.waitUntil(() => peer.closed, Math.max(0, maxMs - (Date.now() - t0)), 'close at the deadline');
  return Date.now() - t0;
}

describe('handshake deadline (slowloris)', () => {
  it('drops a plaintext handshake trickled a byte at a time at the deadline from accept, and records why', async () => {
    const s = await startSeeder({ handshakeTimeoutMs: 800 });
    try {
      const peer = await RawPeer.connect(s.port);
      // 68 bytes at one per 60 ms would complete after ~4 s; every byte arrives well within 800 ms of the last.
      const hs = encodeHandshake({ reserved: makeReserved({ extended: true, fast: true }), infoHash: s.infoHash, peerId: PEER_ID });
      const ms = await trickle(peer, hs, 60, 3000);
      assert.ok(ms >= 700 && ms < 1800, `closed after ${ms} ms, deadline 800 ms`);
      assert.deepEqual(s.rejections('handshake-timeout').map((o) => o.remotePort), [peer.localPort]);
      assert.equal(s.observations.filter((o) => o.kind === 'delivery').length, 0);
    } finally {
      await s.seeder.stop();
    }
  });

  it('drops a trickled MSE handshake at the same deadline', async () => {
    const s = await startSeeder({ handshakeTimeoutMs: 800 });
    try {
      const peer = await RawPeer.connect(s.port);
      const ya = new Uint8Array(randomBytes(700));
      ya[0] = 0x55; // not 19 'BitTorrent protocol': the responder takes it for MSE and waits for the req1 sync
      const ms = await trickle(peer, ya, 30, 3000);
      assert.ok(ms >= 700 && ms < 1800, `closed after ${ms} ms, deadline 800 ms`);
      assert.deepEqual(s.rejections('handshake-timeout').map((o) => o.remotePort), [peer.localPort]);
    } finally {
      await s.seeder.stop();
    }
  });

  it('keeps a routed session open past the handshake deadline (the deadline ends at routing)', async () => {
    const s = await startSeeder({ handshakeTimeoutMs: 300 });
    try {
      const peer = await RawPeer.connect(s.port);
      await peer.sendHandshake(s.infoHash, PEER_ID);
      await peer.waitFor('have-all');
      await sleep(600);
      assert.equal(peer.closed, false);
      peer.close();
    } finally {
      await s.seeder.stop();
    }
  });
});

describe('per-prefix connection limits', () => {
  it('limits one /24 and one /48 besides one address', () => {
    const l = new ConnectionLimits({ maxConnections: 100, maxConnectionsPerIp: 2, maxConnectionsPerPrefix: 3 });
    assert.equal(l.admit('198.51.100.1'), undefined);
    assert.equal(l.admit('198.51.100.1'), undefined);
    assert.equal(l.admit('198.51.100.1'), 'limit:connections-per-ip');
    assert.equal(l.admit('198.51.100.2'), undefined);
    assert.equal(l.admit('198.51.100.3'), 'limit:connections-per-prefix');
    assert.equal(l.admit('198.51.101.3'), undefined, 'another /24');
    l.release('198.51.100.1');
    assert.equal(l.admit('198.51.100.3'), undefined, 'a released slot is free again');
    for (const ip of ['2001:db8:7:1::1', '2001:db8:7:2::1', '2001:db8:7:ffff::9']) assert.equal(l.admit(ip), undefined);
    assert.equal(l.admit('2001:db8:7:3::1'), 'limit:connections-per-prefix');
    assert.equal(l.admit('2001:db8:8::1'), undefined, 'another /48');
    assert.equal(l.total, 8);
  });

  it('refuses the connection over the /24 limit over loopback and records the reason', async () => {
    const s = await startSeeder({ maxConnectionsPerPrefix: 2 });
    try {
      const a = await RawPeer.connect(s.port, { localAddress: '127.0.7.1' });
      const b = await RawPeer.connect(s.port, { localAddress: '127.0.7.2' });
      await sleep(50);
      const c = await RawPeer.connect(s.port, { localAddress: '127.0.7.3' });
      const d = await RawPeer.connect(s.port, { localAddress: '127.0.8.1' });
      await c.waitClosed(2000);
      assert.deepEqual(s.rejections('limit:connections-per-prefix').map((o) => o.remoteIp), ['127.0.7.3']);
      await d.sendHandshake(s.infoHash, PEER_ID);
      await d.waitFor('have-all');
      for (const p of [a, b, d]) p.close();
    } finally {
      await s.seeder.stop();
    }
  });
});

describe('rejection floods: counted, never dropped', () => {
  it('2,000 unknown-infohash connections from 8 networks: individual records + aggregate counts = 2,000', async () => {
    const s = await startSeeder({ rejectionRecords: { perSecond: 100, perSourcePerSecond: 40, maxOpenBuckets: 64 } });
    try {
      const N = 2000;
      const ports = new Set<number>();
      for (let i = 0; i < N; i += 100) {
        await Promise.all(Array.from({ length: 100 }, async (_, k) => {
          const n = i + k;
          const p = await RawPeer.connect(s.port, { localAddress: `127.0.${30 + (n % 8)}.${1 + (n % 200)}` });
          ports.add(p.localPort);
          await p.sendHandshake(new Uint8Array(randomBytes(20)), PEER_ID);
          await p.waitClosed(5000);
        }));
      }
      await s.seeder.stop();
      const individual = s.rejections('unknown-infohash').length;
      const counted = s.aggregated('unknown-infohash');
      assert.equal(individual + counted, N, `${individual} recorded + ${counted} aggregated`);
      assert.ok(counted > 0, 'the flood went over the budget');
      assert.equal(s.observations.filter((o) => o.kind === 'rejected-connection' && o.reason !== 'unknown-infohash').length, 0);
      for (const a of s.observations) if (a.kind === 'aggregate') assert.match(a.network, /^127\.0\.3\d\.0$/);
    } finally {
      await s.seeder.stop();
    }
  });

  it('600 idle connections from 120 addresses time out: individual records + aggregate counts = 600', async () => {
    const s = await startSeeder({ handshakeTimeoutMs: 500, rejectionRecords: { perSecond: 100, perSourcePerSecond: 40, maxOpenBuckets: 64 } });
    try {
      const N = 600;
      const peers = await Promise.all(Array.from({ length: N }, (_, n) => RawPeer.connect(s.port, { localAddress: `127.0.${40 + (n % 3)}.${1 + (n % 40)}` })));
      await Promise.all(peers.map((p) => p.waitClosed(5000)));
      await s.seeder.stop();
      const individual = s.rejections('handshake-timeout').length;
      const counted = s.aggregated('handshake-timeout');
      assert.equal(individual + counted, N, `${individual} recorded + ${counted} aggregated`);
      assert.ok(individual <= 200 && counted >= 400, `${individual} recorded`);
    } finally {
      await s.seeder.stop();
    }
  });
});

describe('request floods', () => {
  it('300 peers sending 2,000 requests at once and leaving after 0.5 s: every connection is accepted and recorded', async () => {
    // Most are choked (4 upload slots), so each request is answered with a BEP 6 reject. Written one
    // socket write per reject, 2,000 writes per peer kept the event loop ~1.8 s busy: clients gave up
    // before the node accepted them, and 230-250 of the 300 connections left no record at all.
    const s = await startSeeder({ maxRequestQueue: 2000, handshakeTimeoutMs: 3000 }, 2_000_000);
    try {
      const burst = [encodeMessage({ type: 'interested' })];
      for (let i = 0; i < 2000; i++) burst.push(encodeMessage({ type: 'request', index: i % 60, begin: (Math.floor(i / 60) % 2) * 16384, length: 16384 }));
      const bytes = Buffer.concat([encodeHandshake({ reserved: makeReserved({ extended: true, fast: true }), infoHash: s.infoHash, peerId: PEER_ID }), ...burst]);
      let sent = 0;
      for (let i = 0; i < 300; i += 100) {
        await Promise.all(Array.from({ length: 100 }, async (_, k) => {
          const p = await RawPeer.connect(s.port, { localAddress: `127.0.${80 + ((i + k) % 4)}.${1 + ((i + k) % 75)}` });
          sent++;
          p.socket.pause(); // never reads
          p.writeRaw(bytes);
          await sleep(500);
          p.socket.destroy();
        }));
      }
      const deadline = Date.now() + 10_000;
      while (s.observations.filter((o) => o.kind === 'delivery').length < sent && Date.now() < deadline) await sleep(50);
      assert.equal(s.observations.filter((o) => o.kind === 'delivery').length, sent);
    } finally {
      await s.seeder.stop();
    }
  });
});
