import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { planSwarm, runSimulatedSwarm, type SwarmInit } from '../../../src/lab/swarm.ts';
import type { SimDownloadInit, SimDownloadResult } from '../../../src/lab/sim-downloader.ts';
import { LabConfigError } from '../../../src/lab/errors.ts';
import { makeTorrent, startTestSeeder } from './test-seeder.ts';

const hash20 = (n: number): Uint8Array => new Uint8Array(createHash('sha1').update(String(n)).digest());
const baseInit = (over: Partial<SwarmInit> = {}): SwarmInit => ({
  targets: [{ infoHash: hash20(1), info: new Uint8Array(1) }, { infoHash: hash20(2) }],
  host: '127.0.0.1', port: 6881, downloaders: 200, concurrency: 4,
  sourceAddresses: ['127.0.1.1', '127.0.1.2', '127.0.1.3'],
  magnetShare: 0.3, partialShare: 0.25, timeoutMs: 1000, ...over,
});

test('the plan is deterministic for a seed and follows the shares', () => {
  const a = [...planSwarm(baseInit({ seed: 7 }))];
  const b = [...planSwarm(baseInit({ seed: 7 }))];
  const c = [...planSwarm(baseInit({ seed: 8 }))];
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.length, 200);
  // Round-robin targets; the target without info is always fetched by magnet.
  assert.ok(a.every((p, i) => p.target === i % 2));
  assert.ok(a.filter((p) => p.target === 1).every((p) => p.magnet));
  const magnetOnTarget0 = a.filter((p) => p.target === 0 && p.magnet).length / 100;
  assert.ok(magnetOnTarget0 > 0.1 && magnetOnTarget0 < 0.5, `magnet share ${magnetOnTarget0}`);
  const partial = a.filter((p) => p.fraction < 1);
  assert.ok(partial.length > 20 && partial.length < 80, `partial ${partial.length}`);
  assert.ok(partial.every((p) => p.fraction >= 0.1 && p.fraction <= 0.9));
  assert.deepEqual(new Set(a.map((p) => p.localAddress)), new Set(['127.0.1.1', '127.0.1.2', '127.0.1.3']));
});

test('invalid configurations are refused before anything runs', async () => {
  for (const over of [
    { host: '192.0.2.1' }, { sourceAddresses: ['10.1.2.3'] }, { sourceAddresses: [] }, { targets: [] },
    { concurrency: 0 }, { downloaders: -1 }, { magnetShare: 1.5 }, { partialShare: Number.NaN },
  ]) {
    let calls = 0;
    await assert.rejects(runSimulatedSwarm(baseInit(over), async () => { calls++; throw new Error('unreachable'); }), LabConfigError);
    assert.equal(calls, 0);
  }
});

test('the pool never runs more than `concurrency` downloads at once and counts results', async () => {
  let running = 0;
  let peak = 0;
  const seen: SimDownloadInit[] = [];
  const fake = async (init: SimDownloadInit): Promise<SimDownloadResult> => {
    const ok = seen.push(init) % 5 !== 0;
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setImmediate(r));
    running--;
    return { ok, localPort: 1, metadataFetched: init.info === undefined, piecesVerified: ok ? 1 : 0, bytes: ok ? 10 : 0, durationMs: 0 };
  };
  const results: number[] = [];
  const s = await runSimulatedSwarm(baseInit({ downloaders: 50, concurrency: 3, onResult: (_r, p) => results.push(p.index) }), fake);
  assert.equal(peak, 3);
  assert.deepEqual(s, { attempted: 50, ok: 40, failed: 10, bytes: 400 });
  assert.deepEqual([...results].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.ok(seen.filter((i) => i.infoHash === baseInit().targets[1]!.infoHash).every((i) => i.info === undefined));
});

test('aborting stops starting new downloads', async () => {
  const ac = new AbortController();
  let calls = 0;
  const fake = async (): Promise<SimDownloadResult> => {
    if (++calls === 5) ac.abort();
    await new Promise((r) => setImmediate(r));
    return { ok: true, localPort: 1, metadataFetched: false, piecesVerified: 1, bytes: 1, durationMs: 0 };
  };
  const s = await runSimulatedSwarm(baseInit({ downloaders: 1000, concurrency: 2, signal: ac.signal }), fake);
  assert.ok(s.attempted >= 5 && s.attempted <= 6, `attempted ${s.attempted}`);
});

test('a real swarm against a test seeder fills from several 127/8 sources', async () => {
  const t = makeTorrent(3 * 16384 + 5, 16384);
  const seeder = await startTestSeeder(t);
  try {
    const sources = ['127.0.2.1', '127.0.2.2', '127.0.3.7'];
    const results: SimDownloadResult[] = [];
    const s = await runSimulatedSwarm({
      targets: [{ infoHash: t.infoHash, info: t.info }], host: '127.0.0.1', port: seeder.port,
      downloaders: 12, concurrency: 4, sourceAddresses: sources, magnetShare: 0.5, partialShare: 0.3,
      timeoutMs: 10_000, seed: 3, onResult: (r) => results.push(r),
    });
    assert.deepEqual(s, { attempted: 12, ok: 12, failed: 0, bytes: results.reduce((n, r) => n + r.bytes, 0) });
    assert.ok(results.some((r) => r.metadataFetched) && results.some((r) => !r.metadataFetched));
    assert.ok(results.some((r) => r.piecesVerified < 4), 'some partial downloads');
    for (const r of results) if (r.piecesVerified === 4) assert.equal(r.sha256, createHash('sha256').update(t.content).digest('hex'));
    assert.equal(seeder.remoteAddresses.length, 12);
    assert.ok(seeder.remoteAddresses.every((a) => sources.includes(a)));
    assert.ok(new Set(seeder.remoteAddresses).size >= 2);
  } finally {
    await seeder.close();
  }
});
