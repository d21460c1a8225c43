import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRatio, formatTable, median, ratio, summarise } from './figures.ts';
import type { LoadSample } from './load.ts';

/** Figures are float arithmetic: compare to 1e-9. */
function close(actual: number | null, expected: number): void {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);
}

function sample(over: Partial<LoadSample> = {}): LoadSample {
  return {
    n: 2, ok: 2, timedOut: false, wallS: 2, bytesDelivered: 400e6, payloadBytesReceived: 400e6,
    seederCpuS: 0.5, seederCpuSettledS: 0.6, seederPeakRssBytes: 80e6, loadgenCpuS: 1,
    downloaderSeconds: [1.5, 2], errors: [], ...over,
  };
}

test('median of odd and even counts, and of nothing', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.throws(() => median([]), RangeError);
});

test('summarise: MB/s, CPU s/GB (settled CPU), RSS MB and cores, decimal units', () => {
  const f = summarise('counterseed', 2, [sample()]);
  assert.equal(f.status, 'ok');
  close(f.mbPerS, 200);
  close(f.cpuSPerGB, 1.5);
  close(f.peakRssMB, 80);
  close(f.seederCores, 0.25);
  close(f.loadgenCores, 0.5);
  assert.equal(`${f.ok}/${f.total}`, '2/2');
});

test('summarise takes medians over rounds', () => {
  const f = summarise('libtorrent', 2, [sample({ wallS: 1 }), sample({ wallS: 4 }), sample({ wallS: 2 })]);
  assert.equal(f.rounds, 3);
  close(f.mbPerS, 200);
  assert.equal(f.wallS, 2);
});

test('a level with a lost download is failed and has no speed', () => {
  const f = summarise('counterseed', 2, [sample(), sample({ ok: 1, bytesDelivered: 200e6 })]);
  assert.equal(f.status, 'failed');
  assert.equal(f.mbPerS, null);
  assert.equal(f.cpuSPerGB, null);
  assert.equal(`${f.ok}/${f.total}`, '1/2');
  assert.match(formatTable([f]), /\| 2 \| counterseed \| FAILED \|/);
});

test('a timed-out level, an unclean seeder exit, or no sample at all is failed', () => {
  assert.equal(summarise('counterseed', 2, [sample({ timedOut: true })]).status, 'failed');
  const unclean = summarise('libtorrent', 2, [sample()], ['libtorrent exited with 1']);
  assert.equal(unclean.status, 'failed');
  assert.deepEqual(unclean.problems, ['libtorrent exited with 1']);
  const none = summarise('counterseed', 8, [], ['ready timeout']);
  assert.equal(none.status, 'failed');
  assert.equal(none.total, 8);
});

test('ratio is counterseed over libtorrent, and n/a when a side failed', () => {
  const cs = summarise('counterseed', 2, [sample({ wallS: 1 })]);
  const lt = summarise('libtorrent', 2, [sample({ wallS: 4, seederPeakRssBytes: 40e6 })]);
  const r = ratio(cs, lt);
  close(r.mbPerS, 4);
  close(r.peakRss, 2);
  assert.match(formatRatio(r), /MB\/s x4\.00/);
  const failed = ratio(cs, summarise('libtorrent', 2, [sample({ ok: 0 })]));
  assert.equal(failed.mbPerS, null);
  assert.match(formatRatio(failed), /n\/a/);
});
