// The ceiling of the centre's ingest on this machine (issue 12, benchmarks): how fast PostgreSQL takes
// rows by COPY, for several shapes of the stored row, with nothing of the centre's work (no HTTP, no
// verification). The same N synthetic delivery record texts (shaped as a node writes them) in each
// variant, binary COPY, one transaction per batch; per variant: records/s, wall, this process's CPU,
// the PostgreSQL backends' CPU (read from /proc: same machine), WAL bytes written, load average.
// Usage: node bench/centre-copy-ceiling.bench.ts [records=200000] [batch=20000] [postgres url] [variant,...]
import { createHash } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { BINARY_COPY_HEADER, BINARY_COPY_TRAILER, BinaryRows } from '../src/centre/copy-binary.ts';
import { benchDelivery, T0 } from './lib/evidence-fixture.ts';
import { backendCpu } from './lib/pg-cpu.ts';

const N = Number(process.argv[2] ?? 200_000);
const BATCH = Number(process.argv[3] ?? 20_000);
const URL_ = process.argv[4] ?? process.env.COUNTERSEED_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const ONLY = process.argv[5]?.split(',');
const SCHEMA = `cs_bench_ceiling_${process.pid}`;
const NODE = 'ab'.repeat(32);

// The records: exact texts as a node chains them (evidence/record.ts field order), and their leaf hashes.
interface Rec { seq: number; at: number; ip: string; prev: Buffer; hash: Buffer; text: Buffer }
const recs: Rec[] = [];
let prev = Buffer.alloc(32);
for (let i = 0; i < N; i++) {
  const ip = `198.18.${(i >> 8) & 255}.${i & 255}`;
  const text = Buffer.from(JSON.stringify({ at: T0 + 4000 + i, kind: 'delivery', node: NODE, obs: benchDelivery(i, ip), prev: prev.toString('hex'), seq: i, v: 1 }));
  const hash = createHash('sha256').update(Buffer.from([0])).update(text).digest();
  recs.push({ seq: i, at: T0 + 4000 + i, ip, prev, hash, text });
  prev = hash;
}
const avgBytes = recs.reduce((s, r) => s + r.text.length, 0) / N;

type Writer = (w: BinaryRows, node: number, batch: Rec[]) => void;
interface Variant { name: string; ddl: string; table: string; columns: string; write: Writer; connections?: number; perBatch?: boolean }
const wide: Writer = (w, node, batch) => { for (const r of batch) w.row(9).bigint(node).bigint(r.seq).bigint(r.at).text('delivery').text(r.ip).bigint(1).bytes(r.prev).bytes(r.hash).bytes(r.text); };
const WIDE_COLS = 'node_id, seq, at, kind, ip, decoy_id, prev, hash, text';
const WIDE_DDL = 'node_id BIGINT NOT NULL, seq BIGINT NOT NULL, at BIGINT NOT NULL, kind text NOT NULL, ip text, decoy_id BIGINT, prev BYTEA NOT NULL, hash BYTEA NOT NULL, text text NOT NULL';
// A segment: one row per batch, the batch's texts one after another (each preceded by its 4-byte length) and its hashes (32 bytes each).
const segment: Writer = (w, node, batch) => {
  const lens = Buffer.allocUnsafe(4 * batch.length);
  batch.forEach((r, k) => lens.writeUInt32BE(r.text.length, 4 * k));
  w.row(6).bigint(node).bigint(batch[0]!.seq).bigint(batch.at(-1)!.seq).bytes(Buffer.concat(batch.map((r) => r.hash))).bytes(lens).bytes(Buffer.concat(batch.map((r) => r.text)));
};
const SEG_DDL = (storage: string) => `CREATE TABLE t (node_id BIGINT NOT NULL, first_seq BIGINT NOT NULL, last_seq BIGINT NOT NULL, hashes BYTEA NOT NULL, lengths BYTEA NOT NULL, texts BYTEA NOT NULL, PRIMARY KEY (node_id, first_seq));
  ${storage}`;
const variants: Variant[] = [
  { name: 'narrow (node_id, seq), no index', ddl: 'CREATE TABLE t (node_id BIGINT NOT NULL, seq BIGINT NOT NULL)', table: 't', columns: 'node_id, seq', write: (w, node, b) => { for (const r of b) w.row(2).bigint(node).bigint(r.seq); } },
  { name: 'narrow (node_id, seq), primary key', ddl: 'CREATE TABLE t (node_id BIGINT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (node_id, seq))', table: 't', columns: 'node_id, seq', write: (w, node, b) => { for (const r of b) w.row(2).bigint(node).bigint(r.seq); } },
  { name: 'our row, heap, no index', ddl: `CREATE TABLE t (${WIDE_DDL})`, table: 't', columns: WIDE_COLS, write: wide },
  { name: 'our row, primary key only', ddl: `CREATE TABLE t (${WIDE_DDL}, PRIMARY KEY (node_id, seq, at))`, table: 't', columns: WIDE_COLS, write: wide },
  { name: 'our row as stored now (month partitions, PK, BRIN, (ip, at))', ddl: `CREATE TABLE t (${WIDE_DDL}, PRIMARY KEY (node_id, seq, at)) PARTITION BY RANGE (at);
      CREATE TABLE t_default PARTITION OF t DEFAULT; CREATE INDEX ON t USING brin (at); CREATE INDEX ON t (ip, at)`, table: 't', columns: WIDE_COLS, write: wide },
  { name: 'our row as stored now, 2 connections (2 nodes)', ddl: `CREATE TABLE t (${WIDE_DDL}, PRIMARY KEY (node_id, seq, at)) PARTITION BY RANGE (at);
      CREATE TABLE t_default PARTITION OF t DEFAULT; CREATE INDEX ON t USING brin (at); CREATE INDEX ON t (ip, at)`, table: 't', columns: WIDE_COLS, write: wide, connections: 2 },
  { name: 'our row, primary key only, text lz4 in the row (toast_tuple_target 128)', ddl: `CREATE TABLE t (${WIDE_DDL}, PRIMARY KEY (node_id, seq, at)) WITH (toast_tuple_target = 128); ALTER TABLE t ALTER COLUMN text SET COMPRESSION lz4`, table: 't', columns: WIDE_COLS, write: wide },
  { name: 'narrow row (node_id, seq, hash, text lz4 in the row), primary key', ddl: 'CREATE TABLE t (node_id BIGINT NOT NULL, seq BIGINT NOT NULL, hash BYTEA NOT NULL, text BYTEA NOT NULL, PRIMARY KEY (node_id, seq)) WITH (toast_tuple_target = 128); ALTER TABLE t ALTER COLUMN text SET COMPRESSION lz4', table: 't', columns: 'node_id, seq, hash, text', write: (w, node, b) => { for (const r of b) w.row(4).bigint(node).bigint(r.seq).bytes(r.hash).bytes(r.text); } },
  { name: 'segment per batch, texts compressed (pglz, default)', ddl: SEG_DDL(''), table: 't', columns: 'node_id, first_seq, last_seq, hashes, lengths, texts', write: segment, perBatch: true },
  { name: 'segment per batch, texts compressed (lz4)', ddl: SEG_DDL('ALTER TABLE t ALTER COLUMN texts SET COMPRESSION lz4;'), table: 't', columns: 'node_id, first_seq, last_seq, hashes, lengths, texts', write: segment, perBatch: true },
  { name: 'segment per batch, texts uncompressed (STORAGE EXTERNAL)', ddl: SEG_DDL('ALTER TABLE t ALTER COLUMN texts SET STORAGE EXTERNAL;'), table: 't', columns: 'node_id, first_seq, last_seq, hashes, lengths, texts', write: segment, perBatch: true },
];

async function copy(client: pg.Client, v: Variant, node: number, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += BATCH) {
    const batch = recs.slice(i, Math.min(to, i + BATCH));
    await client.query('BEGIN');
    function* chunks(): Generator<Buffer> {
      yield BINARY_COPY_HEADER;
      const w = new BinaryRows();
      if (v.perBatch) { v.write(w, node, batch); yield w.take(); } else for (let k = 0; k < batch.length; k += 2000) { v.write(w, node, batch.slice(k, k + 2000)); yield w.take(); }
      yield BINARY_COPY_TRAILER;
    }
    await pipeline(Readable.from(chunks()), client.query(copyStreams.from(`COPY ${v.table} (${v.columns}) FROM STDIN (FORMAT binary)`)));
    await client.query('COMMIT');
  }
}

const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
console.log(`COPY ceiling, ${N} delivery record texts (${avgBytes.toFixed(0)} bytes each on average) in batches of ${BATCH}, binary COPY, one transaction per batch (PostgreSQL at ${new URL(URL_).host})`);
console.log('variant | records/s | wall s | this process CPU s | PostgreSQL backends CPU s | WAL MB | table+indexes MB | load (1 min)');
try {
  for (const v of variants) {
    if (ONLY && !ONLY.some((o) => v.name.includes(o))) continue;
    await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE; CREATE SCHEMA "${SCHEMA}"; SET search_path = "${SCHEMA}"; ${v.ddl}`);
    await admin.query('CHECKPOINT').catch(() => undefined);
    const conns = v.connections ?? 1;
    const clients = await Promise.all(Array.from({ length: conns }, async () => { const c = new pg.Client({ connectionString: URL_, options: `-c search_path=${SCHEMA}` }); await c.connect(); return c; }));
    const pids = await Promise.all(clients.map(async (c) => Number((await c.query('SELECT pg_backend_pid() AS p')).rows[0].p)));
    const lsn0 = String((await admin.query('SELECT pg_current_wal_lsn() AS l')).rows[0].l);
    const be0 = pids.map(backendCpu);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    // Each connection stores its own node's records (as the centre would for several nodes at once): the same N rows in all.
    const per = Math.ceil(N / conns / BATCH) * BATCH;
    await Promise.all(clients.map((c, k) => copy(c, v, k + 1, k * per, Math.min(N, (k + 1) * per))));
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const be = pids.reduce((s, p, k) => s + backendCpu(p) - be0[k]!, 0);
    const wal = Number((await admin.query('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1) AS d', [lsn0])).rows[0].d) / 1e6;
    const size = Number((await admin.query(`SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) AS s FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')`, [SCHEMA])).rows[0].s) / 1e6;
    for (const c of clients) await c.end();
    console.log(`${v.name} | ${Math.round(N / wall).toLocaleString('en')} | ${wall.toFixed(2)} | ${((cpu.user + cpu.system) / 1e6).toFixed(2)} | ${be.toFixed(2)} | ${wal.toFixed(0)} | ${size.toFixed(0)} | ${loadavg()[0]!.toFixed(1)}`);
  }
  console.log(`machine: ${availableParallelism()} cores`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await admin.end();
}
