import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { PostgresStore } from '../../../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../../../src/store/store.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../../helpers/postgres.ts';

const unavailable = await pgUnavailable();
const cleanups: (() => Promise<void>)[] = [];
after(async () => { for (const c of cleanups) await c(); });

/** The same steps on a store; what it answers, for comparing the two stores. */
function exercise(s: Store): unknown[] {
  const out: unknown[] = [];
  s.referrals.replaceAgencies([{ country: 'NO', agency: 'Kripos', contact: 'k', updatedAt: 1 }, { country: 'SE', agency: 'NOA', contact: '', updatedAt: 1 }]);
  s.referrals.setAgency({ country: 'NO', agency: 'Kripos', contact: 'k2', updatedAt: 2 });
  out.push(s.referrals.removeAgency('SE'), s.referrals.removeAgency('SE'), s.referrals.agencies());
  s.referrals.replaceRetentionRules([{ country: 'NO', days: 21, source: 'a', updatedAt: 1 }, { country: 'NO', asn: 2119, days: 60, source: 'b', updatedAt: 1 }]);
  s.referrals.setRetentionRule({ country: 'NO', days: 30, source: 'c', updatedAt: 3 });
  out.push(s.referrals.removeRetentionRule('NO', 2119), s.referrals.retentionRules());
  const id = s.referrals.recordReferral({ agency: 'Kripos', createdAt: 10, sha256: 'a'.repeat(64), path: '/p' }, [{ ip: '193.0.0.1', coveredTo: 5 }, { ip: '193.0.0.2', coveredTo: 6 }]);
  out.push(id, s.referrals.referralPackages(10), s.referrals.referralsOf('193.0.0.2'));
  out.push(s.cases.create({ id: 'c1', title: 'one', status: 'open', createdAt: 100 }), s.cases.create({ id: 'c1', title: 'dup', status: 'open', createdAt: 101 }));
  s.cases.create({ id: 'c2', title: 'two', status: 'open', createdAt: 200 });
  out.push(s.cases.link('c1', [{ kind: 'ip', ref: '193.0.0.1' }, { kind: 'source', ref: 'partner' }], 300), s.cases.link('c1', [{ kind: 'ip', ref: '193.0.0.1' }], 301));
  s.cases.note('c1', 'first note', 400);
  s.cases.setStatus('c1', 'referred', 500);
  out.push(s.cases.get('c1'), s.cases.links('c1'), s.cases.entries('c1'), s.cases.list(10), s.cases.list(10, 'open'));
  return out;
}

it('referral tables and the case register answer the same on PostgreSQL as on SQLite', { skip: unavailable }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-ref-pg-'));
  const sqlite = new SqliteStore(join(dir, 'counterseed.db'));
  const schema = uniqueSchema('cs_h8ref');
  const pg = new PostgresStore({ url: TEST_PG_URL, schema });
  cleanups.push(async () => { await sqlite.close(); await pg.close(); await dropSchema(schema); rmSync(dir, { recursive: true, force: true }); });
  const a = exercise(sqlite);
  const b = exercise(pg);
  assert.deepEqual(b, a);
  assert.equal((a[15] as { updatedAt: number }[])[1]!.updatedAt, 500, 'c1 updated by its status change');
  // The due list runs on PostgreSQL too (referrals-contract.ts holds both stores to the same answers).
  assert.deepEqual(pg.referrals.candidates({ since: 0, until: 1, deadlineFrom: 0, includeUndated: true, limit: 1 }), []);
});
