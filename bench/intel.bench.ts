// Analysis queries on a synthetic workload (issue 11 benchmarks), each beside the same answer computed
// the plain way in the same run: straight SQL over the indexed record tables, no precomputed rollup.
// Targets: weekly unique IPs by municipality over one year <= 1 s; per-IP dossier p95 <= 50 ms;
// deterrence cohorts over one year <= 5 s; memory bounded (peak RSS printed).
// Usage: node bench/intel.bench.ts DATA_DIR [dossiers=200]
//   DATA_DIR from `counterseed synth --deliveries N --out DATA_DIR` (the figures name N as measured).
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { cohorts } from '../src/app/cohorts.ts';
import { dossier } from '../src/app/dossier.ts';
import { refreshIntel } from '../src/app/intel-refresh.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';

const dir = process.argv[2];
const NDOSSIER = Number(process.argv[3] ?? 200);
if (!dir || !existsSync(join(dir, 'counterseed.db'))) {
  console.log('usage: node bench/intel.bench.ts DATA_DIR [dossiers]   (make DATA_DIR with: counterseed synth --deliveries 1000000 --out DATA_DIR)');
  process.exit(2);
}
const ctx = openContext(loadSettings({ flags: { dataDir: dir }, env: {} }), () => {});
const ref = new DatabaseSync(join(dir, 'counterseed.db'), { readOnly: true });
const DAY = 86_400_000;
const time = <T>(fn: () => T): [T, number] => { const t = performance.now(); const r = fn(); return [r, performance.now() - t]; };
const fmt = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;

refreshIntel(ctx);
const n = Number(ref.prepare('SELECT COUNT(*) AS n FROM deliveries').get()!.n);
const ips = Number(ref.prepare('SELECT COUNT(*) AS n FROM intel_ips').get()!.n);
console.log(`workload: ${n.toLocaleString('en-US')} deliveries, ${ips.toLocaleString('en-US')} addresses (purpose: ${ctx.store.intel.purpose()}); SQLite page cache warm after the first query of each kind`);

// 1. Weekly unique IPs by municipality over one year (weeks from Monday 30 Dec 2024 to Monday 5 Jan 2026).
const from = Date.UTC(2024, 11, 30);
const to = Date.UTC(2026, 0, 5);
ctx.store.intel.weeklyIpsByMunicipalityRollup(from, to); // warm
const [fast, tFast] = time(() => ctx.store.intel.weeklyIpsByMunicipalityRollup(from, to));
const [plain, tPlain] = time(() => ctx.store.intel.uniqueIpsBy({ from, to }, 'week', 'municipality'));
const key = (r: { bucket: string; key: string; ips: number }) => `${r.bucket}|${r.key}|${r.ips}`;
const same = fast.length === plain.length && new Set(fast.map(key)).size === new Set([...fast, ...plain].map(key)).size;
console.log(`weekly unique IPs by municipality, one year: rollup ${fmt(tFast)} (target <= 1 s: ${tFast <= 1000 ? 'met' : 'MISSED'}) vs plain GROUP BY over deliveries ${fmt(tPlain)}; ratio ${(tPlain / tFast).toFixed(1)}x; ${fast.length} rows, same answer: ${same}`);

// 2. Dossier: NDOSSIER addresses drawn evenly over the address table.
const sample = ref.prepare('SELECT ip FROM intel_ips WHERE ip_id % ? = 0 LIMIT ?').all(Math.max(1, Math.floor(ips / NDOSSIER)), NDOSSIER).map((r) => String(r.ip));
const refQ = [
  ref.prepare('SELECT * FROM deliveries WHERE remote_ip = ? ORDER BY started_at LIMIT 1000'),
  ref.prepare('SELECT * FROM tracker_announces WHERE remote_ip = ? ORDER BY at LIMIT 1000'),
  ref.prepare('SELECT * FROM swarm_presence WHERE remote_ip = ? ORDER BY at LIMIT 1000'),
  ref.prepare('SELECT e.* FROM ip_enrichment e JOIN intel_ips i ON i.ip_id = e.ip_id WHERE i.ip = ?'),
];
const p = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const dt: number[] = [];
const rt: number[] = [];
let rows = 0;
for (const ip of sample) {
  const [d, t] = time(() => dossier(ctx, { ip }));
  dt.push(t);
  rows += d.deliveries.length;
  rt.push(time(() => { for (const s of refQ) s.all(ip); })[1]);
}
console.log(`dossier (app use case, ${sample.length} addresses, ${(rows / sample.length).toFixed(1)} deliveries each on average): p50 ${fmt(p(dt, 0.5))}, p95 ${fmt(p(dt, 0.95))} (target p95 <= 50 ms: ${p(dt, 0.95) <= 50 ? 'met' : 'MISSED'}) vs plain indexed row fetches (no evidence numbers, no returns) p50 ${fmt(p(rt, 0.5))}, p95 ${fmt(p(rt, 0.95))}`);

// 3. Cohorts over one year, horizons 1/7/30/90, no grouping; reference: the same definitions straight from deliveries and announces.
const cFrom = Date.UTC(2025, 0, 1);
const cTo = Date.UTC(2026, 0, 1);
const [c, tc] = time(() => cohorts(ctx, { from: cFrom, to: cTo }));
const dataEnd = c.dataEnd ?? 0;
const [refRows, tr] = time(() => ref.prepare(`WITH a AS (
    SELECT remote_ip, MIN(CASE WHEN completed = 1 AND metadata_only = 0 THEN started_at END) AS fx,
      MIN(CASE WHEN NOT (completed = 1 AND metadata_only = 0) THEN started_at END) AS fc, MAX(ended_at) AS l
    FROM deliveries GROUP BY remote_ip),
  an AS (SELECT remote_ip, MAX(at) AS l FROM tracker_announces GROUP BY remote_ip),
  b AS (
    SELECT 1 AS exposed, a.fx AS t0, MAX(a.l, COALESCE(an.l, 0)) AS last FROM a LEFT JOIN an USING (remote_ip) WHERE a.fx >= ?1 AND a.fx < ?2
    UNION ALL
    SELECT 0, a.fc, MAX(a.l, COALESCE(an.l, 0)) FROM a LEFT JOIN an USING (remote_ip) WHERE a.fc >= ?1 AND a.fc < ?2 AND (a.fx IS NULL OR a.fc < a.fx)),
  h(days) AS (VALUES (1), (7), (30), (90))
  SELECT b.exposed, h.days, COUNT(*) AS eligible, SUM(b.last >= b.t0 + h.days * ${DAY}) AS returned FROM b CROSS JOIN h
  WHERE b.t0 + h.days * ${DAY} <= ?3 GROUP BY b.exposed, h.days`).all(cFrom, cTo, dataEnd));
const refMap = new Map(refRows.map((r) => [`${r.exposed}|${r.days}`, `${r.eligible}/${r.returned}`]));
const agree = c.totals.every((t) => refMap.get(`1|${t.horizonDays}`) === `${t.exposed.eligible}/${t.exposed.returned}` && refMap.get(`0|${t.horizonDays}`) === `${t.comparison.eligible}/${t.comparison.returned}`);
console.log(`deterrence cohorts, one year, 4 horizons: ${fmt(tc)} (target <= 5 s: ${tc <= 5000 ? 'met' : 'MISSED'}) vs plain GROUP BY remote_ip over deliveries + announces ${fmt(tr)}; ratio ${(tr / tc).toFixed(1)}x; same counts: ${agree}`);
const t90 = c.totals.find((t) => t.horizonDays === 90);
if (t90) console.log(`  e.g. 90 days: exposed ${(100 * t90.exposed.rate).toFixed(1)}% of ${t90.exposed.eligible}, comparison ${(100 * t90.comparison.rate).toFixed(1)}% of ${t90.comparison.eligible}`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (queries stream or aggregate in SQLite; nothing loads the year)`);
ref.close();
await ctx.close();
