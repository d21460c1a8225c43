// Catch-up after a centre outage (issue 12, benchmarks): three nodes record chained deliveries at a
// steady rate, each into its own SQLite store (its outbox), and ship to the centre (loopback HTTP,
// PostgreSQL) with the node's own shipper settings (src/node/centre-shipping.ts: 5,000 records a request, read 1,000 at a time). The centre goes away for
// OUTAGE seconds while the nodes go on recording, then comes back. Measured: how long the nodes take
// to deliver everything recorded up to the centre's return, next to the outage itself (real time, the
// reference the target is stated against). Target: catch-up >= 10x real time, i.e. a 10-minute
// outage is caught up within 60 s, while the nodes keep recording.
// Usage: node bench/centre-catchup.bench.ts [outage seconds=600] [records/s per node=100] [postgres url]
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CentreDb } from '../src/centre/centre-db.ts';
import { CentreServer } from '../src/centre/centre-server.ts';
import { Shipper } from '../src/centre/shipper.ts';
import { NODE_BATCH, NODE_SLICE } from '../src/node/centre-shipping.ts';
import { openEvidence, type OpenedEvidence } from '../src/evidence/open.ts';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { benchDelivery, benchStore } from './lib/evidence-fixture.ts';

const OUTAGE_S = Number(process.argv[2] ?? 600);
const RATE = Number(process.argv[3] ?? 100);
const URL_ = process.argv[4] ?? process.env.COUNTERSEED_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const NODES = 3;
const TICK_MS = 100;
const CHECKPOINT_EVERY = 10_000;
/** Bound on the catch-up wait: 3x the outage (the target is a tenth of it). */
const CATCHUP_LIMIT_MS = OUTAGE_S * 3000 + 60_000;

interface BenchNode { dir: string; store: SqliteStore; ev: OpenedEvidence; recorded: number; shipper: Shipper; running: Promise<void> }

const schema = `cs_bench_catchup_${process.pid}`;
const stop = new AbortController();
const nodes: BenchNode[] = [];
let db: CentreDb | undefined;
let server: CentreServer | undefined;
let recording: Promise<void> | undefined;
try {
  db = await CentreDb.open(URL_, schema);
  server = await CentreServer.start({ db });
  const port = Number(new URL(server.url).port);
  for (let i = 0; i < NODES; i++) {
    const dir = mkdtempSync(join(tmpdir(), `cs-bench-catchup-${i}-`));
    const store = benchStore(dir);
    const ev = openEvidence(store, dir);
    await db.registerNode(ev.key.publicPem, `node-${i + 1}`);
    const shipper = new Shipper({ url: server.url, key: ev.key, log: ev.table, batchSize: NODE_BATCH, sliceSize: NODE_SLICE }); // as a serving node ships
    nodes.push({ dir, store, ev, recorded: 0, shipper, running: shipper.run(stop.signal) });
  }

  // Every node records RATE deliveries a second, in ticks, for the whole run.
  recording = (async () => {
    const start = performance.now();
    for (let tick = 1; !stop.signal.aborted; tick++) {
      for (const [k, n] of nodes.entries()) {
        // Due by the wall clock (not by ticks done): a process starved of CPU records in bigger ticks, not fewer records.
        const due = Math.floor(RATE * (performance.now() - start) / 1000) - n.recorded;
        if (due <= 0) continue;
        await n.store.appendObservations(Array.from({ length: due }, (_, j) => benchDelivery(n.recorded + j, `198.18.${k}.${(n.recorded + j) & 255}`)));
        const before = Math.floor(n.recorded / CHECKPOINT_EVERY);
        n.recorded += due;
        if (Math.floor(n.recorded / CHECKPOINT_EVERY) > before) n.ev.log.checkpoint('manual');
      }
      await sleep(Math.max(0, start + tick * TICK_MS - performance.now()));
    }
  })();
  const count = () => nodes.map((n) => n.ev.table.count());
  const acked = () => nodes.map((n) => n.shipper.acked ?? 0);

  await sleep(5000);
  console.log(`warm-up: recorded ${count().join(', ')}, acknowledged ${acked().join(', ')}`);
  await server.close();
  const awayAt = performance.now();
  process.stdout.write(`centre away for ${OUTAGE_S} s; the nodes go on recording ${RATE} records/s each\n`);
  await sleep(OUTAGE_S * 1000);
  server = await CentreServer.start({ db, port });
  const backAt = performance.now();
  const due = count();
  const backlog = due.map((c, k) => c - acked()[k]!);
  process.stdout.write(`centre back after ${((backAt - awayAt) / 1000).toFixed(1)} s; backlog ${backlog.join(', ')} records (${backlog.reduce((a, b) => a + b, 0)} in all)\n`);
  const cpu0 = process.cpuUsage();
  let caughtUp = 0;
  while (acked().some((a, k) => a < due[k]!)) {
    if (performance.now() - backAt > CATCHUP_LIMIT_MS) throw new Error(`not caught up within ${CATCHUP_LIMIT_MS / 1000} s: acknowledged ${acked().join(', ')} of ${due.join(', ')}`);
    await sleep(20);
  }
  caughtUp = performance.now() - backAt;
  const cpu = process.cpuUsage(cpu0);
  const outageMs = backAt - awayAt;
  const ratio = outageMs / caughtUp;
  const shipped = backlog.reduce((a, b) => a + b, 0);
  console.log(`catch-up after a ${(outageMs / 1000).toFixed(0)} s outage, ${NODES} nodes recording ${RATE} records/s each (batches of ${NODE_BATCH}, read ${NODE_SLICE} at a time, loopback HTTP, PostgreSQL at ${new URL(URL_).host})`);
  console.log(`  reference, the outage in real time:      ${(outageMs / 1000).toFixed(1)} s (${shipped} records recorded meanwhile)`);
  console.log(`  catch-up, everything recorded until the return acknowledged: ${(caughtUp / 1000).toFixed(1)} s (${Math.round(shipped / (caughtUp / 1000)).toLocaleString('en')} records/s at the centre, while recording went on)`);
  console.log(`  this process's CPU during catch-up (3 nodes recording and shipping, the centre): ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
  console.log(`  machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
  console.log(`  ratio outage / catch-up: x${ratio.toFixed(1)} real time; target >= x10: ${ratio >= 10 ? 'met' : 'NOT met'}`);
  const gaps = await Promise.all((await db.status()).map((s) => s.gaps.length));
  if (gaps.some((g) => g > 0)) throw new Error('gaps left at the centre');
} finally {
  stop.abort();
  await recording?.catch(() => undefined);
  for (const n of nodes) await n.running.catch(() => undefined);
  await server?.close();
  await db?.close();
  const admin = new pg.Client({ connectionString: URL_ });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  for (const n of nodes) { n.ev.detach(); await n.store.close(); rmSync(n.dir, { recursive: true, force: true }); }
}
