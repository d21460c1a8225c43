// Scoring of every IP on a PostgreSQL store (issue 14 §3 benchmark, target <= 30 s at 10,000,000
// deliveries), beside a plain GROUP BY over the same deliveries in the same run, as bench/risk.bench.ts
// does on SQLite. CPU is printed for this process and for the PostgreSQL backends (from /proc: the
// server runs on this machine), beside wall time and the load average.
// Usage: node bench/risk-postgres.bench.ts SYNTH_DIR POSTGRES_URL [new=10000]
//   SYNTH_DIR and the database from `counterseed synth --deliveries N --out SYNTH_DIR --store POSTGRES_URL`.
//   The bench empties the risk rollup first, adds `new` deliveries and two risk runs, and removes them at the end.
// Three figures:
//   1. the first score (after the upgrade to pg-risk-001: the rollup is filled from every delivery),
//      with a writer on a connection of its own inserting a delivery every 50 ms meanwhile, as a node or
//      the centre's projection would: the longest an insert waited says whether the fill holds writers;
//   2. a score after `new` more deliveries (copies of the latest, a day later): the target's case;
//   3. the reference: the plain GROUP BY of the factor counts over every delivery (no returns pass, no
//      matches, nothing stored).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { scoreRisk } from '../src/app/risk.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import type { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { load } from './lib/sql-figures.ts';
import { fig, measure } from './lib/pg-cpu.ts';

const [dir, url] = process.argv.slice(2);
const added = Number(process.argv[4] ?? 10_000);
if (!dir || !existsSync(dir) || !url?.startsWith('postgres') || !Number.isSafeInteger(added) || added < 0) {
  console.log('usage: node bench/risk-postgres.bench.ts SYNTH_DIR POSTGRES_URL [new=10000]');
  process.exit(2);
}
const DAY = 86_400_000;

const ref = new pg.Client({ connectionString: url });
await ref.connect();
const cleanUp = async () => {
  await ref.query("DELETE FROM deliveries WHERE session_id LIKE '%-bench'");
  if ((await ref.query("SELECT to_regclass('risk_watermark') AS t")).rows[0].t !== null) {
    await ref.query('DELETE FROM risk_ip_day; DELETE FROM risk_ip_decoy; DELETE FROM risk_ip_network; UPDATE risk_watermark SET last_id = 0');
  }
};
await cleanUp();
const ctx = openContext(loadSettings({ flags: { dataDir: dir, store: url }, env: {} }), () => {}, undefined, 'read');
const db = (ctx.store as PostgresStore).database;
const runs: number[] = [];
try {
  const storePid = Number((db.prepare('SELECT pg_backend_pid() AS p').get() as { p: number }).p);
  const refPid = Number((await ref.query('SELECT pg_backend_pid() AS p')).rows[0].p);
  const deliveries = Number((await ref.query('SELECT COUNT(*) AS n FROM deliveries')).rows[0].n);
  console.log(`workload: ${deliveries.toLocaleString('en-US')} synthetic deliveries on PostgreSQL; ${load()}`);

  const top = Number((await ref.query('SELECT MAX(id) AS n FROM deliveries')).rows[0].n);
  const cols = (await ref.query(`SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'deliveries' AND column_name <> 'id' ORDER BY ordinal_position`)).rows.map((r) => String(r.c));
  const shifted = cols.map((c) => (c === 'session_id' ? "session_id || '-bench'" : c === 'started_at' || c === 'ended_at' ? `${c} + ${DAY}` : c));

  // The writer: one insert every 50 ms (a copy of the latest delivery), until told to stop (at most 10 minutes).
  const writer = spawn(process.execPath, ['--input-type=module', '-e', `
    import pg from 'pg';
    const c = new pg.Client({ connectionString: ${JSON.stringify(url)} });
    await c.connect();
    let stop = false;
    process.stdin.on('data', () => { stop = true; });
    const waits = [];
    for (const end = Date.now() + 600_000; !stop && Date.now() < end;) {
      const t0 = performance.now();
      await c.query(${JSON.stringify(`INSERT INTO deliveries (${cols.join(', ')}) SELECT ${shifted.join(', ').replace("'-bench'", "$1")} FROM deliveries WHERE id = ${top}`)}, ['-w' + waits.length + '-bench']);
      waits.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
    await c.end();
    waits.sort((a, b) => a - b);
    console.log(JSON.stringify({ n: waits.length, p50: waits[waits.length >> 1] ?? 0, max: waits.at(-1) ?? 0 }));`], { stdio: ['pipe', 'pipe', 'inherit'] });
  const writerExit = once(writer, 'exit');
  let writerOut = '';
  writer.stdout.on('data', (b: Buffer) => { writerOut += b.toString(); });
  await new Promise((r) => setTimeout(r, 500));
  const first = await measure(storePid, () => scoreRisk(ctx, { top: 1 }));
  await new Promise((r) => setTimeout(r, 500));
  writer.stdin.end('stop\n');
  await writerExit;
  const w = JSON.parse(writerOut) as { n: number; p50: number; max: number };
  runs.push(first.r.run.id);
  console.log(`1. first score (fills the risk rollup from every delivery, if the store has one): ${first.r.run.ips.toLocaleString('en-US')} IPs, ${fig(first)}; ${load()}`);
  console.log(`   meanwhile a writer inserted ${w.n} deliveries, one every 50 ms: median wait ${w.p50.toFixed(1)} ms, longest ${w.max.toFixed(1)} ms`);
  await ref.query(`INSERT INTO deliveries (${cols.join(', ')}) SELECT ${shifted.join(', ')} FROM deliveries WHERE id > ${top - added} AND id <= ${top} ORDER BY id`);

  const next = await measure(storePid, () => scoreRisk(ctx, { top: 1 }));
  runs.push(next.r.run.id);
  console.log(`2. score after ${added.toLocaleString('en-US')} new deliveries: ${next.r.run.ips.toLocaleString('en-US')} IPs scored and stored, ${fig(next)} (target <= 30 s: ${next.wall <= 30 ? 'met' : 'MISSED'}); ${load()}`);

  // The outer SUM makes PostgreSQL compute every count (it drops subquery columns nobody reads).
  const plain = await measure(refPid, async () => Number((await ref.query(`SELECT COUNT(*) AS n, SUM(a + b + c + e + f + g) AS touch FROM (SELECT remote_ip, COUNT(*) AS a,
    COUNT(DISTINCT decoy_id) AS b, SUM(completed) AS c, COUNT(DISTINCT started_at / ${DAY}) AS e, MAX(started_at) - MIN(started_at) AS f,
    COALESCE(MIN(CASE WHEN completed = 1 THEN started_at END), 0) AS g FROM deliveries WHERE metadata_only = 0 GROUP BY remote_ip) x`)).rows[0].n));
  console.log(`3. reference, plain GROUP BY of the counts over every delivery (${plain.r.toLocaleString('en-US')} IPs, no returns pass, no matches, nothing stored): ${fig(plain)};`
    + ` ratio of 2. to it ${(next.wall / plain.wall).toFixed(2)}x wall, ${((next.cpu + next.pgCpu) / plain.pgCpu).toFixed(2)}x CPU; of 1. ${(first.wall / plain.wall).toFixed(2)}x wall; ${load()}`);
} finally {
  await ctx.close();
  for (const id of runs) {
    await ref.query('DELETE FROM risk_scores WHERE run_id = $1', [id]);
    await ref.query('DELETE FROM risk_runs WHERE id = $1', [id]);
  }
  await cleanUp();
  await ref.end();
}
