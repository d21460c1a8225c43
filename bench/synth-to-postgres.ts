// A PostgreSQL store holding the same synthetic workload as a SQLite one (issue 12 benchmark: the
// intelligence queries on PostgreSQL with 10,000,000 deliveries), copied table by table with COPY
// instead of synthesised again: `counterseed synth --store postgres://...` makes the same rows
// (test/unit/store/postgres/synth-same-rows.test.ts) but, on the shared 2-core machine, it spent
// 763 s generating and loading 4M rows and 579-883 s on the first refresh (enrichment and rollups,
// session 7, load 17-22), work the SQLite workload has already done. This copy: 10M in 21 min at load 22-40. The analysis tables (intel_*, ip_enrichment) are
// copied too, with their watermarks: the bench then checks every rollup answer against
// PostgreSQL's own plain query over the copied records. So are the match run, the risk run and rollup and
// the retention rules when SYNTH_DIR has them (DERIVED below; session 10: the web routes on both stores).
// Usage: node bench/synth-to-postgres.ts SYNTH_DIR POSTGRES_URL OUT_DIR
//   SYNTH_DIR: from `counterseed synth --deliveries N --out SYNTH_DIR` (read only: opened immutable).
//   POSTGRES_URL: an empty database (createdb). OUT_DIR: a new data directory for `--store POSTGRES_URL`.
// Needs the sqlite3 command-line shell (Debian: sqlite3): it writes COPY text from C, ~10x faster than a
// JavaScript loop over 10M rows.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';

const [dir, url, out] = process.argv.slice(2);
if (!dir || !url?.startsWith('postgres') || !out || !existsSync(`${dir}/counterseed.db`) || existsSync(out)) {
  console.log('usage: node bench/synth-to-postgres.ts SYNTH_DIR POSTGRES_URL OUT_DIR   (SYNTH_DIR from counterseed synth; an empty database; OUT_DIR new)');
  process.exit(2);
}
if (readFileSync(`${dir}/PURPOSE`, 'utf8').trim() !== 'synthetic') { console.log(`${dir} is not a synthetic workload (PURPOSE)`); process.exit(2); }
// immutable=1 reads the main file only: rows still in the write-ahead log (a writer that did not checkpoint
// on exit, e.g. bench/referrals-due.bench.ts's rules) would be left out without a word.
if (existsSync(`${dir}/counterseed.db-wal`) && statSync(`${dir}/counterseed.db-wal`).size > 0) {
  console.log(`${dir}/counterseed.db-wal is not empty: checkpoint it first (sqlite3 ${dir}/counterseed.db 'PRAGMA wal_checkpoint(TRUNCATE)')`);
  process.exit(2);
}
const sqliteUri = `file:${dir}/counterseed.db?immutable=1`;

// In load order (foreign keys). Scratch tables (intel_stage_*) and empty ones are left out.
const TABLES = ['campaigns', 'decoys', 'decoy_files', 'campaign_items', 'data_purpose', 'geo_databases', 'intel_ips', 'ip_enrichment', 'intel_ip_geo',
  'intel_ip_activity', 'intel_ip_bucket', 'intel_bucket_place', 'intel_day_activity', 'intel_watermarks'];
// The web routes' other inputs, when SYNTH_DIR has them (bench/match.bench.ts, bench/risk.bench.ts and
// bench/referrals-due.bench.ts --in-place): the partner list and its match run, the risk run and rollup, the
// agencies and retention rules. Copied as they are, so both stores answer the same questions from the same rows.
const DERIVED = ['source_imports', 'source_records', 'source_match_runs', 'source_matches', 'risk_runs', 'risk_scores', 'risk_reviews',
  'risk_ip_day', 'risk_ip_decoy', 'risk_ip_network', 'risk_watermark', 'jurisdiction_agency', 'retention_rule'];
// Of those, the large ones (10M partner rows at 10M) whose indexes are set aside too (no foreign key refers to them).
const DERIVED_LARGE = ['source_records', 'source_matches', 'risk_ip_day', 'risk_ip_decoy', 'risk_ip_network'];
// The large ones: their constraints and B-tree indexes are set aside for the load and built once after (one sort each).
const RECORDS = [{ table: 'deliveries', time: 'started_at' }, { table: 'tracker_announces', time: 'at' }];

const t0 = performance.now();
const load = () => `load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;
const since = () => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

function sqlite(sql: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('sqlite3', ['-batch', '-noheader', '-separator', '\t', sqliteUri, sql], { stdio: ['ignore', 'pipe', 'inherit'] });
    let s = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => { s += c; });
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(s) : reject(new Error(`sqlite3 exited with ${code}: ${sql}`))));
  });
}

// The store's own schema in the new database: migrations, the default payload (the same SHA-256 as the workload's).
const ctx = openContext(loadSettings({ flags: { dataDir: out, store: url }, env: {} }), () => {}, undefined, 'synthetic');
if ((await ctx.store.queryDeliveries({ limit: 1 })).length > 0) { console.log('the store already holds deliveries'); process.exit(2); }
await ctx.close();

const client = async () => { const c = new pg.Client({ connectionString: url }); await c.connect(); await c.query('SET jit = off'); return c; };
const main = await client();
const tableCpuStart = process.cpuUsage();

async function copyTable(c: pg.Client, table: string, rowids?: readonly [number, number]): Promise<number> {
  const sqCols = (await sqlite(`SELECT name FROM pragma_table_info('${table}')`)).trim().split('\n');
  const pgCols = (await c.query('SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', [table])).rows as { c: string; t: string }[];
  const cols = pgCols.filter((p) => sqCols.includes(p.c));
  if (cols.length === 0) throw new Error(`${table}: no columns in common`);
  // COPY's text format: NULL as \N, bytea as \\x<hex>, backslash, tab, newline and CR escaped in text.
  const expr = cols.map(({ c: col, t }) => (t === 'bytea' ? `'\\\\x' || lower(hex("${col}"))`
    : t === 'text' ? `replace(replace(replace(replace("${col}", '\\', '\\\\'), char(9), '\\t'), char(10), '\\n'), char(13), '\\r')`
      : `"${col}"`));
  const list = cols.map((x) => `"${x.c}"`).join(', ');
  // No ORDER BY: a table scan reads in rowid order (id order for the record tables), as they were written.
  const p = spawn('sqlite3', ['-batch', '-noheader', '-separator', '\t', '-nullvalue', '\\N', sqliteUri, `SELECT ${expr.join(', ')} FROM "${table}"${rowids ? ` WHERE rowid >= ${rowids[0]} AND rowid < ${rowids[1]}` : ''}`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((r) => p.on('close', r));
  const stream = c.query(copyStreams.from(`COPY "${table}" (${list}) FROM STDIN`));
  await pipeline(p.stdout, stream);
  if (await exited !== 0) throw new Error(`sqlite3 failed on ${table}`);
  return stream.rowCount;
}

async function setAside(table: string): Promise<string[]> {
  // Constraints (primary key, unique, foreign keys) and the plain B-tree indexes; BRIN stays (it costs next to nothing per row).
  const cons = (await main.query(`SELECT conname AS n, contype AS t, pg_get_constraintdef(oid) AS d FROM pg_constraint
    WHERE conrelid = $1::regclass AND conparentid = 0 AND contype IN ('p', 'u', 'f')`, [table])).rows as { n: string; t: string; d: string }[];
  const idx = (await main.query(`SELECT c.relname AS n, pg_get_indexdef(i.indexrelid) AS d FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_am a ON a.oid = c.relam WHERE i.indrelid = $1::regclass AND a.amname = 'btree' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`, [table])).rows as { n: string; d: string }[];
  for (const k of cons.filter((x) => x.t === 'f')) await main.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${k.n}"`);
  for (const k of cons.filter((x) => x.t !== 'f')) await main.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${k.n}"`);
  for (const k of idx) await main.query(`DROP INDEX "${k.n}"`);
  // Back in this order: keys, then indexes (without ONLY: on every partition), then foreign keys.
  return [...cons.filter((x) => x.t !== 'f').map((k) => `ALTER TABLE "${table}" ADD CONSTRAINT "${k.n}" ${k.d}`),
    ...idx.map((k) => k.d.replace(' ON ONLY ', ' ON ')),
    ...cons.filter((x) => x.t === 'f').map((k) => `ALTER TABLE "${table}" ADD CONSTRAINT "${k.n}" ${k.d}`)];
}

// The month partitions first, so no row lands in DEFAULT.
for (const { table, time } of RECORDS) {
  const [lo, hi] = (await sqlite(`SELECT MIN(${time}), MAX(${time}) FROM ${table}`)).trim().split('\t').map(Number);
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) continue;
  for (let d = new Date(lo!); d.getTime() <= hi!; d = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))) {
    await main.query('SELECT cs_ensure_month_partition($1, $2)', [table, d.getTime()]);
  }
  await main.query('SELECT cs_ensure_month_partition($1, $2)', [table, hi]);
}
const rebuild: string[] = [];
for (const { table } of RECORDS) rebuild.push(...await setAside(table));
const present = new Set((await sqlite('SELECT name FROM sqlite_master WHERE type = \'table\'')).trim().split('\n'));
const derived: string[] = [];
for (const t of DERIVED) if (present.has(t) && (await sqlite(`SELECT EXISTS (SELECT 1 FROM "${t}")`)).trim() === '1') derived.push(t);
for (const t of DERIVED_LARGE) if (derived.includes(t)) rebuild.push(...await setAside(t));
await main.query('DELETE FROM data_purpose');
if (derived.includes('risk_watermark')) await main.query('DELETE FROM risk_watermark'); // the migration's (1, 0), replaced by the copy's
console.log(`derived tables to copy: ${derived.join(', ') || 'none'}`);
console.log(`schema ready, ${rebuild.length} constraints and indexes set aside (${since()}; ${load()})`);

// Lanes on connections of their own: the deliveries in LANES id ranges (at load 25 one COPY got
// ~6,000 rows/s: PostgreSQL's share of the cores, not the disk, was the limit), everything else beside them.
const LANES = 4;
const [lo, hi] = (await sqlite('SELECT MIN(rowid), MAX(rowid) + 1 FROM deliveries')).trim().split('\t').map(Number) as [number, number];
const step = Math.ceil((hi - lo) / LANES);
const counts: Record<string, number> = { deliveries: 0 };
const lanes = await Promise.all(Array.from({ length: LANES + 2 }, () => client()));
await Promise.all([
  ...Array.from({ length: LANES }, async (_, i) => {
    const n = await copyTable(lanes[i]!, 'deliveries', [lo + i * step, Math.min(hi, lo + (i + 1) * step)]);
    counts.deliveries! += n;
    console.log(`deliveries lane ${i + 1} of ${LANES} copied (${since()}; ${load()})`);
  }),
  (async () => {
    for (const t of ['tracker_announces', ...TABLES]) counts[t] = await copyTable(lanes[LANES]!, t);
    console.log(`announces and analysis tables copied (${since()}; ${load()})`);
  })(),
  (async () => {
    for (const t of derived) counts[t] = await copyTable(lanes[LANES + 1]!, t);
    if (derived.length) console.log(`derived tables copied (${since()}; ${load()})`);
  })(),
]);
for (const c of lanes) await c.end();

// Index builds sort one partition at a time (~800,000 rows a month at 10M): 256 MB keeps each sort
// in memory (the server's 64 MB default spills them to disk). This session only.
await main.query("SET maintenance_work_mem = '256MB'");
for (const sql of rebuild) await main.query(sql);
console.log(`constraints and indexes rebuilt (${since()}; ${load()})`);
// Sequences past the copied ids, as the writers' own inserts would have left them.
for (const t of [...RECORDS.map((r) => r.table), ...TABLES, ...derived]) {
  const cols = (await main.query(`SELECT a.attname AS c, pg_get_serial_sequence($1, a.attname) AS s FROM pg_attribute a
    WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`, [t])).rows as { c: string; s: string | null }[];
  for (const { c, s } of cols) if (s !== null) await main.query(`SELECT setval($1, (SELECT MAX("${c}") FROM "${t}")) WHERE EXISTS (SELECT 1 FROM "${t}")`, [s]);
}
await main.query(`VACUUM (ANALYZE) ${[...RECORDS.map((r) => r.table), ...TABLES, ...derived].join(', ')}`);
await main.end();
const cpu = process.cpuUsage(tableCpuStart);
console.log(`done in ${since()} (this process CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; ${load()}):`);
for (const [t, n] of Object.entries(counts)) console.log(`  ${t}: ${n.toLocaleString('en-US')} rows`);
