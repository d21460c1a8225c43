// A seed node for bench/event-loop.bench.ts, in a process of its own: it measures its own event-loop
// delay (perf_hooks.monitorEventLoopDelay, 1 ms resolution) while it serves the bench's downloaders and,
// unless the mode is 'serve-only', ingests 10,000 deliveries a second: published 250 every 25 ms (as a
// busy seeder would, not in one synchronous burst whose own cost would be measured), and written in
// batches of ~5,000 (the recorder flushes every 500 ms).
// Usage: node bench/lib/event-loop-node.ts DATA_DIR MODE SECONDS   (MODE: serve-only | inline | thread)
// Prints "ready <port>" once serving; measures from the line "go" on stdin; then prints one JSON line.
import { monitorEventLoopDelay, performance as perf, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { loadSettings } from '../../src/config/load.ts';
import type { Observation } from '../../src/domain/observation.ts';
import { uuidV7 } from '../../src/domain/uuid-v7.ts';
import { openContext } from '../../src/node/context.ts';
import { startSeedNode } from '../../src/node/seed-node.ts';

const [dataDir, mode, seconds, flushMs] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4] ?? 10), process.argv[5] ?? '500'];
const SLICE = 250;
const EVERY_MS = 25;

const settings = loadSettings({ flags: { dataDir, port: '0', bind: '127.0.0.1', uploadSlots: '64', flushIntervalMs: flushMs } });
const ctx = openContext(settings, () => {});
const node = await startSeedNode(ctx, { log: (m) => process.stderr.write(`node: ${m}\n`), ...(mode === 'inline' ? { evidenceWriter: 'inline' as const } : {}) });
const [decoy] = await ctx.store.listDecoys({ limit: 1 });
process.stdout.write(`ready ${node.info.peerPort}\n`);
await new Promise<void>((r) => createInterface({ input: process.stdin }).once('line', () => r()));

let seq = 0;
/** A delivery as the seeder records one (shape of DeliverySession.finish()). */
const delivery = (i: number): Observation => ({
  kind: 'delivery', blocksServed: 68, bytesServed: 1_099_131, client: 'Transmission 3.00', clientVersion: 'Transmission 3.00',
  completed: true, decoyId: decoy!.id, disconnectReason: 'peer-closed', encryption: 'mse-rc4', endedAt: Date.now(),
  infoHash: decoy!.infoHash, listenPort: 51413, localIp: '127.0.0.1', localPort: 6881, metadataOnly: false, metadataPiecesServed: 1,
  peerId: '2d5452333030302d6162636465666768696a6b6c', peerPiecesAtEnd: 5, peerPiecesAtStart: 0,
  remoteIp: `198.18.${(i >> 8) & 255}.${i & 255}`, remotePort: 1024 + (i % 60_000), servedRanges: [[0, 1_099_131]],
  sessionId: uuidV7(Date.now()), startedAt: Date.now() - 4000, transport: 'tcp',
});
// GC pauses of this thread: what the event-loop delay is made of besides the work itself.
const gc: number[] = [];
const gcObserver = new PerformanceObserver((l) => { for (const e of l.getEntries()) gc.push(e.duration); });
gcObserver.observe({ entryTypes: ['gc'] });
const h = monitorEventLoopDelay({ resolution: 1 });
h.enable();
const c0 = process.cpuUsage();
// Busy share of this thread's event loop: less sensitive than the delay to how other processes load the machine.
const elu0 = perf.eventLoopUtilization();
const t0 = performance.now();
let published = 0;
const ingest = mode === 'serve-only' ? undefined : setInterval(() => { for (let i = 0; i < SLICE; i++) if (node.bus.publish(delivery(seq++))) published++; }, EVERY_MS);
await new Promise((r) => setTimeout(r, seconds * 1000));
clearInterval(ingest);
h.disable();
gcObserver.disconnect();
const elu = perf.eventLoopUtilization(elu0);
const cpu = process.cpuUsage(c0);
const wallS = (performance.now() - t0) / 1000;
const ms = (ns: number) => Math.round(ns / 1e4) / 100;
process.stdout.write(`${JSON.stringify({ mode, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), published, busyPct: Math.round(100 * elu.utilization), cpuPct: Math.round((100 * (cpu.user + cpu.system)) / 1e6 / wallS), gcMs: Math.round(gc.reduce((a, b) => a + b, 0)), gcMaxMs: Math.round(Math.max(0, ...gc)) })}\n`);
const report = await node.stop() as { written?: number } | undefined;
const counters = await ctx.store.counters();
const deliveries = Number((ctx.store as unknown as { database: { prepare(s: string): { get(): { n: number } } } }).database.prepare('SELECT COUNT(*) AS n FROM deliveries').get().n);
await ctx.close();
process.stdout.write(`${JSON.stringify({
  deliveries, written: report?.written ?? null,
  dropped: Object.entries(counters).filter(([k]) => k.startsWith('observations.dropped')).reduce((a, [, v]) => a + v, 0),
})}\n`);
process.exit(0);
