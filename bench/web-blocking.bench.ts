/**
 * What one slow request costs every other request of the web app (issue 13: "a slow query never stalls
 * serving"), on SQLite and on PostgreSQL. The store answers synchronously on both: node:sqlite computes
 * in the server's thread, and the PostgreSQL store's SyncConnection (src/store/postgres/sync-connection.ts)
 * parks the thread in Atomics.wait until its worker has the reply. So while a request runs a query,
 * no other request is served, whichever store it is.
 *
 *   node bench/web-blocking.bench.ts DIR [--store postgres://…] [--slow PATH] [--requests N] [--workers N]
 *
 * `--workers N` (N > 1) serves as `counterseed serve --workers N` does (web/cluster.ts: N processes on one
 * port); CPU is then this process's plus the workers' (from /proc), per fast request. Each client keeps
 * its own keep-alive connection, as a browser does; the primary hands connections to workers in turn.
 * Over real HTTP on 127.0.0.1: a fast route (`/api/me`: the session look-up) timed alone, then again
 * while a second client asks for a slow route back to back (default `/api/retention?fresh=1`: every
 * record past its retention period counted afresh), beside the slow route's own time in the same run.
 * DIR is a synthetic data directory (`counterseed synth`, with `--store` for PostgreSQL): the bench adds
 * users to it. CPU is this process's (server and clients); on PostgreSQL the backend's is not in it.
 */
import type { AddressInfo } from 'node:net';
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { serve } from '@hono/node-server';
import { addUser } from '../src/app/accounts.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { readPurpose } from '../src/node/data-purpose.ts';
import { openGovernanceStore } from '../src/node/governance.ts';
import { createWebApp } from '../src/web/app.ts';
import { serveWeb } from '../src/web/serve.ts';

const arg = (flag: string, dflt: string) => (process.argv.includes(flag) ? process.argv[process.argv.indexOf(flag) + 1] ?? dflt : dflt);
const DIR = process.argv[2];
const STORE = arg('--store', '');
const SLOW = arg('--slow', '/api/retention?fresh=1');
const N = Number(arg('--requests', '200'));
const WORKERS = Number(arg('--workers', '1'));
if (!Number.isSafeInteger(WORKERS) || WORKERS < 1 || WORKERS > 16) throw new Error('--workers: 1..16');
if (!DIR || readPurpose(DIR) !== 'synthetic') throw new Error('usage: node bench/web-blocking.bench.ts SYNTHETIC_DIR [--store postgres://…] [--slow PATH] [--requests N] [--workers N]');
if (!Number.isSafeInteger(N) || N < 20 || N > 100_000) throw new Error('--requests: 20..100000');

const settings = loadSettings({ flags: { dataDir: DIR, ...(STORE ? { store: STORE } : {}), webWorkers: String(WORKERS) }, env: {} });
const ctx = openContext(settings, () => {}, undefined, 'read');
const gov = openGovernanceStore(settings);
const g = { gov, now: Date.now };
const PASSWORD = 'bench-password-1234';
for (const role of ['analyst', 'supervisor'] as const) if (!gov.accounts.byName(`bench-${role}`)) await addUser(g, { username: `bench-${role}`, role, password: PASSWORD });

let base: string;
let stopServer: () => Promise<void>;
if (WORKERS === 1) {
  const app = createWebApp({ ctx, g });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stopServer = () => new Promise((r) => server.close(() => r()));
} else {
  const stop = new AbortController();
  let listening = 0;
  const url = new Promise<string>((resolve) => {
    const done = serveWeb(settings, (m) => { if (/listening/.test(m)) listening++; }, { port: 0, host: '127.0.0.1', signal: stop.signal, onListening: resolve });
    stopServer = async () => { stop.abort(); await done; };
  });
  base = (await url).replace(/\/$/, '');
  for (let i = 0; i < 400 && listening < WORKERS; i++) await new Promise((r) => setTimeout(r, 50));
}
/** CPU ms of the worker processes so far (utime + stime in /proc, clock ticks of 10 ms). */
const workersCpu = () => Object.values(cluster.workers ?? {}).reduce((sum, w) => {
  try { const f = readFileSync(`/proc/${w!.process.pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return sum + (Number(f[11]) + Number(f[12])) * 10; } catch { return sum; }
}, 0);
const login = async (user: string) => {
  const r = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ username: user, password: PASSWORD }) });
  if (r.status !== 200) throw new Error(`login ${user}: ${r.status}`);
  return r.headers.get('set-cookie')!.split(';')[0]!;
};
const fastCookie = await login('bench-analyst');
const slowCookie = await login('bench-supervisor');
const get = async (path: string, cookie: string) => {
  const r = await fetch(`${base}${path}`, { headers: { cookie } });
  if (r.status !== 200) throw new Error(`${path}: ${r.status} ${(await r.text()).slice(0, 200)}`);
  await r.arrayBuffer();
};

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
async function timeFast(n: number): Promise<{ p50: number; p95: number; max: number; cpu: number }> {
  const xs: number[] = [];
  const c0 = process.cpuUsage(), w0 = workersCpu();
  for (let i = 0; i < n; i++) { const t = performance.now(); await get('/api/me', fastCookie); xs.push(performance.now() - t); }
  const c = process.cpuUsage(c0);
  return { p50: pct(xs, 50), p95: pct(xs, 95), max: Math.max(...xs), cpu: ((c.user + c.system) / 1000 + workersCpu() - w0) / n };
}

const kind = STORE ? 'PostgreSQL' : 'SQLite';
for (let i = 0; i < 5; i++) await get('/api/me', fastCookie); // warm-up
await get(SLOW, slowCookie);
const alone = await timeFast(N);
// The slow client: back to back until the fast client is done.
const slowTimes: number[] = [];
let stop = false;
const slowLoop = (async () => {
  while (!stop) { const t = performance.now(); await get(SLOW, slowCookie); slowTimes.push(performance.now() - t); }
})();
const busy = await timeFast(N);
stop = true;
await slowLoop;

const f = (x: number) => x.toFixed(1).padStart(8);
console.log(`${kind}, ${WORKERS} worker${WORKERS > 1 ? 's' : ''} (${WORKERS > 1 ? 'serve --workers' : 'in this process'}): ${DIR}${STORE ? ` + ${STORE.replace(/\/\/[^@]*@/, '//')}` : ''}; ${N} fast requests each way; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`${'what'.padEnd(44)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)} ${'CPU/req'.padStart(8)}`);
console.log(`${'GET /api/me alone'.padEnd(44)} ${f(alone.p50)} ${f(alone.p95)} ${f(alone.max)} ${f(alone.cpu)}`);
console.log(`${`GET /api/me beside ${SLOW}`.padEnd(44)} ${f(busy.p50)} ${f(busy.p95)} ${f(busy.max)} ${f(busy.cpu)}`);
console.log(`${`${SLOW} (${slowTimes.length} requests)`.padEnd(44)} ${f(pct(slowTimes, 50))} ${f(pct(slowTimes, 95))} ${f(Math.max(...slowTimes))}`);
console.log(`ratio p95 beside/alone: ${(busy.p95 / alone.p95).toFixed(1)}; fast p95 / slow p50: ${(busy.p95 / pct(slowTimes, 50)).toFixed(2)} (1 = every fast request waits for a whole slow one)`);
await stopServer!();
gov.close();
await ctx.close();
