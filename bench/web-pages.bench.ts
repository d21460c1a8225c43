/**
 * The intelligence pages and API on a synthetic store (issue 13 benchmarks: API p95 <= 100 ms;
 * overview and dossier pages interactive in <= 1 s, with a real browser), each printed beside the
 * same use cases called directly (no HTTP, no browser) in the same run.
 *
 *   bin/counterseed synth --deliveries 1000000 --out DIR      # once (the workload is 10,000,000)
 *   node bench/web-pages.bench.ts DIR [requests=40] [--store postgres://…]
 *
 * DIR must be a synthetic data directory (its PURPOSE says so): the bench adds a user and writes
 * access-log entries to it. "Interactive" is the navigation's domInteractive in Debian's chromium
 * (playwright-core), measured from the start of navigation; every page is server-rendered with no
 * script, so it is interactive once parsed.
 */
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { addUser } from '../src/app/accounts.ts';
import { cohorts, computeCohorts } from '../src/app/cohorts.ts';
import { computeDueAlerts, dueAlerts } from '../src/app/referral-alerts.ts';
import { consultRisk, consultRiskQueue } from '../src/app/risk-consult.ts';
import { consultDossier, searchDeliveries } from '../src/app/consultations.ts';
import { dossier } from '../src/app/dossier.ts';
import { overview } from '../src/app/overview.ts';
import { overviewRetentionReview } from '../src/app/retention-alert.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { readPurpose } from '../src/node/data-purpose.ts';
import { openGovernanceStore } from '../src/node/governance.ts';
import { createWebApp } from '../src/web/app.ts';
import { weeklyTrends } from '../src/web/pages/intel.ts';

const DIR = process.argv[2];
const REQUESTS = Number(process.argv[3] !== undefined && !process.argv[3].startsWith('--') ? process.argv[3] : 40);
// --store URL: the PostgreSQL store (DIR made by bench/synth-to-postgres.ts); the governance tables are then in it too.
const STORE = process.argv.includes('--store') ? process.argv[process.argv.indexOf('--store') + 1] ?? '' : '';
if (!DIR || (STORE === '' && !existsSync(join(DIR, 'counterseed.db'))) || readPurpose(DIR) !== 'synthetic') throw new Error('usage: node bench/web-pages.bench.ts SYNTHETIC_DIR [requests]   (make one: bin/counterseed synth --deliveries N --out DIR)');
if (!Number.isSafeInteger(REQUESTS) || REQUESTS < 5 || REQUESTS > 10_000) throw new Error('requests must be 5..10000');
const API_P95_MS = 100, PAGE_MS = 1000;

const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
/** cpu: this process's CPU ms (user + system) per request, the server's included (wall figures move with the machine's load). */
type Row = { label: string; p50: number; p95: number; cpu?: number };
async function time(label: string, n: number, fn: (i: number) => Promise<unknown> | unknown): Promise<Row> {
  for (let i = 0; i < 3; i++) await fn(i); // warm-up
  const xs: number[] = [];
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) { const t = performance.now(); await fn(i); xs.push(performance.now() - t); }
  const c = process.cpuUsage(c0);
  return shown({ label, p50: pct(xs, 50), p95: pct(xs, 95), cpu: (c.user + c.system) / 1000 / n });
}
const line = (r: Row) => `${r.label.padEnd(62)} ${r.p50.toFixed(1).padStart(9)} ${r.p95.toFixed(1).padStart(9)} ${r.cpu === undefined ? '        -' : r.cpu.toFixed(1).padStart(9)}`;
/** Each figure as soon as it is measured (a long run that fails later keeps what it measured). */
function shown(r: Row): Row { console.log(line(r)); return r; }

const settings = loadSettings({ flags: { dataDir: DIR, ...(STORE ? { store: STORE } : {}) }, env: {} });
const ctx = openContext(settings, () => {}, undefined, 'read');
const gov = openGovernanceStore(settings);
const g = { gov, now: Date.now };
const PASSWORD = 'bench-password-1234';
for (const [username, role] of [['bench-analyst', 'analyst'], ['bench-supervisor', 'supervisor']] as const) if (!gov.accounts.byName(username)) await addUser(g, { username, role, password: PASSWORD });
const analyst = { id: gov.accounts.byName('bench-analyst')!.id, username: 'bench-analyst', role: 'analyst' as const };
const delivered = (await ctx.store.queryDeliveries({ limit: 20_000 })).map((d) => d.remoteIp);
const ips = [...new Set(delivered)].filter((_, i) => i % 7 === 0).slice(0, 200);
const ipAt = (i: number) => ips[(i * 31) % ips.length]!;
const deliveries = Number((ctx.store as unknown as { database: { prepare(q: string): { get(): { n: number } } } }).database.prepare('SELECT count(*) AS n FROM deliveries').get().n);

const server = serve({ fetch: createWebApp({ ctx, g }).fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ username: 'bench-analyst', password: PASSWORD }) });
const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
// A kept-alive socket the server closed while a direct row ran (5 s idle) fails once with ECONNRESET: asked again on a new one.
const fetchOnce = (path: string) => fetch(`${base}${path}`, { headers: { cookie } }).catch(() => fetch(`${base}${path}`, { headers: { cookie, connection: 'close' } }));
const get = async (path: string) => { const r = await fetchOnce(path); if (r.status !== 200) throw new Error(`${path}: ${r.status}`); return r.text(); };

// The analysis tables are brought up to date once (the first use case call refreshes them), outside the timings.
let t = performance.now();
weeklyTrends(ctx, Date.now());
console.log(`${deliveries} deliveries in ${DIR}; analysis refresh ${((performance.now() - t) / 1000).toFixed(1)} s; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);

const api: Row[] = [];
api.push(await time('API  GET /api/dossier?ip=X (HTTP)', REQUESTS, (i) => get(`/api/dossier?ip=${ipAt(i)}&purpose=bench`)));
api.push(await time('use case consultDossier ip=X (direct, logged)', REQUESTS, (i) => consultDossier(ctx, g, analyst, { ip: ipAt(i), purpose: 'bench' })));
api.push(await time('use case dossier ip=X (direct, not logged)', REQUESTS, (i) => dossier(ctx, { ip: ipAt(i), limit: 200 })));
api.push(await time('API  GET /api/deliveries?ip=X (HTTP)', REQUESTS, (i) => get(`/api/deliveries?ip=${ipAt(i)}&purpose=bench`)));
api.push(await time('use case searchDeliveries ip=X (direct)', REQUESTS, (i) => searchDeliveries(ctx, g, analyst, { ip: ipAt(i), purpose: 'bench' })));
const few = Math.max(5, Math.floor(REQUESTS / 8));
api.push(await time('API  GET /api/cohorts (HTTP)', few, () => get('/api/cohorts')));
api.push(await time('use case cohorts (direct, cached by data version)', few, () => cohorts(ctx, { horizons: [1, 7, 30, 90] })));
// The computation the cache saves (issue 13: API p95 <= 100 ms; the cache answers until the data changes).
api.push(await time('reference: computeCohorts (direct, uncached)', few, () => computeCohorts(ctx, { horizons: [1, 7, 30, 90] }, 'synthetic')));

// The issue 14 pages' API (risk rows only when the directory has a risk run: `counterseed risk score --data DIR`).
api.push(await time('API  GET /api/referrals/alerts (HTTP)', REQUESTS, () => get('/api/referrals/alerts')));
api.push(await time('use case dueAlerts (direct, reused up to a minute)', REQUESTS, () => dueAlerts(ctx, analyst, Date.now())));
api.push(await time('reference: computeDueAlerts (direct, uncached)', Math.max(5, Math.floor(REQUESTS / 4)), () => computeDueAlerts(ctx, Date.now(), 7)));
const riskRun = ctx.store.risk.latestRun();
if (riskRun) {
  const scored = ctx.store.risk.top(riskRun.id, 200).map((x) => x.ip);
  const scoredAt = (i: number) => scored[(i * 31) % scored.length]!;
  api.push(await time('API  GET /api/risk?purpose (HTTP, top 100 drafts)', REQUESTS, () => get('/api/risk?purpose=bench')));
  api.push(await time('use case consultRiskQueue drafts (direct, logged)', REQUESTS, () => consultRiskQueue(ctx, g, analyst, { purpose: 'bench', draftsOnly: true })));
  api.push(await time('API  GET /api/risk/working?ip=X (HTTP)', REQUESTS, (i) => get(`/api/risk/working?ip=${encodeURIComponent(scoredAt(i))}&purpose=bench`)));
  api.push(await time('use case consultRisk ip=X (direct, logged)', REQUESTS, (i) => consultRisk(ctx, g, analyst, { ip: scoredAt(i), purpose: 'bench' })));
} else console.log('no risk run in this directory: the risk rows are left out (counterseed risk score --data DIR)');

// Pages in a real browser, beside the use cases each page calls, called directly.
const pages: Row[] = [];
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const page = await browser.newPage();
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', 'bench-analyst');
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('main form button')]);
  const interactive = async (path: string) => {
    await page.goto(`${base}${path}`, { waitUntil: 'load', timeout: 120_000 });
    return page.evaluate(() => (globalThis as unknown as { performance: { getEntriesByType(t: string): { domInteractive: number }[] } }).performance.getEntriesByType('navigation')[0]!.domInteractive);
  };
  const browserTime = async (label: string, n: number, path: (i: number) => string): Promise<Row> => {
    for (let i = 0; i < 2; i++) await interactive(path(i));
    const xs: number[] = [];
    for (let i = 0; i < n; i++) xs.push(await interactive(path(i)));
    return shown({ label, p50: pct(xs, 50), p95: pct(xs, 95) });
  };
  const pn = Math.max(5, Math.floor(REQUESTS / 2));
  pages.push(await browserTime('page / overview, interactive (chromium)', pn, () => '/'));
  pages.push(await time('its use cases: overview + trends + retention alert + referral alert (direct)', pn, async () => {
    await overview(ctx, analyst, Date.now()); weeklyTrends(ctx, Date.now()); overviewRetentionReview(ctx, g, analyst); dueAlerts(ctx, analyst, Date.now());
  }));
  pages.push(await browserTime('page /dossier?ip=X, interactive (chromium)', pn, (i) => `/dossier?ip=${ipAt(i)}&purpose=bench`));
  pages.push(await time('its use case: consultDossier (direct)', pn, (i) => consultDossier(ctx, g, analyst, { ip: ipAt(i), purpose: 'bench' })));
} finally {
  await browser.close();
}

const print = (rows: Row[]) => { for (const r of rows) console.log(line(r)); };
console.log(`\n${deliveries} deliveries; ${REQUESTS} requests per API row; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log(`${'what'.padEnd(62)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'CPU ms/req'.padStart(9)}`);
print(api);
print(pages);
const ratio = (a: Row, b: Row) => (a.p95 / b.p95).toFixed(2);
console.log(`dossier API p95 ${api[0]!.p95.toFixed(1)} ms (target <= ${API_P95_MS}: ${api[0]!.p95 <= API_P95_MS ? 'met' : 'MISSED'}); HTTP/direct ${ratio(api[0]!, api[1]!)}`);
console.log(`deliveries API p95 ${api[3]!.p95.toFixed(1)} ms (target <= ${API_P95_MS}: ${api[3]!.p95 <= API_P95_MS ? 'met' : 'MISSED'}); HTTP/direct ${ratio(api[3]!, api[4]!)}`);
console.log(`cohorts API p95 ${api[5]!.p95.toFixed(1)} ms (target <= ${API_P95_MS}: ${api[5]!.p95 <= API_P95_MS ? 'met' : 'MISSED'}); HTTP/direct ${ratio(api[5]!, api[6]!)}; HTTP/uncached computation ${ratio(api[5]!, api[7]!)}`);
for (let i = 8; i + 1 < api.length; i++) if (api[i]!.label.startsWith('API')) console.log(`${api[i]!.label.replace(/^API\s+/, '')}: p95 ${api[i]!.p95.toFixed(1)} ms (target <= ${API_P95_MS}: ${api[i]!.p95 <= API_P95_MS ? 'met' : 'MISSED'}); HTTP/direct ${ratio(api[i]!, api[i + 1]!)}`);
console.log(`overview interactive p95 ${pages[0]!.p95.toFixed(1)} ms (target <= ${PAGE_MS}: ${pages[0]!.p95 <= PAGE_MS ? 'met' : 'MISSED'}); browser/direct ${ratio(pages[0]!, pages[1]!)}`);
console.log(`dossier interactive p95 ${pages[2]!.p95.toFixed(1)} ms (target <= ${PAGE_MS}: ${pages[2]!.p95 <= PAGE_MS ? 'met' : 'MISSED'}); browser/direct ${ratio(pages[2]!, pages[3]!)}`);
server.close();
gov.close();
await ctx.close();
