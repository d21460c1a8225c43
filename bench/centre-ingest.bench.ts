// Centre ingest (issue 12, benchmarks): records shipped by a node over loopback HTTP and stored at the
// centre with everything the centre does to them (request signature, record parse, SHA-256 leaf hash,
// chain links, Merkle frontier, checkpoint signature and root, COPY into the partitioned table, the
// node's row updated), next to plain COPYs (text and binary format) of the same rows into the same
// table in the same run.
// Target: >= 100,000 records/s with chain verification.
// Usage: node bench/centre-ingest.bench.ts [records=200000] [batch=20000] [postgres url]
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CentreDb } from '../src/centre/centre-db.ts';
import { CentreServer } from '../src/centre/centre-server.ts';
import { copyRows } from '../src/centre/copy-rows.ts';
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER, BinaryRows } from '../src/centre/copy-binary.ts';
import copyStreams from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { readShippedRecord } from '../src/centre/shipped-record.ts';
import { Shipper } from '../src/centre/shipper.ts';
import { encodeBatch } from '../src/centre/batch-codec.ts';
import { BATCH_PATH, signBody } from '../src/centre/protocol.ts';
import { openEvidence } from '../src/evidence/open.ts';
import { BENCH_DECOY, benchDelivery, benchStore } from './lib/evidence-fixture.ts';

const N = Number(process.argv[2] ?? 200_000);
const BATCH = Number(process.argv[3] ?? 20_000);
const URL_ = process.argv[4] ?? process.env.COUNTERSEED_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHECKPOINT_EVERY = 50_000;

const dir = mkdtempSync(join(tmpdir(), 'cs-bench-centre-'));
const schemas = [`cs_bench_centre_${process.pid}`, `cs_bench_copy_${process.pid}`, `cs_bench_copyb_${process.pid}`];
const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
try {
  // The node: N chained deliveries in its SQLite store, with a checkpoint every CHECKPOINT_EVERY records.
  const store = benchStore(dir);
  const ev = openEvidence(store, dir, { now: () => 1_764_000_000_000 });
  for (let i = 0; i < N; i += 5000) {
    await store.appendObservations(Array.from({ length: Math.min(5000, N - i) }, (_, k) => benchDelivery(i + k, `198.18.${((i + k) >> 8) & 255}.${(i + k) & 255}`)));
    if ((i + 5000) % CHECKPOINT_EVERY === 0) ev.log.checkpoint('manual', { force: true });
  }
  // Records read out of the outbox once, before timing: the figure is the centre's, not the node's SQLite.
  const texts = [...ev.table.range(0, N)].map((r) => ({ seq: r.seq, text: r.text }));
  const log = { ...ev.table, count: () => N, range: function* (from: number, to: number) { for (let s = from; s < to; s++) yield { seq: s, kind: 'delivery', text: texts[s]!.text, hash: Buffer.alloc(0) }; }, listCheckpoints: (l: number) => ev.table.listCheckpoints(l) };

  // The node's side alone (read from memory, encode, sign each request), so that the centre's own CPU per record can be told apart.
  const cpuN = process.cpuUsage();
  for (let i = 0; i < N; i += BATCH) {
    const body = encodeBatch({ first: i, texts: texts.slice(i, i + BATCH).map((t) => t.text), checkpoints: [], backlog: 0 });
    signBody(BATCH_PATH, body, ev.key.privateKey);
  }
  const nodeCpu = process.cpuUsage(cpuN);
  const nodeUsPerRecord = (nodeCpu.user + nodeCpu.system) / N;

  // Centre: over loopback HTTP, verified.
  const db = await CentreDb.open(URL_, schemas[0]);
  await db.registerNode(ev.key.publicPem, 'bench');
  const server = await CentreServer.start({ db });
  const shipper = new Shipper({ url: server.url, key: ev.key, log: log as typeof ev.table, batchSize: BATCH, sliceSize: BATCH, idleMs: 5 });
  await shipper.shipOnce();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let verified = 0;
  // As a node ships (Shipper.run): the next batch is read and encoded while one is at the centre.
  const done = new AbortController();
  const running = shipper.run(done.signal);
  while ((shipper.acked ?? 0) < N) await new Promise((r) => setTimeout(r, 5));
  done.abort();
  await running;
  const centreMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuUsPerRecord = (cpu.user + cpu.system) / N;
  const st = (await db.status())[0]!;
  verified = st.checkpointsVerified;
  await server.close();
  await db.close();

  // Reference: the same rows (as the centre stores them) COPYed into the same table, same batches, no verification, no HTTP.
  const ref = await CentreDb.open(URL_, schemas[1]);
  await ref.registerNode(ev.key.publicPem, 'bench');
  const rows = texts.map((t) => { const r = readShippedRecord(t.text, t.seq, ev.key.fingerprint); return [1, r.seq, r.at, r.kind, r.ip, r.decoyId, Buffer.from(r.prev, 'hex'), r.hash, r.text] as const; });
  const client = await ref.pool.connect();
  const t1 = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    await client.query('BEGIN');
    await copyRows(client, 'centre_records', ['node_id', 'seq', 'at', 'kind', 'ip', 'decoy_id', 'prev', 'hash', 'text'], rows.slice(i, i + BATCH));
    await client.query('COMMIT');
  }
  const copyMs = performance.now() - t1;
  client.release();
  await ref.close();

  // Reference 2: the same rows COPYed in PostgreSQL's binary format (what the centre now writes), same batches.
  const refB = await CentreDb.open(URL_, schemas[2]);
  await refB.registerNode(ev.key.publicPem, 'bench');
  const clientB = await refB.pool.connect();
  const t2 = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    await clientB.query('BEGIN');
    // In chunks of 2,000 rows, as the text reference (copyRows) writes them: PostgreSQL reads a chunk while the next is built.
    const batchRows = rows.slice(i, i + BATCH);
    function* chunks(): Generator<Buffer> {
      yield BINARY_COPY_HEADER;
      const w = new BinaryRows();
      for (let k = 0; k < batchRows.length; k += 2000) {
        for (const r of batchRows.slice(k, k + 2000)) w.row(9).bigint(r[0]).bigint(r[1]).bigint(r[2]).text(r[3]).text(r[4]).bigint(r[5]).bytes(r[6]).bytes(r[7]).text(r[8]);
        yield w.take();
      }
      yield BINARY_COPY_TRAILER;
    }
    await pipeline(Readable.from(chunks()), clientB.query(copyStreams.from('COPY centre_records (node_id, seq, at, kind, ip, decoy_id, prev, hash, text) FROM STDIN (FORMAT binary)')));
    await clientB.query('COMMIT');
  }
  const copyBMs = performance.now() - t2;
  clientB.release();
  await refB.close();

  const centreRate = N / (centreMs / 1000);
  const copyRate = N / (copyMs / 1000);
  const copyBRate = N / (copyBMs / 1000);
  console.log(`centre ingest, ${N} delivery records in batches of ${BATCH}, ${BENCH_DECOY.name} (loopback HTTP, PostgreSQL at ${new URL(URL_).host})`);
  console.log(`  centre, verified (signature, parse, hash, links, frontier, ${verified} checkpoints): ${Math.round(centreRate).toLocaleString('en')} records/s (${(centreMs / 1000).toFixed(2)} s)`);
  console.log(`  reference, plain COPY of the same rows (text format):         ${Math.round(copyRate).toLocaleString('en')} records/s (${(copyMs / 1000).toFixed(2)} s)`);
  console.log(`  reference, plain COPY of the same rows (binary format):       ${Math.round(copyBRate).toLocaleString('en')} records/s (${(copyBMs / 1000).toFixed(2)} s)`);
  console.log(`  this process's CPU during the centre run (shipper and centre): ${cpuUsPerRecord.toFixed(1)} us per record; the node's side alone (encode, sign): ${nodeUsPerRecord.toFixed(1)} us; the centre's share: ${(cpuUsPerRecord - nodeUsPerRecord).toFixed(1)} us`);
  console.log(`  machine load average (1 min) at the end: ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
  console.log(`  ratio centre / COPY text: ${(centreRate / copyRate).toFixed(2)}; centre / COPY binary: ${(centreRate / copyBRate).toFixed(2)}; target >= 100,000 records/s: ${centreRate >= 100_000 ? 'met' : 'NOT met'}`);
  ev.detach();
  await store.close();
} finally {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
