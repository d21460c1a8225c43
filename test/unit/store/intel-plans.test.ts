import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { countPairsSql, STAGE_ASSESSED_PAIRS_SQL } from '../../../src/store/sqlite/intel/rollups.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const plan = (db: DatabaseSync, sql: string) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((r) => String(r.detail));

// Query plans of the rollup statements at scale (issue 11: the first refresh of the 10 million
// delivery workload). Checked on a store with no statistics on the intel tables, as synth leaves it.
describe('intel rollup query plans', () => {
  it('moving a batch of re-assessed addresses probes their pairs through intel_ip_bucket_ip, never scans every pair', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-intel-plan-'));
    const store = new SqliteStore(join(dir, 'counterseed.db'));
    try {
      const db = (store as unknown as { database: DatabaseSync }).database;
      const steps = plan(db, STAGE_ASSESSED_PAIRS_SQL);
      assert.ok(!steps.some((s) => /^SCAN (b|intel_ip_bucket)\b/.test(s)), `scans every pair:\n${steps.join('\n')}`);
      assert.ok(steps.some((s) => s.includes('intel_ip_bucket_ip')), `no index probe:\n${steps.join('\n')}`);
      // The ten statements that move the batch's pairs read the staged copy, never intel_ip_bucket.
      for (const sign of [1, -1] as const) {
        for (const sql of countPairsSql('intel_stage_pairs', sign)) assert.ok(!plan(db, sql).some((s) => s.includes('intel_ip_bucket')), sql);
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
