import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { countPairsSql, Rollups } from '../../../src/store/sqlite/intel/rollups.ts';
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
      for (const sign of [1, -1] as const) {
        for (const sql of countPairsSql(Rollups.STAGED_PAIRS, sign)) {
          const steps = plan(db, sql);
          assert.ok(!steps.some((s) => /^SCAN (b|intel_ip_bucket)\b/.test(s)), `scans every pair:\n${steps.join('\n')}`);
          assert.ok(steps.some((s) => s.includes('intel_ip_bucket_ip')), `no index probe:\n${steps.join('\n')}`);
        }
      }
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
