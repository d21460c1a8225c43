import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { DhtNode } from '../../../src/bittorrent/dht/dht-node.ts';
import { encodeQuery } from '../../../src/bittorrent/dht/krpc.ts';
import type { AggregateObservation, Observation } from '../../../src/domain/observation.ts';

test('3,000 get_peers for a decoy from 6 networks: swarm-presence records + aggregate counts = queries received', async () => {
  const decoy = Buffer.from(randomBytes(20)).toString('hex');
  const observations: Observation[] = [];
  let received = 0;
  const node = new DhtNode({ host: '127.0.0.1', port: 0, presenceRecords: { perSecond: 100, perSourcePerSecond: 40, maxOpenBuckets: 64 } }, {
    now: Date.now, decoyFor: (h) => (h === decoy ? 7 : null), peerPort: () => 40_001, publish: (o) => observations.push(o),
    onQuery: (_from, method) => { if (method === 'get_peers') received++; },
  });
  const { port } = await node.start();
  const senders = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, `127.0.${50 + i}.1`, () => r()));
    return s;
  }));
  const N = 3000;
  try {
    for (let i = 0; i < N; i++) {
      const q = encodeQuery(Uint8Array.of(i >> 8, i & 255), 'get_peers', new Uint8Array(randomBytes(20)), { infoHash: Buffer.from(decoy, 'hex') });
      await new Promise<void>((r) => senders[i % 6]!.send(q, port, '127.0.0.1', () => r()));
      // Paced so loopback's socket buffer never overflows: every query is received, and counted.
      if (i % 25 === 24) await new Promise((r) => setTimeout(r, 2));
    }
    for (const end = Date.now() + 3000; received < N && Date.now() < end;) await new Promise((r) => setTimeout(r, 10));
  } finally {
    for (const s of senders) s.close();
    await node.stop();
  }
  assert.ok(received >= N * 0.95, `${received} of ${N} queries arrived`);
  const individual = observations.filter((o) => o.kind === 'swarm-presence').length;
  const aggregates = observations.filter((o): o is AggregateObservation => o.kind === 'aggregate');
  const counted = aggregates.reduce((n, a) => n + a.count, 0);
  assert.equal(individual + counted, received, `${individual} recorded + ${counted} aggregated of ${received}`);
  assert.ok(counted > 0, 'the flood went over the budget');
  assert.equal(node.stats.aggregatedObservations, counted);
  for (const a of aggregates) {
    assert.deepEqual([a.observed, a.cause, a.reason, a.prefixLength], ['swarm-presence', 'rate-cap', 'dht-get-peers', 24]);
    assert.match(a.network, /^127\.0\.5\d\.0$/);
  }
});
