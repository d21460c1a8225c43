import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Announcer } from '../../../src/bittorrent/tracker/client/announcer.ts';
import { AnnounceScheduler } from '../../../src/bittorrent/tracker/client/scheduler.ts';
import type { AnnounceEvent } from '../../../src/bittorrent/tracker/codec/types.ts';
import { id20 } from './fixtures.ts';

/**
 * Issue 10 item 5: the first announce round is memory-bounded: never more than maxConcurrent
 * announces in flight, whatever happens meanwhile (adds, removes, a new tracker re-laying the
 * columns, failures), and nothing per decoy beyond its columns.
 */
function infoHash(i: number): Uint8Array {
  const b = new Uint8Array(20);
  new DataView(b.buffer).setUint32(0, i + 1);
  b[19] = 0x5c;
  return b;
}
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('announces in flight never exceed the bound through adds, removes, a new tracker and failures', async () => {
  const BOUND = 7;
  const N = 3000;
  let inFlight = 0, peak = 0, calls = 0;
  const seen = new Map<string, AnnounceEvent[]>();
  const announce: Announcer = async (tracker, req) => {
    inFlight++;
    calls++;
    peak = Math.max(peak, inFlight);
    assert.ok(inFlight <= BOUND, `in flight ${inFlight} > ${BOUND}`);
    const key = `${tracker} ${hex(req.infoHash)}`;
    seen.set(key, [...(seen.get(key) ?? []), req.event]);
    try {
      await sleep(calls % 5);
      if (calls % 11 === 0) throw new Error('tracker hiccup');
      return { interval: 3600, peers: [] };
    } finally { inFlight--; }
  };
  const s = new AnnounceScheduler({ peerId: id20(9), port: 6881, maxConcurrent: BOUND, announce, minIntervalMs: 3_600_000, backoffBaseMs: 1 });
  for (let i = 0; i < N; i++) s.add({ infoHash: infoHash(i), trackers: ['http://198.18.0.1/announce'] });
  s.start();
  await sleep(20);
  // Mid-round: a second tracker for every decoy (re-lays every column), some removed, some added.
  for (let i = 0; i < N; i++) s.add({ infoHash: infoHash(i), trackers: ['udp://198.18.0.1:6969'] });
  for (let i = 0; i < 200; i++) s.remove(infoHash(i));
  for (let i = N; i < N + 500; i++) s.add({ infoHash: infoHash(i), trackers: ['http://198.18.0.1/announce', 'udp://198.18.0.1:6969'] });
  await s.whenAllAnnounced({ signal: AbortSignal.timeout(60_000) });
  assert.equal(s.size, N + 300);
  assert.ok(peak === BOUND && s.peakInFlight === BOUND, `the bound was reached and held: peak ${peak}, scheduler ${s.peakInFlight}`);
  // Every remaining (decoy, tracker) pair had its first attempt; a failed one retries as `started`.
  for (let i = 200; i < N + 500; i++) {
    for (const t of ['http://198.18.0.1/announce', 'udp://198.18.0.1:6969']) {
      const events = seen.get(`${t} ${hex(infoHash(i))}`) ?? [];
      assert.ok(events.length >= 1 && events[0] === 'started', `${t} ${i}: ${events.join(',')}`);
    }
  }
  await s.stop({ deadlineMs: 30_000 });
  assert.ok(peak <= BOUND);
  // Removed decoys that had been answered got their `stopped`; so did every announced one at stop().
  const stoppedFor = (i: number) => (seen.get(`http://198.18.0.1/announce ${hex(infoHash(i))}`) ?? []).filter((e) => e === 'stopped').length;
  const answeredRemoved = [...Array(200).keys()].filter((i) => (seen.get(`http://198.18.0.1/announce ${hex(infoHash(i))}`) ?? []).includes('started'));
  assert.ok(answeredRemoved.every((i) => stoppedFor(i) <= 1), 'at most one stopped per pair');
  assert.ok([...Array(N + 500).keys()].slice(200).some((i) => stoppedFor(i) === 1), 'stop() sent stopped');
});

test('100,000 decoys x 2 trackers cost columns only: well under 200 bytes of heap per decoy', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const announce: Announcer = async () => ({ interval: 3600, peers: [] });
  gc();
  const before = process.memoryUsage();
  const s = new AnnounceScheduler({ peerId: id20(9), port: 6881, announce });
  const N = 100_000;
  const h = new Uint8Array(20);
  for (let i = 0; i < N; i++) {
    new DataView(h.buffer).setUint32(0, i + 1);
    s.add({ infoHash: h, trackers: ['http://198.18.0.1/announce', 'udp://198.18.0.1:6969'] });
  }
  gc();
  const after = process.memoryUsage();
  const perDecoy = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / N;
  assert.equal(s.size, N);
  // Columns: 20 (hash) + 4 (generation) + 8 (index) + 2 x (8 due + 1 state + 1 failures + 8 heap) = 68 bytes, x1.5 growth slack.
  assert.ok(perDecoy < 200, `${perDecoy.toFixed(0)} bytes per decoy`);
  await s.stop({ deadlineMs: 1 });
});
