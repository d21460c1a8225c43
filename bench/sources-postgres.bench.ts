// Other sources, cross-matching and risk on a PostgreSQL store (issue 14 benchmarks, on issue 12's store),
// each beside a plain SQL reference doing the same work in the same run on the same database:
//   import of a ROWS-row partner list with validation (COPY per 10,000-row slice)  >= 200,000 rows/s
//       vs  PostgreSQL's own COPY ... (FORMAT csv) of the same file into a table of 7 text columns, no indexes
//   cross-match against the deliveries   <= 60 s   vs  the plain join (IP, window) counted
//   scoring of every IP                  <= 30 s   vs  the plain GROUP BY of the factor counts
// CPU is printed for this process (the validation, the worker) and for each PostgreSQL backend (from /proc:
// the server runs on this machine), beside wall time: on a shared machine wall time is mostly waiting.
// Usage: node bench/sources-postgres.bench.ts SYNTH_DIR POSTGRES_URL [rows=1000000]
//   SYNTH_DIR and the database from `counterseed synth --deliveries N --out SYNTH_DIR --store POSTGRES_URL`.
//   The bench adds an import, a match run and a risk run to that database, and removes them at the end.
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { scoreRisk } from '../src/app/risk.ts';
import { importSources } from '../src/app/sources-import.ts';
import { matchSources } from '../src/app/sources-match.ts';
import { loadSettings } from '../src/config/load.ts';
import { randomInt, seededRandom } from '../src/lab/prng.ts';
import { openContext } from '../src/node/context.ts';
import type { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { fig, measure } from './lib/pg-cpu.ts';

const [dir, url] = process.argv.slice(2);
const ROWS = Number(process.argv[4] ?? 1_000_000);
if (!dir || !existsSync(dir) || !url?.startsWith('postgres') || !Number.isSafeInteger(ROWS) || ROWS < 1) {
  console.log('usage: node bench/sources-postgres.bench.ts SYNTH_DIR POSTGRES_URL [rows=1000000]');
  process.exit(2);
}
const load = () => `load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;
const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')} rows/s`;

const work = mkdtempSync(join(tmpdir(), 'cs-sources-pg-bench-'));
const ctx = openContext(loadSettings({ flags: { dataDir: dir, store: url }, env: {} }), () => {}, undefined, 'read');
const db = (ctx.store as PostgresStore).database;
const ref = new pg.Client({ connectionString: url });
await ref.connect();
try {
  const storePid = Number((db.prepare('SELECT pg_backend_pid() AS p').get() as { p: number }).p);
  const refPid = Number((await ref.query('SELECT pg_backend_pid() AS p')).rows[0].p);
  const deliveries = Number((db.prepare('SELECT COUNT(*) AS n FROM deliveries').get() as { n: number }).n);
  console.log(`workload: ${deliveries.toLocaleString('en-US')} synthetic deliveries on PostgreSQL; partner list of ${ROWS.toLocaleString('en-US')} rows; ${load()}`);

  // The partner list, as bench/sources.bench.ts makes it: one row per sampled delivery (its IP; its source
  // port 70 %, another port 10 %, none 20 %; its start + 0-30 s, with an offset), the rest random addresses.
  const file = join(work, 'partner.csv');
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  const rand = seededRandom(14);
  const zones = ['Z', '+01:00', '+02:00', '-05:00'];
  const stamp = (t: number) => {
    const z = zones[randomInt(rand, zones.length)]!;
    const off = z === 'Z' ? 0 : (z[0] === '-' ? -1 : 1) * Number(z.slice(1, 3)) * 3_600_000;
    return new Date(t + off).toISOString().slice(0, 19) + z;
  };
  let written = 0;
  const write = async (line: string) => { if (!out.write(line)) await once(out, 'drain'); written++; };
  await write('ip,port,timestamp,action,file_hash,file_name,reference\n');
  written = 0;
  const sample = (await ref.query({ text: 'SELECT remote_ip, remote_port, started_at FROM deliveries WHERE id % $1 = 0 ORDER BY id LIMIT $2', values: [Math.max(1, Math.floor(deliveries / (ROWS / 2))), Math.ceil(ROWS / 2)], rowMode: 'array' })).rows;
  for (const [ip, port, t] of sample) {
    const x = rand();
    const p = x < 0.7 ? String(port) : x < 0.8 ? String(1024 + randomInt(rand, 64000)) : '';
    await write(`${ip},${p},${stamp(Number(t) + randomInt(rand, 30_000))},download,${'ab'.repeat(20)},holiday-video-${written % 10000}.mp4,REF-${written}\n`);
  }
  const base = Date.UTC(2025, 0, 1);
  while (written < ROWS) {
    const ip = `${85 + randomInt(rand, 10)}.${randomInt(rand, 256)}.${randomInt(rand, 256)}.${1 + randomInt(rand, 254)}`;
    await write(`${ip},${1024 + randomInt(rand, 64000)},${stamp(base + randomInt(rand, 365 * 86_400_000))},download,,holiday-video-${written % 10000}.mp4,REF-${written}\n`);
  }
  out.end();
  await once(out, 'finish');
  console.log(`partner list: ${(statSync(file).size / 1e6).toFixed(0)} MB`);

  // 1. Import with validation (COPY per slice) vs PostgreSQL's CSV COPY of the same file.
  const imp = await measure(storePid, () => importSources(ctx, { file, source: 'bench partner', reliability: 'B', credibility: '2', importedBy: 'bench' }));
  await ref.query('CREATE TABLE bench_plain_copy (ip text, port text, "timestamp" text, action text, file_hash text, file_name text, reference text)');
  const plain = await measure(refPid, async () => {
    const stream = ref.query(copyStreams.from('COPY bench_plain_copy FROM STDIN WITH (FORMAT csv, HEADER true)'));
    await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), stream);
    return stream.rowCount;
  });
  const rows = imp.r.import.rows;
  console.log(`import with validation: ${rows.toLocaleString('en-US')} rows, ${fig(imp)} = ${rate(rows, imp.wall)} (target >= 200,000 rows/s: ${rows / imp.wall >= 200_000 ? 'met' : 'MISSED'})`
    + `\n  vs plain COPY (FORMAT csv) of the file: ${Number(plain.r).toLocaleString('en-US')} rows, ${fig(plain)} = ${rate(Number(plain.r), plain.wall)}; ratio ${(imp.wall / plain.wall).toFixed(2)}x wall; ${load()}`);
  await ref.query('DROP TABLE bench_plain_copy');

  // 2. Cross-match vs the plain join.
  const w = ctx.settings.sourcesMatchWindowS * 1000;
  const m = await measure(storePid, () => matchSources(ctx, { limit: 1 }));
  const maxdur = Number((await ref.query('SELECT MAX(ended_at - started_at) AS n FROM deliveries')).rows[0].n);
  const pj = await measure(refPid, async () => Number((await ref.query(`SELECT COUNT(*) AS n FROM source_records s JOIN deliveries d
    ON d.remote_ip = s.ip AND d.started_at BETWEEN s.at - $1::bigint - $2::bigint AND s.at + $1::bigint AND d.ended_at >= s.at - $1::bigint`, [w, maxdur])).rows[0].n));
  console.log(`cross-match (window ±${w / 1000} s): ${m.r.run.matches.toLocaleString('en-US')} matches stored, ${fig(m)} (target <= 60 s: ${m.wall <= 60 ? 'met' : 'MISSED'})`
    + `\n  vs plain join counting ${pj.r.toLocaleString('en-US')} IP+window pairs: ${fig(pj)}; ratio ${(m.wall / pj.wall).toFixed(2)}x wall; ${load()}`);

  // 3. Scoring every IP vs the plain GROUP BY.
  const s = await measure(storePid, () => scoreRisk(ctx, { top: 1 }));
  // The outer SUMs make PostgreSQL compute every count (it drops subquery columns nobody reads).
  const pg2 = await measure(refPid, async () => Number((await ref.query(`SELECT COUNT(*) AS n, SUM(a + b + c + e + f + g) AS touch FROM (SELECT remote_ip, COUNT(*) AS a,
    COUNT(DISTINCT decoy_id) AS b, SUM(completed) AS c, COUNT(DISTINCT started_at / 86400000) AS e, MAX(started_at) - MIN(started_at) AS f,
    COALESCE(MIN(CASE WHEN completed = 1 THEN started_at END), 0) AS g
    FROM deliveries WHERE metadata_only = 0 GROUP BY remote_ip) x`)).rows[0].n));
  console.log(`risk scoring: ${s.r.run.ips.toLocaleString('en-US')} IPs scored and stored, ${fig(s)} (target <= 30 s: ${s.wall <= 30 ? 'met' : 'MISSED'})`
    + `\n  vs plain GROUP BY of the counts (${pg2.r.toLocaleString('en-US')} IPs; no returns pass, no matches, nothing stored): ${fig(pg2)}; ratio ${(s.wall / pg2.wall).toFixed(2)}x wall; ${load()}`);

  // Leave the database as synth made it.
  await ref.query('BEGIN');
  await ref.query('DELETE FROM risk_reviews; DELETE FROM risk_scores; DELETE FROM risk_runs; DELETE FROM source_matches; DELETE FROM source_match_runs; DELETE FROM source_records; DELETE FROM source_imports');
  await ref.query('COMMIT');
} finally {
  await ref.end();
  await ctx.close();
  rmSync(work, { recursive: true, force: true });
}
