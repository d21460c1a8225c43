import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatConnectionsTable, medianFigure, ratioOf, summariseConnections } from './connections-figures.ts';
import type { LoadResult } from './connections-load.ts';
import type { ProcSample } from './connections-proc.ts';

const proc = (rssKiB: number, cpuS: number): ProcSample => ({ atMs: 0, rssKiB, peakRssKiB: rssKiB, rssAnonKiB: rssKiB, cpuS, threads: 1, fds: 10 });

function result(over: Partial<LoadResult> = {}): LoadResult {
  return {
    attempted: 1000, opened: 1000, held: 1000, rampS: 0.5,
    latencyMs: { p50: 10, p90: 20, p99: 30, max: 40 }, failures: {}, drops: {},
    seeder: { base: proc(10_000, 1), ramped: proc(20_000, 1.2), held: proc(20_000, 1.3) },
    holdS: 10, loadgenCpuS: 0.4, ...over,
  };
}

test('rates, CPU per handshake, memory per connection and holding CPU', () => {
  const f = summariseConnections('counterseed', 1000, result());
  assert.equal(f.status, 'ok');
  assert.equal(f.handshakesPerS, 2000);
  assert.equal(Math.round(f.cpuUsPerHandshake!), 200); // 0.2 s over 1000 handshakes
  assert.equal(f.kBPerConnection, (10_000 * 1024) / 1e3 / 1000);
  assert.equal(Math.round(f.holdCpuMsPerS), 10); // 0.1 s over 10 s
  assert.equal(f.rssHeldMB, (20_000 * 1024) / 1e6);
});

test('a side that lost connections is short, names why, and gets no ratios', () => {
  const short = summariseConnections('libtorrent', 1000, result({ opened: 900, held: 890, failures: { 'closed-before-handshake': 100 }, drops: { 'closed-by-seeder': 10 } }));
  assert.equal(short.status, 'short');
  assert.ok(short.problems.includes('100 failed to open: closed-before-handshake'));
  assert.ok(short.problems.includes('10 dropped after opening: closed-by-seeder'));
  const table = formatConnectionsTable([summariseConnections('counterseed', 1000, result()), short]);
  assert.match(table, /libtorrent: SHORT, 890\/1000 held/);
  assert.doesNotMatch(table, /\| x\d/);
});

test('a problem outside the sample (unclean exit) also makes the side short', () => {
  assert.equal(summariseConnections('counterseed', 1000, result(), ['counterseed exited with 1']).status, 'short');
});

test('ratios are counterseed / libtorrent, only when both held everything', () => {
  assert.equal(ratioOf(6, 3), 2);
  assert.equal(ratioOf(1, 0), null);
  assert.equal(ratioOf(null, 3), null);
  const lt = summariseConnections('libtorrent', 1000, result({ rampS: 1 }));
  const table = formatConnectionsTable([summariseConnections('counterseed', 1000, result()), lt]);
  assert.match(table, /handshakes per second \(ramp\) \| 2000 \/s \| 1000 \/s \| x2\.00 \|/);
});

test('rounds fold to medians; the worst round decides held and status', () => {
  const a = summariseConnections('counterseed', 1000, result({ rampS: 0.5 }));
  const b = summariseConnections('counterseed', 1000, result({ rampS: 1 }));
  const c = summariseConnections('counterseed', 1000, result({ rampS: 0.25, held: 999, drops: { 'closed-by-seeder': 1 } }));
  const m = medianFigure([a, b, c]);
  assert.equal(m.handshakesPerS, 2000);
  assert.equal(m.held, 999);
  assert.equal(m.status, 'short');
  assert.deepEqual(m.problems, ['1 dropped after opening: closed-by-seeder']);
  assert.equal(medianFigure([a, b]).handshakesPerS, 1500);
  assert.throws(() => medianFigure([]), RangeError);
});
