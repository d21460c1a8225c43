/**
 * The web app's governance and erasure on PostgreSQL, beside the same work on SQLite in the same run
 * (issue 13 on `--store postgres://…`). Two figures per store:
 * - an access-log append (what every consultation costs before its data is returned: one transaction
 *   reading the last entry and inserting the next; on PostgreSQL also the table lock) and a session
 *   look-up (every request), p50/p95 in ms. Target: the API's p95 <= 100 ms leaves room for both.
 * - erasing M chained deliveries (tombstones, seq look-up per row, batches of 5,000, the intelligence
 *   rollups brought up to date first and corrected by the erasure), records/s, beside the reference: a
 *   plain DELETE of the same number of rows, by id in the same batches, from a copy of the table.
 *
 *   node bench/governance-stores.bench.ts postgres://postgres@127.0.0.1/DB [appends=300] [deliveries=10000]
 *
 * Works in a schema of its own in DB (dropped at the end). CPU time is this process's (the SQLite work
 * and the PostgreSQL client); PostgreSQL's own CPU is not in it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { recordAccess } from '../src/app/access-log.ts';
import { initEvidence, signCheckpoint } from '../src/app/evidence.ts';
import { loadSettings } from '../src/config/load.ts';
import { openEvidence } from '../src/evidence/open.ts';
import { openContext } from '../src/node/context.ts';
import { openErasure } from '../src/node/erasure.ts';
import type { GovernanceStore } from '../src/store/governance.ts';
import { PgGovernanceStore } from '../src/store/postgres/pg-governance-store.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { SqliteGovernanceStore } from '../src/store/sqlite/governance-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { BENCH_DECOY, benchDelivery } from './lib/evidence-fixture.ts';

const URL_ = process.argv[2] ?? '';
const APPENDS = Number(process.argv[3] ?? 300);
const M = Number(process.argv[4] ?? 10_000);
if (!/^postgres(ql)?:\/\//.test(URL_) || !(APPENDS >= 10 && APPENDS <= 100_000) || !(M >= 1000 && M <= 10_000_000)) {
  process.stderr.write('usage: node bench/governance-stores.bench.ts postgres://… [appends 10..100000] [deliveries 1000..10000000]\n');
  process.exit(2);
}
const TARGET_P95_MS = 100;
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!; };
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const cpuMs = (c: NodeJS.CpuUsage) => ((c.user + c.system) / 1000).toFixed(0);
const schema = `cs_bench_gov_${process.pid}`;

interface Figures { appendP50: number; appendP95: number; sessionP95: number; eraseRate: number; refRate: number; eraseCpu: string; refCpu: string }

async function measure(name: string, store: Store, gov: GovernanceStore, dataDir: string, settings: ReturnType<typeof loadSettings>): Promise<Figures> {
  const g = { gov, now: Date.now };
  const a = gov.accounts.add({ username: 'anna', role: 'analyst', passwordHash: 'x', totpSecret: null, createdAt: 1 });
  gov.sessions.add({ tokenHash: 'a'.repeat(64), accountId: a.id, csrfToken: 'c', createdAt: 1, expiresAt: 8.64e15 });
  const appends: number[] = [], sessions: number[] = [];
  for (let i = 0; i < APPENDS; i++) {
    let t = performance.now();
    gov.sessions.get('a'.repeat(64));
    sessions.push(performance.now() - t);
    t = performance.now();
    recordAccess(g, a, 'consult', `dossier 198.18.0.${i % 250}: 3 deliveries`, 'case-bench');
    appends.push(performance.now() - t);
  }
  // M chained deliveries, a checkpoint over them, then the erasure of all of them.
  const ctx = openContext(settings, () => {}, () => store);
  await initEvidence(ctx);
  store.insertPayload({ id: 'cd'.repeat(32), size: 1, label: 'p', mediaType: 'video/mp4', addedAt: 1 });
  const [decoy] = await store.insertDecoys([{ ...BENCH_DECOY, payloadId: 'cd'.repeat(32), contentSha256: 'cd'.repeat(32) }], 1);
  const ev = openEvidence(store, dataDir, { create: false });
  for (let i = 0; i < M; i += 2000) {
    await store.appendObservations(Array.from({ length: Math.min(2000, M - i) }, (_, j) => ({ ...benchDelivery(i + j, `198.18.${((i + j) >> 8) & 255}.${(i + j) % 251}`), decoyId: decoy!.id })));
  }
  ev.detach();
  const signed = (await signCheckpoint(ctx)).treeSize;
  // The intelligence rollups up to date first, as on a live centre: the erasure takes its rows out of them.
  store.intel.refreshRollups();
  const db = (store as unknown as { database: import('node:sqlite').DatabaseSync }).database;
  db.exec('CREATE TABLE ref_deliveries AS SELECT * FROM deliveries');
  const ids = (db.prepare('SELECT id FROM ref_deliveries ORDER BY id').all() as { id: number }[]).map((r) => Number(r.id));
  let c0 = process.cpuUsage(), t0 = performance.now();
  const tx = <T>(fn: () => T): T => (store as SqliteStore | PostgresStore).transaction(fn);
  for (let i = 0; i < ids.length; i += 5000) {
    const batch = ids.slice(i, i + 5000);
    tx(() => db.prepare(`DELETE FROM ref_deliveries WHERE id IN (${batch.map(() => '?').join(', ')})`).run(...batch));
  }
  const refMs = performance.now() - t0, refCpu = cpuMs(process.cpuUsage(c0));
  c0 = process.cpuUsage(); t0 = performance.now();
  const [done] = openErasure(store).erase({ kinds: ['delivery'], before: 8.64e15, exceptIps: [], belowSeq: signed }, { erasure: 'bench erasure', at: Date.now() });
  const eraseMs = performance.now() - t0, eraseCpu = cpuMs(process.cpuUsage(c0));
  if (done!.records !== M) throw new Error(`${name}: erased ${done!.records} of ${M}`);
  await ctx.close();
  return { appendP50: pct(appends, 50), appendP95: pct(appends, 95), sessionP95: pct(sessions, 95), eraseRate: M / (eraseMs / 1000), refRate: ids.length / (refMs / 1000), eraseCpu, refCpu };
}

const root = mkdtempSync(join(tmpdir(), 'cs-bench-gov-'));
const admin = new pg.Client({ connectionString: URL_ });
await admin.connect();
try {
  const out: [string, Figures][] = [];
  {
    const dataDir = join(root, 'sqlite');
    const settings = loadSettings({ flags: { dataDir }, env: {} });
    const { mkdirSync } = await import('node:fs'); mkdirSync(dataDir, { recursive: true });
    const store = new SqliteStore(join(dataDir, 'counterseed.db'));
    const gov = new SqliteGovernanceStore(join(dataDir, 'counterseed.db'));
    try { out.push(['SQLite', await measure('SQLite', store, gov, dataDir, settings)]); } finally { gov.close(); }
  }
  {
    const dataDir = join(root, 'postgres');
    const settings = loadSettings({ flags: { dataDir, store: URL_ }, env: {} });
    const store = new PostgresStore({ url: URL_, schema });
    const gov = new PgGovernanceStore({ url: URL_, schema });
    try { out.push(['PostgreSQL', await measure('PostgreSQL', store, gov, dataDir, settings)]); } finally { gov.close(); }
  }
  const [s, p] = [out[0]![1], out[1]![1]];
  const line = (k: string, f: Figures) => `${k.padEnd(11)} append p50 ${f.appendP50.toFixed(2)} ms p95 ${f.appendP95.toFixed(2)} ms (target: API p95 <= ${TARGET_P95_MS} ms); session p95 ${f.sessionP95.toFixed(2)} ms; `
    + `erase ${f.eraseRate.toFixed(0)} records/s (CPU ${f.eraseCpu} ms) vs plain DELETE ${f.refRate.toFixed(0)} rows/s (CPU ${f.refCpu} ms), ratio ${(f.eraseRate / f.refRate).toFixed(2)}`;
  process.stdout.write(`governance and erasure, ${APPENDS} appends, ${M} deliveries; load average ${load()}\n${line('SQLite', s)}\n${line('PostgreSQL', p)}\n`
    + `PostgreSQL / SQLite: append p95 x${(p.appendP95 / s.appendP95).toFixed(1)}, erase rate x${(p.eraseRate / s.eraseRate).toFixed(2)}\n`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await admin.end();
  rmSync(root, { recursive: true, force: true });
}
