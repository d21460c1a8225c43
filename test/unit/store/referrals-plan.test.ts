import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { it } from 'node:test';
import { CANDIDATES_SQL, datedSql, SqliteReferrals, UNDATED_SQL } from '../../../src/store/sqlite/referrals/referral-tables.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const PARAMS = { watermark: 0, since: 0, until: 1, dfrom: 0, dto: null, undated: 1, agency: null, referred: 0, withAgency: 0, limit: 10 };

// Issue 13 benchmarks (API p95 <= 100 ms): /api/referrals/due read all 10,000,000 entries of
// deliveries_ip (320-380 ms CPU) for an empty answer, because the addresses' UNION was merged in
// address order. The deliveries past the rollup's watermark must be found by id, never by scanning.
it('referral candidates: last deliveries from the activity rollup, those past its watermark by id range, never by scanning deliveries or its indexes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-referrals-plan-'));
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  try {
    const db = (store as unknown as { database: DatabaseSync }).database;
    const steps = db.prepare(`EXPLAIN QUERY PLAN ${CANDIDATES_SQL}`).all(PARAMS).map((r) => String(r.detail));
    assert.ok(!steps.some((s) => /^SCAN (deliveries|d)\b/.test(s)), `scans deliveries:\n${steps.join('\n')}`);
    assert.ok(steps.some((s) => /^SEARCH deliveries USING INTEGER PRIMARY KEY \(rowid>\?\)/.test(s)), `no id range:\n${steps.join('\n')}`);
    // Session 8, with the clock inside the data (~4 s CPU at 10,000,000 deliveries): the addresses of the window and each one's last
    // non-metadata-only delivery come from the activity rollup's time index, not from a seek into deliveries_ip reading rows per address.
    assert.ok(steps.some((s) => /^SEARCH a USING (COVERING )?INDEX intel_ip_activity_last_delivery \(last_delivery_at>\?\)/.test(s)), `not from the rollup:\n${steps.join('\n')}`);
    assert.ok(!steps.some((s) => /intel_ip_bucket/.test(s)), `reads the week pairs:\n${steps.join('\n')}`);
    // deliveries_ip is probed only where the rollup's last delivery is at or after the clock, once (materialised), not wherever the outer query names it (6 probes before session 7).
    assert.equal(steps.filter((s) => s.startsWith('SEARCH d USING INDEX deliveries_ip')).length, 1, steps.join('\n'));
    assert.equal(db.prepare(CANDIDATES_SQL).all(PARAMS).length, 0, 'and it runs');

    // The due list (issue 13 target: /api/referrals/due p95 <= 100 ms; 2.0 s of CPU at 10,000,000 deliveries through CANDIDATES_SQL):
    // dated rows from one range per rule, never every activity row.
    const plan = (sql: string, p: Record<string, import('node:sqlite').SQLInputValue>) => db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(p).map((r) => String(r.detail));
    const { undated: _u, referred: _r, ...due } = PARAMS;
    const rules = { c0: 'NO', a0: 0, d0: 21, c1: 'NO', a1: 2119, d1: 60 };
    const dated = plan(datedSql(2), { ...due, dto: 1, undated: 0, referred: 0, ...rules });
    assert.ok(!dated.some((s) => /^SCAN (intel_ip_activity|a|x|deliveries|d|g)\b/.test(s)), dated.join('\n'));
    // Session 9 (five rules at 10,000,000 deliveries: 28-30 ms of CPU in this statement, most of it seeks from the time index into
    // intel_ip_geo for each entry): each rule's addresses are one range of the place index, read from the index alone (COVERING),
    // in its order (only the entries tied on a deadline are sorted), and never through intel_ip_geo before the limit.
    const arms = dated.filter((s) => /^SEARCH x USING COVERING INDEX intel_ip_activity_place_last \(place_country=\? AND last_delivery_at>\? AND last_delivery_at<\?\)$/.test(s));
    assert.equal(arms.length, 2, `one place range per rule:\n${dated.join('\n')}`);
    assert.equal(dated.filter((s) => s === 'USE TEMP B-TREE FOR LAST TERM OF ORDER BY').length, 2, `each rule's range in deadline order:\n${dated.join('\n')}`);
    assert.equal(dated.filter((s) => /^SEARCH g USING INTEGER PRIMARY KEY/.test(s)).length, 2, `intel_ip_geo read for the placed rows only (the first :limit and the rest):\n${dated.join('\n')}`);
    // Undated rows: the addresses in address order (intel_ips' index), merged with those past the watermark, so the limit stops the reading.
    const undated = plan(UNDATED_SQL, { watermark: 0, since: 0, until: 1, agency: null, withAgency: 0, limit: 10 });
    assert.ok(undated.includes('MERGE (UNION ALL)') && undated.some((s) => /^SCAN i USING COVERING INDEX sqlite_autoindex_intel_ips_1$/.test(s)), undated.join('\n'));
    assert.ok(!undated.some((s) => /^SCAN (deliveries|d|a)\b/.test(s)), undated.join('\n'));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

// Session 8 (issue 13, API p95 <= 100 ms): UNDATED_SQL reads the addresses in address order until it has :limit rows, so a window
// with few or no addresses (the clock after the data) read every address: /api/referrals/due took 1.1-1.3 s of CPU a request at
// 10,000,000 deliveries (2.3 ms in session 7). A window of few addresses goes through the full statement instead.
it('referrals due: a window with few addresses is placed and sorted whole, not read in address order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-referrals-few-'));
  const store = new SqliteStore(join(dir, 'counterseed.db'));
  try {
    const db = (store as unknown as { database: DatabaseSync }).database;
    const seen: string[] = [];
    const spy = new Proxy(db, {
      get(target, key) {
        if (key === 'prepare') return (sql: string) => { seen.push(sql); return target.prepare(sql); };
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const referrals = new SqliteReferrals(spy);
    referrals.setRetentionRule({ country: 'NO', days: 21, source: 'test', updatedAt: 0 });
    const due = { since: 0, until: 1, deadlineFrom: 1, deadlineTo: 1 + 7 * 86_400_000, includeUndated: true, limit: 10 };
    const dated = datedSql(1);
    assert.deepEqual(referrals.candidates(due), []);
    assert.ok(seen.includes(CANDIDATES_SQL) && !seen.includes(UNDATED_SQL) && !seen.includes(dated), 'an empty window read by address order');
    // The other way is still there for a window of many addresses (a store view with the threshold at -1 stands for one).
    seen.length = 0;
    new SqliteReferrals(spy, { fewInWindow: -1 }).candidates(due);
    assert.ok(seen.includes(dated) && seen.includes(UNDATED_SQL) && !seen.includes(CANDIDATES_SQL), seen.map((s) => s.slice(0, 60)).join('\n'));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
