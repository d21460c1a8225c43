/**
 * Screenshots of the web app for docs/screenshots/ (issue 13's closing note): the overview, a dossier,
 * the internal map and the public map, in Debian's chromium (playwright-core), on a synthetic data
 * directory. Prints each page's load time (wall, and this process's CPU: the server runs in it).
 *
 *   node scripts/web-screenshots.ts SYNTHETIC_DIR OUT_DIR [--only public-map,overview,dossier,internal-map] [--store postgres://…]
 *
 * DIR must be marked synthetic (its PURPOSE says so): the script adds an analyst account and the
 * dossier view is logged in its access log. The dossier shown is the highest-scored address of the
 * latest risk run when there is one, else the first delivery's address.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { addUser } from '../src/app/accounts.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { readPurpose } from '../src/node/data-purpose.ts';
import { openGovernanceStore } from '../src/node/governance.ts';
import { createWebApp } from '../src/web/app.ts';

const [DIR, OUT] = process.argv.slice(2);
// --store URL: the PostgreSQL store (DIR made by bench/synth-to-postgres.ts); the governance tables are then in it too.
const STORE = process.argv.includes('--store') ? process.argv[process.argv.indexOf('--store') + 1] ?? '' : '';
if (!DIR || !OUT || (STORE === '' && !existsSync(join(DIR, 'counterseed.db'))) || readPurpose(DIR) !== 'synthetic') {
  console.error('usage: node scripts/web-screenshots.ts SYNTHETIC_DIR OUT_DIR [--only PAGES] [--store postgres://…]');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });
// --only: some of the pages.
const ONLY = process.argv.includes('--only') ? new Set((process.argv[process.argv.indexOf('--only') + 1] ?? '').split(',')) : null;
const settings = loadSettings({ flags: { dataDir: DIR, ...(STORE ? { store: STORE } : {}) }, env: {} });
const ctx = openContext(settings, () => {}, undefined, 'read');
const gov = openGovernanceStore(settings);
const g = { gov, now: Date.now };
const USER = 'screenshot-analyst', PASSWORD = 'screenshot-password-1234';
if (!gov.accounts.byName(USER)) await addUser(g, { username: USER, role: 'analyst', password: PASSWORD });
const run = ctx.store.risk.latestRun();
const ip = run ? ctx.store.risk.top(run.id, 1)[0]!.ip : (await ctx.store.queryDeliveries({ limit: 1 }))[0]!.remoteIp;

const server = serve({ fetch: createWebApp({ ctx, g }).fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((r) => server.once('listening', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const { chromium } = await import('playwright-core');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  /**
   * Each page must show its drawing, or the script fails (exit 1) rather than leave an empty picture
   * in docs/: the public map's image loaded with its county shapes, the internal map's municipalities,
   * the overview's chart with its series.
   */
  const drawn: Record<string, () => Promise<string | undefined>> = {
    'public-map': async () => {
      const loaded = await page.locator('main img[src="/map.svg"]').evaluate((i) => { const img = i as unknown as { complete: boolean; naturalWidth: number }; return img.complete && img.naturalWidth > 0; });
      const shapes = ((await (await page.request.get(`${base}/map.svg`)).text()).match(/<path /g) ?? []).length;
      return loaded && shapes >= 10 ? undefined : `map image loaded: ${loaded}, county shapes: ${shapes}`;
    },
    'internal-map': async () => { const n = await page.locator('main svg.map path').count(); return n >= 100 ? undefined : `${n} municipality shapes`; },
    overview: async () => { const n = await page.locator('main svg.chart polyline.series').count(); return n >= 1 ? undefined : 'no chart series'; },
  };
  const shot = async (name: string, path: string) => {
    if (ONLY && !ONLY.has(name)) return;
    const c0 = process.cpuUsage(), t = performance.now();
    await page.goto(`${base}${path}`, { waitUntil: 'load', timeout: 1_800_000 });
    const wall = performance.now() - t, c = process.cpuUsage(c0);
    const file = join(OUT, `${name}.png`);
    // The whole page, cut at 2,400 px (a dossier with thousands of deliveries runs to 16,000 px).
    const height = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document.documentElement.scrollHeight);
    await page.screenshot({ path: file, fullPage: true, clip: { x: 0, y: 0, width: 1280, height: Math.min(height, 2400) } });
    console.log(`${name.padEnd(14)} ${path.padEnd(50)} ${wall.toFixed(0).padStart(8)} ms wall ${((c.user + c.system) / 1000).toFixed(0).padStart(7)} ms CPU  load ${loadavg()[0]!.toFixed(1)}  ${statSync(file).size} bytes`);
    const missing = await drawn[name]?.();
    if (missing !== undefined) { console.error(`${name}: not drawn (${missing}); ${file} is not usable`); process.exitCode = 1; }
  };
  // The public map first, before logging in: it is the page anyone can open.
  await shot('public-map', '/map');
  await page.goto(`${base}/login`);
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/login')), page.click('main form button')]);
  await shot('overview', '/');
  await shot('dossier', `/dossier?ip=${encodeURIComponent(ip)}&purpose=screenshot-for-docs`);
  await shot('internal-map', '/intel/map');
} finally {
  await browser.close();
  server.close();
  gov.close();
  await ctx.close();
}
