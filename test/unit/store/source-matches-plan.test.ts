import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { matchSql } from '../../../src/store/sqlite/sources/match-sql.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

// Issue 13 benchmarks (API p95 <= 100 ms): one address's matches (/api/sources/matches?ip=, the risk
// working) walked every match of the run in source_record_id order to avoid a sort, 48 ms CPU a query at
// 1,000,000 deliveries (456,851 matches). They must come from the address's index entries.
it("one address's matches are read from source_matches_ip, never by walking the run", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-matches-plan-'));
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  try {
    const db = (store as unknown as { database: DatabaseSync }).database;
    const steps = db.prepare(`EXPLAIN QUERY PLAN ${matchSql.list(true)}`).all(1, '198.18.0.11', 200).map((r) => String(r.detail));
    assert.ok(steps.some((s) => /^SEARCH m USING (COVERING )?INDEX source_matches_ip \(run_id=\? AND ip=\?\)/.test(s)), steps.join('\n'));
    assert.equal(db.prepare(matchSql.list(true)).all(1, '198.18.0.11', 200).length, 0, 'and it runs');
    // The whole run's page keeps its order from the run index (no sort of every match).
    const whole = db.prepare(`EXPLAIN QUERY PLAN ${matchSql.list(false)}`).all(1, 200).map((r) => String(r.detail));
    assert.ok(whole.some((s) => /^SEARCH m USING INDEX source_matches_run \(run_id=\?\)/.test(s)), whole.join('\n'));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
