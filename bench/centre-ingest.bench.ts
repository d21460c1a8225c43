// Centre ingest (issue 12, benchmarks): records shipped by a node over loopback HTTP and stored at the
// centre with everything the centre does to them (request signature, record parse, SHA-256 leaf hash,
// chain links, Merkle frontier, checkpoint signature and root, the batch stored as a segment row of
// centre_segments, the node's row updated), next to two plain COPYs in the same run, with no HTTP and
// no verification: the same segment rows into the same table, and the same records as a row each into
// the previous version's month-partitioned centre_records (primary key, BRIN on time, B-tree on (ip, time)).
// The centre runs in a process of its own (bench/lib/centre-process.ts): its CPU per record is read
// from /proc, apart from the node's (this process: read, encode, sign, post) and PostgreSQL's.
// Target: >= 100,000 records/s with chain verification; the centre's own CPU <= ~10 us per record.
// Usage: node bench/centre-ingest.bench.ts [records=200000] [batch=20000] [postgres url]
//   CENTRE_CPU_PROF=DIR: the centre process writes a V8 CPU profile into DIR (node --cpu-prof).
//   CENTRE_READ_WORKERS=N: the centre's read workers (default 1, as `centre serve`; 0: records read on the intake's thread).
//   SHIPPER=1: the node side is a Shipper reading, encoding and signing during the run (default: requests
//   encoded and signed before timing, as a node does on its own machine, two always in flight).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { CentreDb } from '../src/centre/centre-db.ts';
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER, BinaryRows } from '../src/centre/copy-binary.ts';
import { joinLines } from '../src/centre/segments.ts';
import { readShippedRecord } from '../src/centre/shipped-record.ts';
import { Shipper } from '../src/centre/shipper.ts';
import { BATCH_CONTENT_TYPE, encodeBatch } from '../src/centre/batch-codec.ts';
import { postJson } from '../src/centre/post.ts';
import { BATCH_PATH, NODE_HEADER, SIGNATURE_HEADER, signBody } from '../src/centre/protocol.ts';
import { openEvidence } from '../src/evidence/open.ts';
import { backendCpu } from './lib/pg-cpu.ts';
import { BENCH_DECOY, benchDelivery, benchStore } from './lib/evidence-fixture.ts';

const N = Number(process.argv[2] ?? 200_000);
const BATCH = Number(process.argv[3] ?? 20_000);
const URL_ = process.argv[4] ?? process.env.COUNTERSEED_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const CHECKPOINT_EVERY = 50_000;
/** The centre's read workers (setting centre.readWorkers; 0: records read on the intake's thread). */
const READ_WORKERS = Number(process.env.CENTRE_READ_WORKERS ?? 1);
/** The previous version's record table (pg-centre-001, without its foreign key: pg-centre-003), the row-per-record reference. */
const ROWS_DDL = `CREATE TABLE centre_records (
    node_id BIGINT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL, kind ctext NOT NULL, ip ctext, decoy_id BIGINT,
    prev BYTEA NOT NULL, hash BYTEA NOT NULL, text ctext NOT NULL, PRIMARY KEY (node_id, seq, at)
  ) PARTITION BY RANGE (at);
  CREATE TABLE centre_records_default PARTITION OF centre_records DEFAULT;
  CREATE INDEX centre_records_time_brin ON centre_records USING brin (at);
  CREATE INDEX centre_records_ip_time ON centre_records (ip, at);`;

const dir = mkdtempSync(join(tmpdir(), 'cs-bench-centre-'));
const schemas = [`cs_bench_centre_${process.pid}`, `cs_bench_segcopy_${process.pid}`, `cs_bench_rowcopy_${process.pid}`];
const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
const cpuS = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const load = () => loadavg()[0]!.toFixed(1);
const rate = (s: number) => `${Math.round(N / s).toLocaleString('en')} records/s`;
const us = (s: number) => `${(s * 1e6 / N).toFixed(1)} us`;

/** COPYs `batches` (each a list of binary rows) into `table (columns)` of `schema`, a transaction per batch; wall s and PostgreSQL CPU s. */
async function plainCopy(schema: string, table: string, columns: string, batches: readonly ((w: BinaryRows) => void)[][]): Promise<{ wall: number; pg: number; load: string }> {
  const c = new pg.Client({ connectionString: URL_, options: `-c search_path="${schema}"` });
  await c.connect();
  try {
    const pid = Number((await c.query('SELECT pg_backend_pid() AS p')).rows[0].p);
    const t = performance.now(); const p0 = backendCpu(pid);
    for (const rows of batches) {
      await c.query('BEGIN');
      // In chunks of 2,000 rows: PostgreSQL reads one while the next is built.
      function* chunks(): Generator<Buffer> {
        yield BINARY_COPY_HEADER;
        const w = new BinaryRows();
        for (let k = 0; k < rows.length; k += 2000) { for (const r of rows.slice(k, k + 2000)) r(w); yield w.take(); }
        yield BINARY_COPY_TRAILER;
      }
      await pipeline(Readable.from(chunks()), c.query(copyStreams.from(`COPY ${table} (${columns}) FROM STDIN (FORMAT binary)`)));
      await c.query('COMMIT');
    }
    return { wall: (performance.now() - t) / 1000, pg: backendCpu(pid) - p0, load: load() };
  } finally { await c.end(); }
}

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

  // Centre: in its own process, over loopback HTTP, verified. Its PostgreSQL connections carry an application_name of their own.
  const app = `cs_bench_centre_${process.pid}`;
  const centreUrl = `${URL_}${URL_.includes('?') ? '&' : '?'}application_name=${app}`;
  const reg = await CentreDb.open(URL_, schemas[0]);
  await reg.registerNode(ev.key.publicPem, 'bench');
  await reg.close();
  const prof = process.env.CENTRE_CPU_PROF;
  const child = spawn(process.execPath, [...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []), new URL('./lib/centre-process.ts', import.meta.url).pathname, centreUrl, schemas[0]!, String(READ_WORKERS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: string) => { out += d; const m = /listening (\S+)\n/.exec(out); if (m) resolve(m[1]!); });
    child.once('exit', (code) => reject(new Error(`the centre process ended (${code}) before listening`)));
  });
  const centreCpu = () => backendCpu(child.pid!);
  // The intake's own thread (its tid is the process's pid): the rest of the process is the read workers and V8's helper threads.
  const intakeCpu = () => { const f = readFileSync(`/proc/${child.pid!}/task/${child.pid!}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
  const pgPids = async () => (await admin.query('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [app])).rows.map((r) => Number(r.pid));
  const pgCpu = (pids: number[]) => new Map(pids.map((p) => { try { return [p, backendCpu(p)] as const; } catch { return [p, 0] as const; } }));
  const shipper = new Shipper({ url, key: ev.key, log: log as typeof ev.table, batchSize: BATCH, sliceSize: BATCH, idleMs: 5 });
  await shipper.shipOnce(); // a first empty request: connections open
  // Default: the node's requests encoded and signed before timing (in a deployment the node does that on its own
  // machine), posted two at a time as Shipper.run posts them. SHIPPER=1: a Shipper reads, encodes and signs as it goes.
  const asShipper = process.env.SHIPPER === '1';
  const bodies: { body: Buffer; signature: string }[] = [];
  if (!asShipper) {
    const cps = ev.table.listCheckpoints(1000).map((c) => ({ size: c.treeSize, text: c.text, signature: c.signature.toString('base64') }));
    for (let i = 0; i < N; i += BATCH) {
      const end = Math.min(N, i + BATCH);
      const body = encodeBatch({ first: i, texts: texts.slice(i, end).map((t) => t.text), checkpoints: cps.filter((c) => c.size > i && c.size <= end).map(({ text, signature }) => ({ text, signature })), backlog: N - end });
      bodies.push({ body, signature: signBody(BATCH_PATH, body, ev.key.privateKey) });
    }
  }
  const pg0 = pgCpu(await pgPids()), c0 = centreCpu(), i0 = intakeCpu(), n0 = cpuS(), t0 = performance.now();
  const done = new AbortController();
  let running: Promise<void> = Promise.resolve();
  if (asShipper) {
    // As a node ships (Shipper.run): the next batch is read and encoded while one is at the centre.
    running = shipper.run(done.signal);
    while ((shipper.acked ?? 0) < N) await new Promise((r) => setTimeout(r, 5));
  } else {
    const post = (b: { body: Buffer; signature: string }) => postJson(new URL(BATCH_PATH, url), b.body, { 'content-type': BATCH_CONTENT_TYPE, [NODE_HEADER]: ev.key.fingerprint, [SIGNATURE_HEADER]: b.signature }, done.signal);
    let acked = 0, next = 0;
    // Two lanes, each posting the next request in order as soon as its last is answered: two requests always in flight.
    const lane = async () => {
      while (next < bodies.length) {
        const a = await post(bodies[next++]!);
        if (a.status !== 200) throw new Error(`centre: HTTP ${a.status} ${JSON.stringify(a.body)}`);
        acked = Math.max(acked, Number(a.body.acked));
      }
    };
    await Promise.all([lane(), lane()]);
    if (acked !== N) throw new Error(`the centre acknowledged ${acked} of ${N}`);
  }
  const centreS = (performance.now() - t0) / 1000;
  const centreLoad = load();
  const centreCpuS = centreCpu() - c0, intakeCpuS = intakeCpu() - i0, nodeCpuS = cpuS() - n0;
  // The centre's backends now, less what those open at the start had used before it (a connection opened during the run started at 0).
  const centrePgS = [...pgCpu(await pgPids())].reduce((sum, [p, cpu]) => sum + cpu - (pg0.get(p) ?? 0), 0);
  done.abort();
  await running;
  const verifier = await CentreDb.open(URL_, schemas[0]);
  const st = (await verifier.status())[0]!;
  const segments = Number((await verifier.pool.query('SELECT count(*) AS n FROM centre_segments')).rows[0].n);
  await verifier.close();
  child.kill('SIGTERM');
  await once(child, 'exit');

  // The same records as the centre stores them, prepared before timing the references.
  const recs = texts.map((t) => {
    const r = readShippedRecord(t.text, t.seq, ev.key.fingerprint);
    const obs = (JSON.parse(t.text) as { obs: { remoteIp?: string; decoyId?: number } }).obs;
    return { ...r, hash: Buffer.from(r.hash, 'hex'), ip: obs.remoteIp ?? null, decoyId: obs.decoyId ?? null };
  });
  const segBatches: ((w: BinaryRows) => void)[][] = [];
  const rowBatches: ((w: BinaryRows) => void)[][] = [];
  for (let i = 0; i < N; i += BATCH) {
    const b = recs.slice(i, i + BATCH);
    const hashes = Buffer.concat(b.map((r) => r.hash));
    const lines = joinLines(b.map((r) => Buffer.from(r.text, 'utf8')));
    const minAt = Math.min(...b.map((r) => r.at)), maxAt = Math.max(...b.map((r) => r.at));
    segBatches.push([(w) => w.row(9).bigint(1).bigint(b[0]!.seq).bigint(b.at(-1)!.seq).bigint(minAt).bigint(maxAt).bytes(Buffer.from(b[0]!.prev, 'hex')).bytes(hashes).bytes(lines).bigint(0)]);
    rowBatches.push(b.map((r) => (w: BinaryRows) => w.row(9).bigint(1).bigint(r.seq).bigint(r.at).text(r.kind).text(r.ip).bigint(r.decoyId).bytes(Buffer.from(r.prev, 'hex')).bytes(r.hash).text(r.text)));
  }
  // Reference 1: the same segment rows COPYed into centre_segments (same table, constraint, compression), same batches.
  const segDb = await CentreDb.open(URL_, schemas[1]);
  await segDb.close();
  const seg = await plainCopy(schemas[1]!, 'centre_segments', 'node_id, first_seq, last_seq, min_at, max_at, prev, hashes, texts, received_at', segBatches);
  // Reference 2: the same records as a row each, COPYed into the previous version's centre_records, same batches.
  const rowDb = await CentreDb.open(URL_, schemas[2]);
  await rowDb.pool.query(ROWS_DDL);
  await rowDb.pool.query("SELECT cs_ensure_month_partition('centre_records', $1)", [recs[0]!.at]);
  await rowDb.close();
  const row = await plainCopy(schemas[2]!, 'centre_records', 'node_id, seq, at, kind, ip, decoy_id, prev, hash, text', rowBatches);

  console.log(`centre ingest, ${N} delivery records in batches of ${BATCH}, ${BENCH_DECOY.name} (loopback HTTP, PostgreSQL at ${new URL(URL_).host}, ${availableParallelism()} cores)`);
  console.log(`  centre, verified (signature, parse, hash, links, frontier, ${st.checkpointsVerified} checkpoints; ${segments} segments): ${rate(centreS)} (${centreS.toFixed(2)} s, load ${centreLoad})`);
  console.log(`  reference 1, plain COPY of the same segment rows:                   ${rate(seg.wall)} (${seg.wall.toFixed(2)} s, load ${seg.load}); PostgreSQL CPU ${us(seg.pg)} per record`);
  console.log(`  reference 2, plain COPY of the same records as a row each (pg-centre-001 table): ${rate(row.wall)} (${row.wall.toFixed(2)} s, load ${row.load}); PostgreSQL CPU ${us(row.pg)} per record`);
  console.log(`  CPU per record during the centre run: centre process ${us(centreCpuS)} (its intake thread ${us(intakeCpuS)}, its ${READ_WORKERS} read worker(s) and V8's helper threads ${us(centreCpuS - intakeCpuS)}), its PostgreSQL backends ${us(centrePgS)}, node ${asShipper ? '(read, encode, sign, post: SHIPPER=1)' : '(post only: encoded and signed before timing)'} ${us(nodeCpuS)}`);
  console.log(`  ratio centre / segment COPY: ${(seg.wall / centreS).toFixed(2)}; centre / row COPY: ${(row.wall / centreS).toFixed(2)}; target >= 100,000 records/s: ${N / centreS >= 100_000 ? 'met' : 'NOT met'}`);
  ev.detach();
  await store.close();
} finally {
  for (const s of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
