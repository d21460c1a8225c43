/**
 * Every GET route of the API on a synthetic store (issue 13 benchmarks: API p95 <= 100 ms), each over
 * real HTTP on 127.0.0.1 beside the same request answered in-process by the same app (`app.request`:
 * routing, session, guard, use case and JSON, with no socket and no HTTP parsing), in the same run.
 * bench/web-pages.bench.ts has the main routes beside their use cases called directly, and the pages.
 *
 *   bin/counterseed synth --deliveries 10000000 --out DIR      # the issue's workload
 *   bin/counterseed risk score --data DIR                       # for the risk routes
 *   node bench/match.bench.ts DIR --in-place                    # a partner list and a match run, for /api/sources/matches
 *   node bench/web-routes.bench.ts DIR [requests=20] [--skip /api/a,/api/b] [--only /api/a,/api/b] [--now 2026-01-01T03:00Z] [--store postgres://… [--serial]]
 *
 * DIR must be a synthetic data directory (its PURPOSE says so): the bench adds users and writes
 * access-log entries to it. Routes that need an id (an export, a case) or a run (risk, matches) are
 * left out when the directory has none; POST routes change state and are not timed. The public map
 * is asked for as the public asks for it, with no session. `1st` is the first request's wall and CPU
 * time (a cold cache: the public map's drawing, a cohort report), before the two warm-ups are dropped.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { addUser } from '../src/app/accounts.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { readPurpose } from '../src/node/data-purpose.ts';
import { openGovernanceStore } from '../src/node/governance.ts';
import { createWebApp } from '../src/web/app.ts';
import { weeklyTrends } from '../src/web/pages/intel.ts';
import { backendCpu } from './lib/pg-cpu.ts';

const DIR = process.argv[2];
const REQUESTS = Number(process.argv[3] ?? 20);
// --skip: routes left out of this run.
const listArg = (flag: string) => new Set(process.argv.includes(flag) ? (process.argv[process.argv.indexOf(flag) + 1] ?? '').split(',') : []);
const SKIP = listArg('--skip');
// --only: just these routes (by path, as in the table).
const ONLY = listArg('--only');
// --now TIME: the app's clock (UTC, e.g. 2026-01-01T03:00Z), to ask inside the data as a live centre does (the synthetic data ends months before today).
const NOW = process.argv.includes('--now') ? Date.parse(process.argv[process.argv.indexOf('--now') + 1] ?? '') : undefined;
if (NOW !== undefined && !Number.isFinite(NOW)) throw new Error('--now: a UTC time such as 2026-01-01T03:00Z');
// --store URL: the PostgreSQL store (DIR made by bench/synth-to-postgres.ts); the CPU columns then add the CPU of the store's PostgreSQL
// backend (bench/lib/pg-cpu.ts; the governance store's own connection, which writes the access log, is not counted).
const STORE = process.argv.includes('--store') ? process.argv[process.argv.indexOf('--store') + 1] ?? '' : '';
// --serial (with --store): no parallel workers on the store's connection (max_parallel_workers_per_gather = 0). A worker is a
// process of its own whose CPU the CPU columns cannot see (it ends with its statement); serial, they hold all of the store's work.
const SERIAL = process.argv.includes('--serial');
if (SERIAL && !STORE) throw new Error('--serial: only with --store');
if (!DIR || (STORE === '' && !existsSync(join(DIR, 'counterseed.db'))) || readPurpose(DIR) !== 'synthetic') throw new Error('usage: node bench/web-routes.bench.ts SYNTHETIC_DIR [requests]   (make one: bin/counterseed synth --deliveries N --out DIR)');
if (!Number.isSafeInteger(REQUESTS) || REQUESTS < 5 || REQUESTS > 10_000) throw new Error('requests must be 5..10000');
const API_P95_MS = 100;
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
/** p50/p95 wall ms and this process's CPU ms per request (server included; wall figures move with the machine's load). */
async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<{ p50: number; p95: number; cpu: number; first: { wall: number; cpu: number } }> {
  const c1 = process.cpuUsage();
  const b1 = pgCpuMs();
  const t1 = performance.now();
  await fn(0);
  const first = { wall: performance.now() - t1, cpu: (({ user, system }) => (user + system) / 1000)(process.cpuUsage(c1)) + pgCpuMs() - b1 };
  await fn(1); // warm-up
  const xs: number[] = [];
  const c0 = process.cpuUsage();
  const b0 = pgCpuMs();
  for (let i = 0; i < n; i++) { const t = performance.now(); await fn(i); xs.push(performance.now() - t); }
  const c = process.cpuUsage(c0);
  return { p50: pct(xs, 50), p95: pct(xs, 95), cpu: ((c.user + c.system) / 1000 + pgCpuMs() - b0) / n, first };
}

const settings = loadSettings({ flags: { dataDir: DIR, ...(STORE ? { store: STORE } : {}) }, env: {} });
// The server's internal errors (a route answering 500) printed, the first few: the table then says only "500".
let errorsShown = 0;
const ctx = openContext(settings, (m) => { if (m.startsWith('web: ') && errorsShown++ < 3) console.error(m); }, undefined, 'read');
const gov = openGovernanceStore(settings);
const g = { gov, now: NOW === undefined ? Date.now : () => NOW };
const PASSWORD = 'bench-password-1234';
const ROLES = ['operator', 'analyst', 'supervisor', 'auditor', 'admin'] as const;
for (const role of ROLES) if (!gov.accounts.byName(`bench-${role}`)) await addUser(g, { username: `bench-${role}`, role, password: PASSWORD });
const db = (ctx.store as unknown as { database: { prepare(q: string): { get(): Record<string, unknown> | undefined; all(): Record<string, unknown>[] } } }).database;
const deliveries = Number(db.prepare('SELECT count(*) AS n FROM deliveries').get()!.n);
const pgPid = STORE ? Number(db.prepare('SELECT pg_backend_pid() AS p').get()!.p) : undefined;
if (SERIAL) (db as unknown as { exec(sql: string): void }).exec('SET max_parallel_workers_per_gather = 0');
/** The store's PostgreSQL backend's CPU so far (ms, in 10 ms ticks), or 0 on SQLite. */
function pgCpuMs(): number { return pgPid === undefined ? 0 : backendCpu(pgPid) * 1000; }
const ips = [...new Set((await ctx.store.queryDeliveries({ limit: 20_000 })).map((d) => d.remoteIp))].filter((_, i) => i % 7 === 0).slice(0, 200);
const ipAt = (i: number) => ips[(i * 31) % ips.length]!;
const run = ctx.store.risk.latestRun();
const scored = run ? ctx.store.risk.top(run.id, 200).map((x) => x.ip) : [];
const matchRun = ctx.store.sources.latestMatchRun();
const matched = matchRun ? [...new Set(ctx.store.sources.matches(matchRun.id, 1000).map((m) => m.sourceIp))].slice(0, 200) : [];

const app = createWebApp({ ctx, g });
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const cookies = new Map<string, string>();
for (const role of ROLES) {
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ username: `bench-${role}`, password: PASSWORD }) });
  if (r.status !== 200) throw new Error(`login bench-${role}: ${r.status}`);
  cookies.set(role, r.headers.get('set-cookie')!.split(';')[0]!);
}
// A kept-alive socket the server closed while an in-process row ran (5 s idle) fails once with ECONNRESET: asked again on a new one.
const session = (role: string): Record<string, string> => (role === 'anonymous' ? {} : { cookie: cookies.get(role)! });
const overHttp = async (role: string, path: string) => {
  const r = await fetch(`${base}${path}`, { headers: session(role) }).catch(() => fetch(`${base}${path}`, { headers: { ...session(role), connection: 'close' } }));
  if (r.status !== 200) throw new Error(`${path} (HTTP, ${role}): ${r.status} ${(await r.text()).slice(0, 200)}`);
  return r.text();
};
const inProcess = async (role: string, path: string) => {
  const r = await app.request(path, { headers: session(role) });
  if (r.status !== 200) throw new Error(`${path} (in-process, ${role}): ${r.status} ${(await r.text()).slice(0, 200)}`);
  return r.text();
};

let t = performance.now();
weeklyTrends(ctx, Date.now()); // the analysis tables brought up to date once, outside the timings
console.log(`${deliveries} deliveries in ${DIR}; analysis refresh ${((performance.now() - t) / 1000).toFixed(1)} s; load average ${load()}`);
// What a re-measure needs to compare runs: the code, the runtime, the machine and, on PostgreSQL, the server and its settings that move plans.
const commit = (() => { try { return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim(); } catch { return 'unknown'; } })();
const about = [`code ${commit}; node ${process.version}; ${availableParallelism()} cores; store ${STORE ? 'PostgreSQL' : 'SQLite'}${NOW === undefined ? '' : `; the app's clock ${new Date(NOW).toISOString()}`}`];
if (STORE) {
  const settingsRow = db.prepare(`SELECT version() AS v, current_setting('shared_buffers') AS sb, current_setting('work_mem') AS wm, current_setting('max_parallel_workers_per_gather') AS par, current_setting('jit') AS jit, current_setting('random_page_cost') AS rpc`).get()!;
  about.push(`${String(settingsRow.v).split(' on ')[0]}; shared_buffers ${settingsRow.sb}, work_mem ${settingsRow.wm}, max_parallel_workers_per_gather ${settingsRow.par}, jit ${settingsRow.jit}, random_page_cost ${settingsRow.rpc} (the store's connection); CPU columns: node + the store's backend${SERIAL ? '' : ' (not its parallel workers: --serial for all of it)'}`);
}
console.log(about.join('\n'));

type Route = { path: string; role: (typeof ROLES)[number] | 'anonymous'; url: (i: number) => string };
const r = (path: string, role: Route['role'], url: string | ((i: number) => string) = path): Route => ({ path, role, url: typeof url === 'string' ? () => url : url });
const routes: Route[] = [
  r('/api/me', 'analyst'), r('/api/overview', 'analyst'), r('/api/openapi.json', 'analyst'), r('/api/docs', 'analyst'),
  r('/api/public-map', 'anonymous'),
  r('/api/dossier', 'analyst', (i) => `/api/dossier?ip=${ipAt(i)}&purpose=bench`),
  r('/api/deliveries', 'analyst', (i) => `/api/deliveries?ip=${ipAt(i)}&purpose=bench`),
  r('/api/cohorts', 'analyst'),
  r('/api/campaigns', 'operator'), r('/api/payloads', 'operator'), r('/api/node-health', 'operator'),
  r('/api/exports', 'analyst'), r('/api/retention', 'analyst'), r('/api/holds', 'analyst'), r('/api/retention/requests', 'supervisor'),
  r('/api/sources', 'analyst'),
  ...(matchRun ? [r('/api/sources/matches', 'analyst', '/api/sources/matches?purpose=bench'),
    r('/api/sources/matches?ip', 'analyst', (i) => `/api/sources/matches?ip=${encodeURIComponent(matched[(i * 31) % matched.length]!)}&purpose=bench`)] : []),
  ...(scored.length ? [r('/api/risk', 'analyst', '/api/risk?purpose=bench'),
    r('/api/risk/working', 'analyst', (i) => `/api/risk/working?ip=${encodeURIComponent(scored[(i * 31) % scored.length]!)}&purpose=bench`)] : []),
  r('/api/referrals/alerts', 'analyst'), r('/api/referrals/due', 'analyst', '/api/referrals/due?purpose=bench'), r('/api/referrals', 'analyst'),
  r('/api/cases', 'analyst'),
  r('/api/users', 'admin'), r('/api/access-log', 'auditor'), r('/api/access-log/export', 'auditor'), r('/api/access-log/verify', 'auditor'),
];
if (SKIP.size) console.log(`skipped on request: ${[...SKIP].join(', ')}`);
if (!matchRun) console.log('no match run in this directory: /api/sources/matches is left out (node bench/match.bench.ts DIR --in-place)');
if (NOW !== undefined) console.log(`the app's clock: ${new Date(NOW).toISOString()}`);
if (!scored.length) console.log('no risk run in this directory: /api/risk and /api/risk/working are left out (counterseed risk score --data DIR)');
console.log('left out: /api/exports/{id}, /api/exports/{id}/package, /api/cases/{id} (need an id the directory may not have); POST routes (they change state)');

const rows: string[] = [];
const header = `${'route (role)'.padEnd(42)} ${'1st ms'.padStart(8)} ${'1st CPU'.padStart(8)} ${'HTTP p50'.padStart(9)} ${'HTTP p95'.padStart(9)} ${'CPU/req'.padStart(8)} ${'in-proc p95'.padStart(11)} ${'CPU/req'.padStart(8)} ${'ratio'.padStart(6)} ${'load 1m'.padStart(7)}  target`;
console.log(header);
for (const route of routes.filter((x) => !SKIP.has(x.path) && (ONLY.size === 0 || ONLY.has(x.path)))) {
  try {
    const http = await time(REQUESTS, (i) => overHttp(route.role, route.url(i)));
    const direct = await time(REQUESTS, (i) => inProcess(route.role, route.url(i)));
    const line = `${`${route.path} (${route.role})`.padEnd(42)} ${http.first.wall.toFixed(1).padStart(8)} ${http.first.cpu.toFixed(1).padStart(8)} ${http.p50.toFixed(1).padStart(9)} ${http.p95.toFixed(1).padStart(9)} ${http.cpu.toFixed(1).padStart(8)} ${direct.p95.toFixed(1).padStart(11)} ${direct.cpu.toFixed(1).padStart(8)} ${(http.p95 / direct.p95).toFixed(2).padStart(6)} ${loadavg()[0]!.toFixed(1).padStart(7)}  ${http.p95 <= API_P95_MS ? 'met' : 'MISSED'}`;
    console.log(line);
    rows.push(line);
  } catch (e) {
    const line = `${`${route.path} (${route.role})`.padEnd(42)} failed: ${(e as Error).message}`;
    console.log(line);
    rows.push(line);
  }
}
console.log(`\n${deliveries} deliveries; ${REQUESTS} requests per route and mode; load average ${load()}\n${about.join('\n')}\n${header}\n${rows.join('\n')}`);
server.close();
gov.close();
await ctx.close();
