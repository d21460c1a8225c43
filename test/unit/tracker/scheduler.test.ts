import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAnnouncer, type Announcer } from '../../../src/bittorrent/tracker/client/announcer.ts';
import { AnnounceScheduler, type AnnounceResult } from '../../../src/bittorrent/tracker/client/scheduler.ts';
import { UdpTrackerClient } from '../../../src/bittorrent/tracker/client/udp-client.ts';
import type { AnnounceEvent } from '../../../src/bittorrent/tracker/codec/types.ts';
import { id20, startLabTracker } from './fixtures.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
function infoHash(i: number): Uint8Array {
  const b = new Uint8Array(20);
  new DataView(b.buffer).setUint32(0, i + 1);
  b[19] = 0xc5;
  return b;
}

test('1,000 torrents x (HTTP + UDP tracker): one started each, bounded concurrency, stopped on stop()', async () => {
  // Every announce recorded one by one: this counts what the scheduler sends, not the tracker's flood budget.
  const lab = await startLabTracker({ intervalSeconds: 3600, announceRecords: { perSecond: 1e6, perSourcePerSecond: 1e6, maxOpenBuckets: 16 } });
  const udpClient = new UdpTrackerClient({ timeoutsMs: [5000, 5000] });
  const inner = createAnnouncer({ udp: udpClient });
  let inFlight = 0, peak = 0;
  const counted: Announcer = async (t, r, o) => {
    peak = Math.max(peak, ++inFlight);
    try { return await inner(t, r, o); } finally { inFlight--; }
  };
  const results: AnnounceResult[] = [];
  const N = 1000;
  const s = new AnnounceScheduler({
    peerId: id20(1), port: 6881, maxConcurrent: 16, announce: counted, minIntervalMs: 3_600_000,
    uploaded: (h) => h[3]!, onResult: (r) => results.push(r),
  });
  try {
    for (let i = 0; i < N; i++) {
      lab.known.set(hex(infoHash(i)), i);
      s.add({ infoHash: infoHash(i), trackers: [lab.httpUrl, lab.udpUrl, lab.httpUrl] });
    }
    assert.equal(s.size, N);
    s.start();
    await s.whenAllAnnounced({ signal: AbortSignal.timeout(60_000) });
    assert.equal(results.length, 2 * N);
    assert.ok(results.every((r) => r.ok && r.event === 'started'), results.find((r) => !r.ok)?.error);
    for (const proto of ['http', 'udp'] as const) {
      const byHash = new Map<string, number>();
      for (const o of lab.observations) if (o.protocol === proto) byHash.set(o.infoHash, (byHash.get(o.infoHash) ?? 0) + (o.event === 'started' ? 1 : 100));
      assert.equal(byHash.size, N, proto);
      assert.ok([...byHash.values()].every((n) => n === 1), `${proto}: exactly one started per torrent`);
    }
    const sample = lab.observations.find((o) => o.infoHash === hex(infoHash(300)))!;
    assert.deepEqual([sample.left, sample.downloaded, sample.uploaded, sample.announcedPort], [0, 0, infoHash(300)[3], 6881]);
    assert.ok(peak <= 16 && s.peakInFlight <= 16, `peak ${peak}`);
    assert.ok(peak > 1, 'announces actually ran concurrently');
    assert.equal(lab.server.stats().udp!.connects, 1, 'concurrent UDP announces shared one connect');
  } finally {
    await s.stop({ deadlineMs: 60_000 });
    await udpClient.close();
    await lab.server.stop();
  }
  const stopped = lab.observations.filter((o) => o.event === 'stopped');
  assert.equal(stopped.length, 2 * N);
  assert.equal(new Set(stopped.map((o) => `${o.protocol}:${o.infoHash}`)).size, 2 * N);
  assert.ok(peak <= 16);
});

/** An in-memory announcer whose answers the test controls. */
function fakeAnnouncer(answer: (tracker: string, event: AnnounceEvent, n: number) => number | Error) {
  const calls: Array<{ hash: string; tracker: string; event: AnnounceEvent }> = [];
  const announce: Announcer = async (tracker, req) => {
    await new Promise((r) => setImmediate(r));
    calls.push({ hash: hex(req.infoHash), tracker, event: req.event });
    const a = answer(tracker, req.event, calls.length);
    if (a instanceof Error) throw a;
    return { interval: a, peers: [] };
  };
  return { calls, announce };
}

function nextResults(n: number): { onResult: (r: AnnounceResult) => void; done: Promise<AnnounceResult[]> } {
  const got: AnnounceResult[] = [];
  let resolve!: (r: AnnounceResult[]) => void;
  const done = new Promise<AnnounceResult[]>((r) => { resolve = r; });
  return { onResult: (r) => { got.push(r); if (got.length === n) resolve([...got]); }, done };
}

test('re-announces follow the clamped interval: started, then regular announces', async () => {
  const f = fakeAnnouncer(() => 0);
  const w = nextResults(3);
  const s = new AnnounceScheduler({ peerId: id20(1), port: 1, announce: f.announce, minIntervalMs: 5, onResult: w.onResult });
  s.add({ infoHash: infoHash(1), trackers: ['http://127.0.0.1:1/announce'] });
  s.start();
  const got = await w.done;
  await s.stop();
  assert.deepEqual(got.map((r) => r.event), ['started', 'none', 'none']);
  assert.deepEqual(f.calls.map((c) => c.event), ['started', 'none', 'none', 'stopped']);
});

test('failures back off and retry with started; whenAllAnnounced counts failed attempts', async () => {
  const f = fakeAnnouncer((_t, _e, n) => (n <= 2 ? new Error('tracker down') : 1));
  const w = nextResults(3);
  const s = new AnnounceScheduler({ peerId: id20(1), port: 1, announce: f.announce, minIntervalMs: 10_000, backoffBaseMs: 1, onResult: w.onResult });
  s.add({ infoHash: infoHash(2), trackers: ['udp://127.0.0.1:1'] });
  s.start();
  await s.whenAllAnnounced();
  const got = await w.done;
  assert.deepEqual(got.map((r) => [r.event, r.ok]), [['started', false], ['started', false], ['started', true]]);
  assert.equal(got[0]!.error, 'tracker down');
  await s.stop();
  assert.equal(f.calls.at(-1)!.event, 'stopped');
});

test('remove() sends stopped to trackers that saw started; stop() skips never-announced torrents', async () => {
  const f = fakeAnnouncer((t) => (t.includes(':2') ? new Error('refused') : 60));
  let removedStopped!: () => void;
  const w = new Promise<void>((resolve) => { removedStopped = resolve; });
  const s = new AnnounceScheduler({
    peerId: id20(1), port: 1, announce: f.announce, minIntervalMs: 60_000, onResult: (r) => { if (r.event === 'stopped') removedStopped(); },
  });
  const trackers = ['http://127.0.0.1:1/a', 'http://127.0.0.1:2/a'];
  for (let i = 0; i < 3; i++) s.add({ infoHash: infoHash(i), trackers });
  s.start();
  await s.whenAllAnnounced();
  s.remove(infoHash(0));
  assert.equal(s.size, 2);
  await w;
  await s.stop();
  const stopped = f.calls.filter((c) => c.event === 'stopped').map((c) => `${c.hash.slice(0, 8)} ${c.tracker}`).sort();
  assert.deepEqual(stopped, [0, 1, 2].map((i) => `${hex(infoHash(i)).slice(0, 8)} ${trackers[0]}`));
});

test('stop() rejects pending whenAllAnnounced waiters and honours its deadline', async () => {
  const hang: Announcer = (_t, _r, o) => new Promise((_, reject) => o.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
  const s = new AnnounceScheduler({ peerId: id20(1), port: 1, announce: hang, maxConcurrent: 2 });
  for (let i = 0; i < 5; i++) s.add({ infoHash: infoHash(i), trackers: ['udp://127.0.0.1:1'] });
  s.start();
  const waiting = assert.rejects(s.whenAllAnnounced(), /stopped/);
  await new Promise((r) => setImmediate(r));
  assert.equal(s.peakInFlight, 2);
  // The two aborted announces may have reached their tracker, so they are owed a stopped; the hanging tracker eats the deadline.
  await s.stop({ deadlineMs: 50 });
  await waiting;
});

test('the built-in announcer binds HTTP and UDP announces to localAddress', async () => {
  const lab = await startLabTracker({ intervalSeconds: 3600 });
  const s = new AnnounceScheduler({ peerId: id20(2), port: 7777, localAddress: '127.0.0.2', udpTimeoutsMs: [5000] });
  try {
    for (let i = 0; i < 3; i++) {
      lab.known.set(hex(infoHash(i)), i);
      s.add({ infoHash: infoHash(i), trackers: [lab.httpUrl, lab.udpUrl] });
    }
    s.start();
    await s.whenAllAnnounced({ signal: AbortSignal.timeout(30_000) });
  } finally {
    await s.stop();
    await lab.server.stop();
  }
  assert.equal(lab.observations.length, 12);
  assert.ok(lab.observations.every((o) => o.remoteIp === '127.0.0.2' && o.announcedPort === 7777));
  assert.deepEqual(lab.observations.filter((o) => o.event === 'stopped').map((o) => o.protocol).sort(), ['http', 'http', 'http', 'udp', 'udp', 'udp']);
});
