/**
 * Child of bench/many-decoys.bench.ts: starts a real seed node (store -> index -> seeder -> DHT
 * announce scheduler) over every active decoy and reports time to ready, RSS and CPU.
 */
import { readFileSync } from 'node:fs';
import { loadSettings } from '../../src/config/load.ts';
import { compactHeap } from '../../src/node/compact-heap.ts';
import { openContext } from '../../src/node/context.ts';
import { startSeedNode } from '../../src/node/seed-node.ts';

// Only load (and so compile, into NODE_COMPILE_CACHE) every module, as `npm install` does for the CLI.
if (process.argv[2] === '--warm-compile-cache') process.exit(0);

const spec = JSON.parse(process.argv[2]!) as { data: string; bootstrap: string };
const rssMb = () => process.memoryUsage.rss() / 2 ** 20;
const peakMb = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const t0 = performance.now();
const settings = loadSettings({ env: {}, flags: {
  dataDir: spec.data, bind: '127.0.0.1', port: '0', dhtEnabled: 'true', dhtBootstrap: [spec.bootstrap], dhtPort: '0',
} });
const ctx = openContext(settings, (m) => process.stderr.write(`${m}\n`));
const node = await startSeedNode(ctx, { log: () => {} });
const readyMs = performance.now() - t0;
const sched = node.dht!.schedulers[0]!;
if (sched.scheduled !== node.info.decoys) throw new Error(`scheduled ${sched.scheduled} of ${node.info.decoys}`);
// As the seed command does before its ready line.
compactHeap();
const rss = rssMb();
const mu = process.memoryUsage();
const breakdown = `heap used ${(mu.heapUsed / 2 ** 20).toFixed(0)} MB of ${(mu.heapTotal / 2 ** 20).toFixed(0)} MB, external ${(mu.external / 2 ** 20).toFixed(0)} MB, array buffers ${(mu.arrayBuffers / 2 ** 20).toFixed(0)} MB`;

// Announcing: the scheduler works through the never-announced decoys, paced by the rate limits.
console.log('busy-start');
let c0 = cpuMs();
await sleep(10_000);
const busy = (cpuMs() - c0) / 10;
console.log('busy-end');
const dht = node.dht!.nodes[0]!;
const extra = `${breakdown}; ${node.info.decoys} decoys; ${sched.stats.announces} announced and ${dht.stats.sent} DHT queries sent in the first ~10 s (rate-limited: 2 q/s per node x 20 nodes)`;
// Idle: stop the DHT, the seeder keeps serving with no peers.
await node.dht!.stop();
c0 = cpuMs();
await sleep(5000);
const idle = (cpuMs() - c0) / 5;
const peak = peakMb();
await node.stop();
await ctx.close();
console.log(JSON.stringify({ readyMs, rssMb: rss, peakRssMb: peak, idleCpuMsPerS: idle, busyCpuMsPerS: busy, extra }));
