import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AsnTable } from '../../../../src/analysis/enrichment/asn-table.ts';
import { addressSource } from '../../../../src/analysis/synthetic/population.ts';
import { syntheticWorkload } from '../../../../src/analysis/synthetic/workload.ts';
import { loadSettings } from '../../../../src/config/load.ts';
import { seededRandom } from '../../../../src/lab/prng.ts';
import { refreshIntel } from '../../../../src/app/intel-refresh.ts';
import { openContext, type Context } from '../../../../src/node/context.ts';
import { cohortCountsSql } from '../../../../src/store/sqlite/intel/cohort-counts-sql.ts';
import { cohorts } from '../../../../src/store/sqlite/intel/cohort-queries.ts';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { fakeAssessor } from '../contract/intel-fixture.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';

// Issue 12: the intelligence benchmarks compare the stores on "the same workload": `counterseed synth`
// with one seed must write the same rows into SQLite and into PostgreSQL (ids included: the PostgreSQL
// ids come from sequences in COPY order), so a workload can be made on either, or copied from one to
// the other (bench/synth-to-postgres.ts).
const ASN_CSV = [
  '3254779904,3254796287,2119,Telenor Norge AS', // 194.0.0.0/18
  '1358954496,1358962687,25400,Telia Norge AS', // 81.0.0.0/19
  '3221225984,3221226239,64500,Documentation AS',
  // 2001:db8:4600::/40, Telenor: a range for the IPv6 share.
  '42540766432946543544398139762388500480,42540766433256028554219484831113281535,2119,Telenor Norge AS',
].join('\n');

const unavailable = await pgUnavailable();

function writeWorkload(ctx: Context): void {
  const w = syntheticWorkload({ deliveries: 3000, seed: 7, start: Date.UTC(2025, 0, 1), days: 60, payloadId: ctx.payloads.list()[0]!.id },
    addressSource(AsnTable.fromCsv(ASN_CSV), seededRandom(7 ^ 0x5eed)));
  ctx.store.intel.setPurpose('synthetic', 'test', 0);
  const writer = ctx.store.intel.syntheticWriter();
  writer.campaigns(w.campaigns);
  writer.decoys(w.decoys);
  for (const b of w.batches(700)) { writer.deliveries(b.deliveries); writer.announces(b.announces); }
  writer.finish();
}

type Db = { prepare(sql: string): { all(...a: unknown[]): Record<string, unknown>[] } };
const rows = (ctx: Context, table: string, cols: readonly string[]) => (ctx.store as unknown as { database: Db }).database
  .prepare(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY ${cols[0]}`).all()
  .map((r) => cols.map((c) => { const v = r[c]; return v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v === null ? null : String(v); }).join('|'));
const columns = (ctx: Context, table: string, pg: boolean) => (ctx.store as unknown as { database: Db }).database
  .prepare(pg ? `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '${table}'`
    : `SELECT name FROM pragma_table_info('${table}')`).all().map((r) => String(r.name));

describe('synth on SQLite and PostgreSQL', { skip: unavailable }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-synth-rows-'));
  const schema = uniqueSchema();
  let sqlite: Context;
  let pg: Context;
  before(() => {
    sqlite = openContext(loadSettings({ flags: { dataDir: join(dir, 'a') }, env: {} }), () => {}, undefined, 'synthetic');
    pg = openContext(loadSettings({ flags: { dataDir: join(dir, 'b') }, env: {} }), () => {}, () => new PostgresStore({ url: TEST_PG_URL, schema }), 'synthetic');
    writeWorkload(sqlite);
    writeWorkload(pg);
  });
  after(async () => {
    await sqlite?.close();
    await pg?.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('one seed writes the same rows into both stores', () => {
    for (const table of ['campaigns', 'decoys', 'decoy_files', 'campaign_items', 'deliveries', 'tracker_announces']) {
      const pgCols = columns(pg, table, true);
      // The columns both stores have, the key first (decoy_files and campaign_items have no id).
      const cols = columns(sqlite, table, false).filter((c) => pgCols.includes(c)).sort((a, b) => Number(b === 'id') - Number(a === 'id'));
      const a = rows(sqlite, table, cols);
      const b = rows(pg, table, cols);
      assert.ok(a.length > 0, `${table}: rows written`);
      assert.equal(b.length, a.length, `${table}: row count`);
      assert.deepEqual(b.sort(), a.sort(), table);
    }
    assert.equal(rows(pg, 'deliveries', ['id']).length, 3000);
    assert.ok(rows(pg, 'deliveries', ['remote_ip']).some((ip) => ip.includes(':')), 'IPv6 addresses among them');
  });

  it('cohorts: counted in SQL, the same counts as counted in JavaScript, on both stores; on PostgreSQL one row per group crosses the connection', () => {
    const db = (ctx: Context) => (ctx.store as unknown as { database: Db }).database;
    let addresses = 0;
    for (const ctx of [sqlite, pg]) {
      refreshIntel(ctx, { enricher: fakeAssessor });
      const end = ctx.store.intel.lastActivityAt()!;
      addresses = Number(db(ctx).prepare('SELECT COUNT(*) AS n FROM intel_ip_activity').all()[0]!.n);
      const d = db(ctx) as unknown as Parameters<typeof cohorts>[0];
      for (const groupBy of ['none', 'campaign', 'language', 'format'] as const) {
        for (const [from, to, horizons] of [[0, 8.64e15, [1, 7, 30]], [Date.UTC(2025, 0, 10), Date.UTC(2025, 1, 3), [0, 2, 14]]] as const) {
          const js = cohorts(d, from, to, horizons, groupBy, end);
          assert.ok(js.length > 0 && js.some((c) => c.returned > 0 && c.returned < c.eligible), 'something to count');
          assert.deepEqual(cohortCountsSql(d, from, to, horizons, groupBy, end), js, `${groupBy} ${from}-${to}`);
        }
      }
    }
    // The store's own cohorts on PostgreSQL: rows fetched per group, not per address (the old code paged every activity row).
    const pgDb = db(pg);
    const prepare = pgDb.prepare;
    const end = pg.store.intel.lastActivityAt()!;
    let fetched = 0;
    pgDb.prepare = function (sql: string) {
      const st = prepare.call(this, sql);
      return new Proxy(st, { get: (t, k) => (k === 'all' ? (...a: unknown[]) => { const r = t.all(...a); fetched += r.length; return r; }
        : typeof (t as Record<PropertyKey, unknown>)[k] === 'function' ? ((t as Record<PropertyKey, unknown>)[k] as () => unknown).bind(t) : (t as Record<PropertyKey, unknown>)[k]) });
    };
    let counted: ReturnType<typeof cohorts>;
    try { counted = pg.store.intel.cohorts(0, 8.64e15, [1, 7, 30], 'none', end); } finally { delete (pgDb as Partial<Db>).prepare; }
    assert.ok(counted.length > 0);
    assert.ok(addresses > 100, `${addresses} addresses`);
    assert.ok(fetched <= 2 * 10, `${fetched} rows fetched for ${addresses} addresses (at most one per week of the 60 days, exposed or not)`);
  });
});
