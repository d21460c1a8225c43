import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AggregateObservation, Observation, RejectedConnectionObservation } from '../../../src/domain/observation.ts';
import { FloodGate, type FloodGateInit } from '../../../src/observation/flood-gate.ts';
import { sourcePrefix } from '../../../src/observation/source-prefix.ts';

const T0 = 1_764_000_000_000;

function gate(init: FloodGateInit) {
  let t = T0;
  const out: Observation[] = [];
  const g = new FloodGate(init, { publish: (o) => out.push(o), now: () => t });
  const reject = (ip: string, at = t, reason = 'unknown-infohash'): RejectedConnectionObservation =>
    ({ kind: 'rejected-connection', at, remoteIp: ip, remotePort: 1, infoHash: null, reason });
  const aggregates = () => out.filter((o): o is AggregateObservation => o.kind === 'aggregate');
  const accounted = () => out.filter((o) => o.kind !== 'aggregate').length + aggregates().reduce((n, a) => n + a.count, 0);
  return { g, out, reject, aggregates, accounted, set: (ms: number) => { t = ms; } };
}

describe('source prefix', () => {
  // The network in the one spelling of domain/ip-address.ts (RFC 5952), like every other address.
  it('is the /24 of an IPv4 address and the /48 of an IPv6 address', () => {
    assert.deepEqual(sourcePrefix('198.51.100.77'), { network: '198.51.100.0', length: 24 });
    assert.deepEqual(sourcePrefix('::ffff:198.51.100.77'), { network: '198.51.100.0', length: 24 });
    assert.deepEqual(sourcePrefix('2001:db8:1:2::5'), { network: '2001:db8:1::', length: 48 });
    assert.deepEqual(sourcePrefix('2001:0db8:0001:ffff:0:0:0:1'), { network: '2001:db8:1::', length: 48 });
    assert.deepEqual(sourcePrefix('::1'), { network: '::', length: 48 });
    assert.deepEqual(sourcePrefix('2001:db8::1.2.3.4'), { network: '2001:db8::', length: 48 });
    assert.deepEqual(sourcePrefix('fe80::1%lo'), { network: 'fe80::', length: 48 });
    assert.deepEqual(sourcePrefix('not-an-ip'), { network: 'not-an-ip', length: 0 });
  });
});

describe('flood gate', () => {
  it('records within the per-second budget and counts the rest per reason, source /24 and second: totals are exact', () => {
    const f = gate({ perSecond: 100, perSourcePerSecond: 1000, maxOpenBuckets: 64 });
    // 2,000 events over 4 seconds from 10 networks, two reasons.
    for (let i = 0; i < 2000; i++) {
      f.set(T0 + Math.floor(i / 500) * 1000 + (i % 500));
      f.g.offer(f.reject(`198.51.${i % 10}.${i % 200}`, undefined, i % 3 ? 'unknown-infohash' : 'handshake-timeout'), i % 3 ? 'unknown-infohash' : 'handshake-timeout');
    }
    f.g.flush();
    assert.equal(f.out.filter((o) => o.kind === 'rejected-connection').length, 400, '100 per second, 4 seconds');
    assert.equal(f.accounted(), 2000);
    assert.deepEqual(f.g.stats, { recorded: 400, aggregated: 1600, aggregateRecords: f.aggregates().length });
    for (const a of f.aggregates()) {
      assert.equal(a.at % 1000, 0);
      assert.equal(a.prefixLength, 24);
      assert.match(a.network, /^198\.51\.\d\.0$/);
      assert.equal(a.cause, 'rate-cap');
    }
    // One bucket per (second, reason, network): 4 x 2 x 10.
    assert.equal(f.aggregates().length, 80);
  });

  it('caps one source network per second, leaving the budget to others', () => {
    const f = gate({ perSecond: 100, perSourcePerSecond: 5, maxOpenBuckets: 64 });
    for (let i = 0; i < 50; i++) f.g.offer(f.reject(`203.0.113.${i}`), 'x');
    f.g.offer(f.reject('192.0.2.1'), 'x');
    f.g.flush();
    assert.deepEqual(f.out.filter((o) => o.kind === 'rejected-connection').map((o) => (o as RejectedConnectionObservation).remoteIp),
      ['203.0.113.0', '203.0.113.1', '203.0.113.2', '203.0.113.3', '203.0.113.4', '192.0.2.1']);
    assert.deepEqual(f.aggregates().map((a) => [a.network, a.count]), [['203.0.113.0', 45]]);
  });

  it('publishes a bucket once its second is over, by the next event or by its timer', async () => {
    const f = gate({ perSecond: 0, perSourcePerSecond: 0, maxOpenBuckets: 64 });
    f.g.offer(f.reject('198.51.100.1'), 'r');
    f.g.offer(f.reject('198.51.100.2'), 'r');
    assert.equal(f.aggregates().length, 0, 'still open');
    f.set(T0 + 1000);
    f.g.offer(f.reject('198.51.100.3'), 'r');
    assert.deepEqual(f.aggregates().map((a) => [a.at, a.count]), [[T0, 2]]);
    f.set(T0 + 2000);
    f.g.flushClosed();
    assert.deepEqual(f.aggregates().map((a) => [a.at, a.count]), [[T0, 2], [T0 + 1000, 1]]);
    assert.equal(f.g.openBuckets, 0);
  });

  it('keeps at most maxOpenBuckets (+ the overflow slack) whatever the number of sources, and still counts every event', () => {
    const f = gate({ perSecond: 0, perSourcePerSecond: 0, maxOpenBuckets: 16 });
    let peak = 0;
    for (let i = 0; i < 20_000; i++) {
      f.g.offer(f.reject(`10.${(i >> 8) & 255}.${i & 255}.1`, undefined, `reason-${i % 100}`), `reason-${i % 100}`);
      peak = Math.max(peak, f.g.openBuckets);
    }
    assert.ok(peak <= 16 + 64, `peak ${peak}`);
    f.g.flush();
    assert.equal(f.accounted(), 20_000);
    assert.ok(f.aggregates().some((a) => a.network === '0.0.0.0' && a.prefixLength === 0), 'sources beyond the bound share the /0 bucket');
  });

  it('counts announces for unknown infohashes directly, IPv6 by /48', () => {
    const f = gate({ perSecond: 100, perSourcePerSecond: 100, maxOpenBuckets: 16 });
    for (let i = 0; i < 7; i++) f.g.count('tracker-announce', 'unknown-infohash', 'udp', `2001:db8:5:${i}::1`, T0 + i);
    f.g.flush();
    assert.deepEqual(f.aggregates(), [{ kind: 'aggregate', at: T0, observed: 'tracker-announce', cause: 'unknown-infohash', reason: 'udp', network: '2001:db8:5::', prefixLength: 48, count: 7 }]);
  });
});
