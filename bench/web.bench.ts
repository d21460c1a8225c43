/**
 * The web API's latency (issue 13 benchmarks: API p95 <= 100 ms) on a synthetic store of N
 * deliveries (default 1,000,000; the workload is 10,000,000: pass it as the first argument),
 * over real HTTP on 127.0.0.1, printed beside the same use case called directly (no HTTP) and the
 * bare store query, measured in the same run.
 *
 *   node bench/web.bench.ts [deliveries=1000000] [requests=200]
 *
 * Every API consultation also appends one access-log entry (a SQLite commit with synchronous=FULL):
 * that cost is in the HTTP figure and in the direct use case, not in the bare store query.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { addUser } from '../src/app/accounts.ts';
import { searchDeliveries } from '../src/app/consultations.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { SqliteGovernanceStore } from '../src/store/sqlite/governance-store.ts';
import { createWebApp } from '../src/web/app.ts';
import { benchDelivery, benchStore } from './lib/evidence-fixture.ts';

const N = Number(process.argv[2] ?? 1_000_000);
const REQUESTS = Number(process.argv[3] ?? 200);
if (!Number.isSafeInteger(N) || N < 1000 || !Number.isSafeInteger(REQUESTS) || REQUESTS < 10 || REQUESTS > 100_000) throw new Error('usage: node bench/web.bench.ts [deliveries >= 1000] [requests 10..100000]');
const TARGET_P95_MS = 100;

const ip = (i: number) => `198.18.${(i >> 8) & 255}.${i % 251}`;
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
async function time(label: string, n: number, fn: (i: number) => Promise<unknown>): Promise<{ label: string; p50: number; p95: number }> {
  for (let i = 0; i < 5; i++) await fn(i); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); await fn(i); xs.push(performance.now() - t); }
  return { label, p50: pct(xs, 50), p95: pct(xs, 95) };
}

const dir = mkdtempSync(join(tmpdir(), 'cs-bench-web-'));
try {
  const store = benchStore(dir);
  let t = performance.now();
  for (let i = 0; i < N; i += 5000) await store.appendObservations(Array.from({ length: Math.min(5000, N - i) }, (_, k) => benchDelivery(i + k, ip(i + k))));
  await store.close();
  console.log(`store: ${N} deliveries written in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const settings = loadSettings({ flags: { dataDir: dir }, env: {} });
  const ctx = openContext(settings, () => {});
  const gov = new SqliteGovernanceStore(join(dir, 'counterseed.db'));
  const g = { gov, now: Date.now };
  await addUser(g, { username: 'bench', role: 'analyst', password: 'bench-password-123' });
  const actor = { id: gov.accounts.byName('bench')!.id, username: 'bench', role: 'analyst' as const };
  const server = serve({ fetch: createWebApp({ ctx, g }).fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = await fetch(`${base}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: JSON.stringify({ username: 'bench', password: 'bench-password-123' }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const get = async (path: string) => { const r = await fetch(`${base}${path}`, { headers: { cookie } }); if (r.status !== 200) throw new Error(`${path}: ${r.status}`); return r.json(); };

  const rows: { label: string; p50: number; p95: number }[] = [];
  // 1. One IP's sessions (the analyst's usual question).
  rows.push(await time('API  GET /api/deliveries?ip=X (HTTP)', REQUESTS, (i) => get(`/api/deliveries?ip=${ip((i * 7919) % N)}&purpose=bench`)));
  rows.push(await time('use case searchDeliveries ip=X (direct)', REQUESTS, (i) => searchDeliveries(ctx, g, actor, { ip: ip((i * 7919) % N), purpose: 'bench' })));
  rows.push(await time('store queryDeliveries ip=X (bare)', REQUESTS, (i) => ctx.store.queryDeliveries({ ip: ip((i * 7919) % N), limit: 101 })));
  // 2. A page of 100 in the middle of the whole list, by time.
  const mid = 1_764_000_000_000 + Math.floor(N / 2);
  const since = new Date(mid).toISOString();
  rows.push(await time('API  GET /api/deliveries?since=T&limit=100 (HTTP)', REQUESTS, () => get(`/api/deliveries?since=${since}&limit=100&purpose=bench`)));
  rows.push(await time('use case searchDeliveries since=T (direct)', REQUESTS, () => searchDeliveries(ctx, g, actor, { since: mid, limit: 100, purpose: 'bench' })));
  rows.push(await time('store queryDeliveries since=T (bare)', REQUESTS, () => ctx.store.queryDeliveries({ since: mid, limit: 101 })));

  console.log(`\n${REQUESTS} requests each, ${N} deliveries; target API p95 <= ${TARGET_P95_MS} ms`);
  console.log(`${'what'.padEnd(52)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}`);
  for (const r of rows) console.log(`${r.label.padEnd(52)} ${r.p50.toFixed(2).padStart(8)} ${r.p95.toFixed(2).padStart(8)}`);
  for (const k of [0, 3]) console.log(`ratio HTTP/direct p95 (${k === 0 ? 'by IP' : 'by time'}): ${(rows[k]!.p95 / rows[k + 1]!.p95).toFixed(2)}; HTTP/bare store: ${(rows[k]!.p95 / rows[k + 2]!.p95).toFixed(2)}; target ${rows[k]!.p95 <= TARGET_P95_MS ? 'met' : 'MISSED'}`);
  server.close();
  gov.close();
  await ctx.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
