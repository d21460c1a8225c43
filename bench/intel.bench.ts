// Analysis queries on a synthetic workload (issue 11 benchmarks; issue 12: the same on PostgreSQL),
// each beside the same answer computed the plain way in the same run and the same store: straight
// SQL over the indexed record tables, no precomputed rollup.
// Targets: weekly unique IPs by municipality over one year <= 1 s; per-IP dossier p95 <= 50 ms;
// deterrence cohorts over one year <= 5 s; memory bounded (peak RSS printed). Also `stats --period
// year --by county` over a year (13.5 min as a plain query at 3 million deliveries), held to the
// same 1 s as the weekly figure.
// Usage: node bench/intel.bench.ts DATA_DIR [dossiers=200] [--store postgres://...]
//   DATA_DIR (and the store) from `counterseed synth --deliveries N --out DATA_DIR [--store URL]`.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { DatabaseSync } from 'node:sqlite';
import { cohorts } from '../src/app/cohorts.ts';
import { dossier } from '../src/app/dossier.ts';
import { refreshIntel } from '../src/app/intel-refresh.ts';
import { stats } from '../src/app/stats.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import type { DimensionRow } from '../src/store/intelligence.ts';
import { measureSync, type Measured } from './lib/pg-cpu.ts';

const argv = process.argv.slice(2);
const si = argv.indexOf('--store');
const store = si >= 0 ? argv.splice(si, 2)[1]! : '';
const [dir, nd] = argv;
const NDOSSIER = Number(nd ?? 200);
if (!dir || !existsSync(dir)) {
  console.log('usage: node bench/intel.bench.ts DATA_DIR [dossiers] [--store postgres://...]   (make it with: counterseed synth --deliveries 1000000 --out DATA_DIR [--store URL])');
  process.exit(2);
}
const ctx = openContext(loadSettings({ flags: { dataDir: dir, ...(store ? { store } : {}) }, env: {} }), () => {}, undefined, 'read');
// Both stores expose their connection as node:sqlite's DatabaseSync (PostgreSQL through pg-database.ts): the reference queries run as written on both.
const db = (ctx.store as unknown as { database: DatabaseSync }).database;
const DAY = 86_400_000;
// CPU beside wall (the machine is shared): this process's, and on PostgreSQL the store connection's backend's (the plain queries run on the same connection).
const pgPid = store ? Number(db.prepare('SELECT pg_backend_pid() AS p').get()!.p) : undefined;
const cpus: Measured<unknown>[] = [];
const time = <T>(fn: () => T): [T, number] => { const m = measureSync(pgPid, fn); cpus.push(m); return [m.r, m.wall * 1000]; };
const lastCpu = () => { const m = cpus.at(-1)!; return `CPU ${fmt(m.cpu * 1000)}${store ? ` + PostgreSQL ${fmt(m.pgCpu * 1000)}` : ''}`; };
const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
const load = () => `load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`;
const same = (a: readonly DimensionRow[], b: readonly DimensionRow[]) => {
  const k = (r: DimensionRow) => `${r.bucket}|${r.key}|${r.ips}`;
  return a.length === b.length && new Set(a.map(k)).size === new Set([...a, ...b].map(k)).size;
};

const [, tRefresh] = time(() => refreshIntel(ctx));
const n = Number(db.prepare('SELECT COUNT(*) AS n FROM deliveries').get()!.n);
const ips = Number(db.prepare('SELECT COUNT(*) AS n FROM intel_ips').get()!.n);
const v6 = Number(db.prepare("SELECT COUNT(*) AS n FROM intel_ips WHERE ip LIKE '%:%'").get()!.n);
console.log(`store: ${store ? 'PostgreSQL' : 'SQLite'}; workload: ${n.toLocaleString('en-US')} deliveries, ${ips.toLocaleString('en-US')} addresses (${v6.toLocaleString('en-US')} IPv6; purpose: ${ctx.store.intel.purpose()}); refresh before the run ${fmt(tRefresh)}; ${load()}`);

// 1. Weekly unique IPs by municipality over one year (weeks from Monday 30 Dec 2024 to Monday 5 Jan 2026).
const from = Date.UTC(2024, 11, 30);
const to = Date.UTC(2026, 0, 5);
ctx.store.intel.rollupUniqueIps('week', 'municipality', from, to); // warm
const [fast, tFast] = time(() => ctx.store.intel.rollupUniqueIps('week', 'municipality', from, to));
const cFast = lastCpu();
const [plain, tPlain] = time(() => ctx.store.intel.uniqueIpsBy({ from, to }, 'week', 'municipality'));
console.log(`weekly unique IPs by municipality, one year: rollup ${fmt(tFast)}, ${cFast} (target <= 1 s: ${tFast <= 1000 ? 'met' : 'MISSED'}) vs plain GROUP BY over deliveries ${fmt(tPlain)}, ${lastCpu()}; ratio ${(tPlain / tFast).toFixed(1)}x; ${fast.length} rows, same answer: ${same(fast, plain)}; ${load()}`);

// 2. `stats --period year --by county --from 2025-01-01 --to 2026-01-01` (the use case), against the plain activity and county queries.
const y0 = Date.UTC(2025, 0, 1);
const y1 = Date.UTC(2026, 0, 1);
const [st, tStats] = time(() => stats(ctx, { period: 'year', from: y0, to: y1, by: ['county'] }));
const cStats = lastCpu();
const [plainCounty, tPlainCounty] = time(() => { const a = ctx.store.intel.activity({ from: y0, to: y1 }, 'year'); return { a, c: ctx.store.intel.uniqueIpsBy({ from: y0, to: y1 }, 'year', 'county') }; });
const statsSame = same(st.ipsBy.county ?? [], plainCounty.c) && JSON.stringify(st.activity) === JSON.stringify(plainCounty.a);
console.log(`stats --period year --by county, one year: ${fmt(tStats)}, ${cStats} (target <= 1 s: ${tStats <= 1000 ? 'met' : 'MISSED'}) vs plain activity + county GROUP BY ${fmt(tPlainCounty)}, ${lastCpu()}; ratio ${(tPlainCounty / tStats).toFixed(1)}x; same answer: ${statsSame}; ${load()}`);

// 3. Dossier: NDOSSIER addresses drawn evenly over the address table.
const sample = db.prepare('SELECT ip FROM intel_ips WHERE ip_id % ? = 0 ORDER BY ip_id LIMIT ?').all(Math.max(1, Math.floor(ips / NDOSSIER)), NDOSSIER).map((r) => String(r.ip));
const refQ = [
  db.prepare('SELECT * FROM deliveries WHERE remote_ip = ? ORDER BY started_at LIMIT 1000'),
  db.prepare('SELECT * FROM tracker_announces WHERE remote_ip = ? ORDER BY at LIMIT 1000'),
  db.prepare('SELECT * FROM swarm_presence WHERE remote_ip = ? ORDER BY at LIMIT 1000'),
  db.prepare('SELECT e.* FROM ip_enrichment e JOIN intel_ips i ON i.ip_id = e.ip_id WHERE i.ip = ?'),
];
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const dt: number[] = [];
const rt: number[] = [];
let rows = 0;
const cpuD = { cpu: 0, pg: 0 };
const cpuR = { cpu: 0, pg: 0 };
const add = (a: { cpu: number; pg: number }) => { const m = cpus.at(-1)!; a.cpu += m.cpu; a.pg += m.pgCpu; };
for (const ip of sample) {
  const [d, t] = time(() => dossier(ctx, { ip }));
  add(cpuD);
  dt.push(t);
  rows += d.deliveries.length;
  rt.push(time(() => { for (const s of refQ) s.all(ip); })[1]);
  add(cpuR);
}
const per = (a: { cpu: number; pg: number }) => `CPU ${fmt((a.cpu * 1000) / sample.length)}${store ? ` + PostgreSQL ${fmt((a.pg * 1000) / sample.length)}` : ''} each`;
console.log(`dossier (app use case, ${sample.length} addresses, ${(rows / sample.length).toFixed(1)} deliveries each on average): p50 ${fmt(p(dt, 0.5))}, p95 ${fmt(p(dt, 0.95))}, ${per(cpuD)} (target p95 <= 50 ms: ${p(dt, 0.95) <= 50 ? 'met' : 'MISSED'}) vs plain indexed row fetches (no evidence numbers, no returns) p50 ${fmt(p(rt, 0.5))}, p95 ${fmt(p(rt, 0.95))}, ${per(cpuR)}; ${load()}`);

// 4. Cohorts over one year, horizons 1/7/30/90, no grouping; reference: the same definitions straight from deliveries and announces.
const [c, tc] = time(() => cohorts(ctx, { from: y0, to: y1 }));
const cCoh = lastCpu();
const dataEnd = c.dataEnd ?? 0;
const [refRows, tr] = time(() => db.prepare(`WITH a AS (
    SELECT remote_ip, MIN(CASE WHEN completed = 1 AND metadata_only = 0 THEN started_at END) AS fx,
      MIN(CASE WHEN NOT (completed = 1 AND metadata_only = 0) THEN started_at END) AS fc, MAX(ended_at) AS l
    FROM deliveries GROUP BY remote_ip),
  an AS (SELECT remote_ip, MAX(at) AS l FROM tracker_announces GROUP BY remote_ip),
  j AS (SELECT a.fx, a.fc, CASE WHEN COALESCE(an.l, 0) > a.l THEN an.l ELSE a.l END AS last FROM a LEFT JOIN an ON an.remote_ip = a.remote_ip),
  b AS (
    SELECT 1 AS exposed, j.fx AS t0, j.last FROM j WHERE j.fx >= ?1 AND j.fx < ?2
    UNION ALL
    SELECT 0, j.fc, j.last FROM j WHERE j.fc >= ?1 AND j.fc < ?2 AND (j.fx IS NULL OR j.fc < j.fx)),
  h(days) AS (VALUES (1), (7), (30), (90))
  SELECT b.exposed, h.days, COUNT(*) AS eligible, SUM(CASE WHEN b.last >= b.t0 + CAST(h.days AS BIGINT) * ${DAY} THEN 1 ELSE 0 END) AS returned FROM b CROSS JOIN h
  WHERE b.t0 + CAST(h.days AS BIGINT) * ${DAY} <= ?3 GROUP BY b.exposed, h.days`).all(y0, y1, dataEnd));
const refMap = new Map(refRows.map((r) => [`${Number(r.exposed)}|${Number(r.days)}`, `${Number(r.eligible)}/${Number(r.returned)}`]));
const agree = c.totals.every((t) => refMap.get(`1|${t.horizonDays}`) === `${t.exposed.eligible}/${t.exposed.returned}` && refMap.get(`0|${t.horizonDays}`) === `${t.comparison.eligible}/${t.comparison.returned}`);
console.log(`deterrence cohorts, one year, 4 horizons: ${fmt(tc)}, ${cCoh} (target <= 5 s: ${tc <= 5000 ? 'met' : 'MISSED'}) vs plain GROUP BY remote_ip over deliveries + announces ${fmt(tr)}, ${lastCpu()}; ratio ${(tr / tc).toFixed(1)}x; same counts: ${agree}; ${load()}`);
const t90 = c.totals.find((t) => t.horizonDays === 90);
if (t90) console.log(`  e.g. 90 days: exposed ${(100 * t90.exposed.rate).toFixed(1)}% of ${t90.exposed.eligible}, comparison ${(100 * t90.comparison.rate).toFixed(1)}% of ${t90.comparison.eligible}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (queries aggregate in the store or page; nothing loads the year)`);
await ctx.close();
