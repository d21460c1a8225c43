// Where the deterrence cohorts are counted (issue 11: cohorts over a year <= 5 s; issue 12: on PostgreSQL
// with 10,000,000 deliveries): in JavaScript, paging every address's activity row to the caller
// (cohort-queries.ts, SQLite's way), against one GROUP BY in the store (cohort-counts-sql.ts, PostgreSQL's
// way), on the same store and connection, alternately, with this process's and the backend's CPU.
// Usage: node bench/cohorts-count.bench.ts DATA_DIR [--store postgres://...]   (DIR from counterseed synth, or bench/synth-to-postgres.ts)
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { DatabaseSync } from 'node:sqlite';
import { refreshIntel } from '../src/app/intel-refresh.ts';
import { loadSettings } from '../src/config/load.ts';
import { openContext } from '../src/node/context.ts';
import { cohortCountsSql } from '../src/store/sqlite/intel/cohort-counts-sql.ts';
import { cohorts } from '../src/store/sqlite/intel/cohort-queries.ts';
import { measureSync } from './lib/pg-cpu.ts';

const argv = process.argv.slice(2);
const si = argv.indexOf('--store');
const store = si >= 0 ? argv.splice(si, 2)[1]! : '';
const [dir] = argv;
if (!dir || !existsSync(dir)) {
  console.log('usage: node bench/cohorts-count.bench.ts DATA_DIR [--store postgres://...]');
  process.exit(2);
}
const ctx = openContext(loadSettings({ flags: { dataDir: dir, ...(store ? { store } : {}) }, env: {} }), () => {}, undefined, 'read');
const db = (ctx.store as unknown as { database: DatabaseSync }).database;
const pid = store ? Number(db.prepare('SELECT pg_backend_pid() AS p').get()!.p) : undefined;
refreshIntel(ctx);
const end = ctx.store.intel.lastActivityAt()!;
const y0 = Date.UTC(2025, 0, 1);
const y1 = Date.UTC(2026, 0, 1);
const fig = (m: { wall: number; cpu: number; pgCpu: number }) => `${(m.wall * 1000).toFixed(0)} ms (CPU ${(m.cpu * 1000).toFixed(0)} ms${store ? ` + PostgreSQL ${(m.pgCpu * 1000).toFixed(0)} ms` : ''})`;
for (const round of [1, 2]) {
  const js = measureSync(pid, () => cohorts(db, y0, y1, [1, 7, 30, 90], 'none', end));
  const sql = measureSync(pid, () => cohortCountsSql(db, y0, y1, [1, 7, 30, 90], 'none', end));
  console.log(`round ${round}, cohorts over 2025, 4 horizons, ${store ? 'PostgreSQL' : 'SQLite'}: counted in JavaScript ${fig(js)} vs one GROUP BY ${fig(sql)}; same counts: ${JSON.stringify(js.r) === JSON.stringify(sql.r)}; load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
}
await ctx.close();
