/**
 * Child of bench/announce-decoys.bench.ts: a real seed node over every active decoy, announcing to
 * the trackers and the local DHT it is given. Samples its own RSS every 250 ms and prints one JSON
 * line: time to ready, time until every decoy was announced to every tracker, peak RSS (VmHWM),
 * RSS when all were announced and 10 s later (steady), and DHT announces made meanwhile.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadSettings } from '../../src/config/load.ts';
import { compactHeap } from '../../src/node/compact-heap.ts';
import { openContext } from '../../src/node/context.ts';
import { startSeedNode } from '../../src/node/seed-node.ts';

if (process.argv[2] === '--warm-compile-cache') process.exit(0);

const spec = JSON.parse(process.argv[2]!) as { data: string; bind: string; trackers: string[]; dhtBootstrap?: string; steadyS: number; timeoutS: number };
const status = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const t0 = performance.now();
/** Where the RSS peaked: sampled every 250 ms with the phase and V8's view (to tell heap from malloc). */
let phase = 'load';
let top = { rssMb: 0, atS: 0, phase, heapMb: 0, externalMb: 0 };
const timeline: string[] = [];
let lastLog = 0;
const sampler = setInterval(() => {
  const rssMb = status('VmRSS'), m = process.memoryUsage(), atS = (performance.now() - t0) / 1000;
  if (rssMb > top.rssMb) top = { rssMb, atS, phase, heapMb: m.heapTotal / 2 ** 20, externalMb: (m.external + m.arrayBuffers) / 2 ** 20 };
  if (atS - lastLog >= 30) {
    lastLog = atS;
    timeline.push(`${atS.toFixed(0)}s ${phase} rss=${rssMb.toFixed(0)} heap=${(m.heapUsed / 2 ** 20).toFixed(0)}/${(m.heapTotal / 2 ** 20).toFixed(0)} ext=${(m.external / 2 ** 20).toFixed(0)}`);
    process.stderr.write(`[cs] ${timeline.at(-1)}\n`);
  }
}, 250);
const settings = loadSettings({ env: {}, flags: {
  dataDir: spec.data, bind: spec.bind, port: '0', trackers: spec.trackers,
  ...(spec.dhtBootstrap ? { dhtEnabled: 'true', dhtBootstrap: [spec.dhtBootstrap], dhtPort: '0' } : {}),
  // BENCH_OLD_SPACE_GROWTH: seed.oldSpaceGrowth for an A/B (0: V8's own factor, as before issue 10's third pass).
  ...(process.env.BENCH_OLD_SPACE_GROWTH !== undefined && { oldSpaceGrowth: process.env.BENCH_OLD_SPACE_GROWTH }),
} });
const ctx = openContext(settings, (m) => process.stderr.write(`${m}\n`));
let failures = 0;
const failureKinds = new Map<string, number>();
const node = await startSeedNode(ctx, { log: (m) => {
  if (!/announce to .* failed/.test(m)) { process.stderr.write(`${m}\n`); return; }
  failures++;
  const kind = m.replace(/info_hash=[^&\s]*/g, '');
  if (failureKinds.has(kind) || failureKinds.size < 8) failureKinds.set(kind, (failureKinds.get(kind) ?? 0) + 1);
} });
const readyMs = performance.now() - t0;
phase = 'ready';
compactHeap();
phase = 'round';
const rssAtReadyMb = status('VmRSS');
/**
 * BENCH_HEAP_PROFILE=FILE: V8's sampling heap profiler over the round, counting objects that died in a
 * major GC too (not those a scavenge freed): where the garbage that reaches the old space, and so the
 * peak RSS, is allocated. Written as a .heapprofile (Chrome DevTools) when all are announced.
 */
const heapProfile = process.env.BENCH_HEAP_PROFILE;
const inspector = heapProfile === undefined ? undefined : new Session();
if (inspector !== undefined) {
  inspector.connect();
  await inspector.post('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: false });
}
const timedOut = await node.announced({ signal: AbortSignal.timeout(spec.timeoutS * 1000) }).then(() => false, () => true);
const allAnnouncedMs = performance.now() - t0;
const rssAllAnnouncedMb = status('VmRSS');
if (inspector !== undefined) {
  const { profile } = await inspector.post('HeapProfiler.stopSampling');
  writeFileSync(heapProfile!, JSON.stringify(profile));
  inspector.disconnect();
}
const peakAtAllAnnouncedMb = status('VmHWM');
phase = 'steady';
await sleep(spec.steadyS * 1000);
clearInterval(sampler);
const steadyRssMb = status('VmRSS');
const dht = node.dht?.schedulers.reduce((n, s) => n + s.stats.announces, 0) ?? 0;
const peakRssMb = status('VmHWM');
await node.stop();
await ctx.close();
console.log(JSON.stringify({
  decoys: node.info.decoys, cpuS: (process.cpuUsage().user + process.cpuUsage().system) / 1e6, readyMs, allAnnouncedMs, rssAtReadyMb, rssAllAnnouncedMb, peakAtAllAnnouncedMb, steadyRssMb, peakRssMb,
  peakSample: top, timedOut, trackerFailures: failures, failureKinds: Object.fromEntries(failureKinds), dhtAnnounces: dht, dhtSeconds: (performance.now() - t0 - readyMs) / 1000,
}));
