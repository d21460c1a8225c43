import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpAnnounce } from '../../../src/bittorrent/tracker/client/http-client.ts';
import { UdpTrackerClient } from '../../../src/bittorrent/tracker/client/udp-client.ts';
import type { AnnounceRequest } from '../../../src/bittorrent/tracker/codec/types.ts';
import { id20, startLabTracker } from './fixtures.ts';

const DECOY = id20(4242);
const req = (n: number, known: boolean): AnnounceRequest => ({
  infoHash: known ? DECOY : id20(10_000 + n), peerId: id20(n), port: 20_000 + (n % 1000), uploaded: 0, downloaded: 0, left: 5, event: 'none', compact: true,
});

test('HTTP and UDP announce floods, half for a decoy and half for unknown infohashes: recorded + aggregated = sent, unknown ones never recorded one by one', async () => {
  const lab = await startLabTracker({ intervalSeconds: 60, announceRecords: { perSecond: 100, perSourcePerSecond: 40, maxOpenBuckets: 64 } });
  lab.known.set(Buffer.from(DECOY).toString('hex'), 1);
  const N = 1200;
  const udpClients = Array.from({ length: 4 }, (_, i) => new UdpTrackerClient({ localAddress: `127.0.${70 + i}.1`, timeoutsMs: [3000] }));
  try {
    for (let i = 0; i < N; i += 60) {
      await Promise.all(Array.from({ length: 60 }, async (_, k) => {
        const n = i + k;
        const r = req(n, n % 2 === 0);
        const p = n % 4 < 2
          ? httpAnnounce(lab.httpUrl, r, { localAddress: `127.0.${60 + (n % 3)}.${1 + (n % 50)}` })
          : udpClients[n % 4]!.announce(lab.udpUrl, r);
        await p.catch(() => undefined); // unknown infohashes are answered with a failure reason
      }));
    }
  } finally {
    for (const c of udpClients) await c.close();
    await lab.server.stop();
  }
  const stats = lab.server.stats();
  assert.equal(stats.http!.announces + stats.udp!.announces, N, 'every announce reached the tracker');
  for (const protocol of ['http', 'udp'] as const) {
    const individual = lab.observations.filter((o) => o.protocol === protocol);
    assert.ok(individual.every((o) => o.decoyId === 1), `${protocol}: only announces for the decoy are recorded one by one`);
    const aggregated = lab.aggregates.filter((a) => a.reason === protocol);
    const unknown = aggregated.filter((a) => a.cause === 'unknown-infohash').reduce((n, a) => n + a.count, 0);
    const capped = aggregated.filter((a) => a.cause === 'rate-cap').reduce((n, a) => n + a.count, 0);
    assert.equal(unknown, N / 4, `${protocol}: every unknown-infohash announce counted`);
    assert.equal(individual.length + capped, N / 4, `${protocol}: ${individual.length} recorded + ${capped} aggregated`);
  }
  assert.ok(lab.aggregates.some((a) => a.cause === 'rate-cap'), 'the flood went over the budget');
  assert.deepEqual(stats.records, { recorded: lab.observations.length, aggregated: N - lab.observations.length, aggregateRecords: lab.aggregates.length });
});
