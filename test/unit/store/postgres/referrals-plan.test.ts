import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AsnTable } from '../../../../src/analysis/enrichment/asn-table.ts';
import { addressSource } from '../../../../src/analysis/synthetic/population.ts';
import { syntheticWorkload } from '../../../../src/analysis/synthetic/workload.ts';
import { refreshIntel } from '../../../../src/app/intel-refresh.ts';
import { loadSettings } from '../../../../src/config/load.ts';
import { seededRandom } from '../../../../src/lab/prng.ts';
import { openContext, type Context } from '../../../../src/node/context.ts';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { datedSql } from '../../../../src/store/sqlite/referrals/referral-tables.ts';
import { fakeAssessor } from '../contract/intel-fixture.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';

// The due list's statement on PostgreSQL (issue 13: API p95 <= 100 ms for /api/referrals/due; the SQLite plans are held by
// test/unit/store/referrals-plan.test.ts). PostgreSQL plans on estimates, so these tests hold what it is told and estimates.
const unavailable = await pgUnavailable();
const DAY = 86_400_000;

type Plan = { 'Node Type': string; 'Relation Name'?: string; 'Plan Rows': number; 'Subplan Name'?: string; Plans?: Plan[] };
type Db = { prepare(sql: string): { all(...a: unknown[]): Record<string, unknown>[] }; exec(sql: string): void };
const db = (ctx: Context) => (ctx.store as unknown as { database: Db }).database;
const nodes = (p: Plan): Plan[] => [p, ...(p.Plans ?? []).flatMap(nodes)];

describe('referrals due on PostgreSQL: the plan', { skip: unavailable }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-pg-referrals-plan-'));
  const schema = uniqueSchema();
  let ctx: Context;
  before(() => {
    ctx = openContext(loadSettings({ flags: { dataDir: dir }, env: {} }), () => {}, () => new PostgresStore({ url: TEST_PG_URL, schema }), 'synthetic');
    const w = syntheticWorkload({ deliveries: 3000, seed: 7, start: Date.UTC(2025, 0, 1), days: 60, payloadId: ctx.payloads.list()[0]!.id },
      addressSource(AsnTable.fromCsv('3254779904,3254796287,2119,Telenor Norge AS'), seededRandom(7 ^ 0x5eed)));
    ctx.store.intel.setPurpose('synthetic', 'test', 0);
    const writer = ctx.store.intel.syntheticWriter();
    writer.campaigns(w.campaigns);
    writer.decoys(w.decoys);
    for (const b of w.batches(700)) { writer.deliveries(b.deliveries); writer.announces(b.announces); }
    writer.finish();
    refreshIntel(ctx, { enricher: fakeAssessor });
    db(ctx).exec('ANALYZE');
  });
  after(async () => {
    await ctx?.close();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  // Session 10, 1,000,000 deliveries: the tail (deliveries past the rollup's watermark, none here) was `id > (SELECT last_id FROM
  // intel_watermarks ...)`. PostgreSQL plans that value as unknown, estimated a third of every month partition past it, and read
  // seven of the twelve months whole (Seq Scan, 26,521 pages): 72 of the statement's 114 ms. The watermark is now a bound value.
  it('the deliveries past the watermark are estimated from the watermark itself (none here), in every month partition', () => {
    const watermark = Number(db(ctx).prepare("SELECT last_id FROM intel_watermarks WHERE name = 'deliveries'").all()[0]!.last_id);
    const total = Number(db(ctx).prepare('SELECT count(*) AS n FROM deliveries').all()[0]!.n);
    assert.equal(watermark, Number(db(ctx).prepare('SELECT max(id) AS m FROM deliveries').all()[0]!.m), 'the rollup is up to date');
    const now = ctx.store.intel.lastActivityAt()! + 1;
    const params = {
      watermark, since: now - 180 * DAY, until: now, dfrom: now, dto: now + 7 * DAY, undated: 0, agency: null, referred: 0, withAgency: 0, limit: 501,
      c0: 'NO', a0: 0, d0: 21, c1: 'NO', a1: 2119, d1: 60,
    };
    const plan = db(ctx).prepare(`EXPLAIN (FORMAT JSON) ${datedSql(2)}`).all(params)[0]!['QUERY PLAN'] as [{ Plan: Plan }];
    const above = nodes(plan[0].Plan).find((n) => n['Subplan Name'] === 'CTE above');
    assert.ok(above, 'the tail is its own CTE');
    const months = nodes(above).filter((n) => n['Relation Name']?.startsWith('deliveries_y'));
    assert.ok(months.length >= 2, `${months.length} month partitions read`);
    const estimated = months.reduce((s, n) => s + n['Plan Rows'], 0);
    assert.ok(estimated <= months.length * 2, `${estimated} of ${total} deliveries estimated past the watermark:\n${JSON.stringify(above, null, 1).slice(0, 2000)}`);
  });
});
