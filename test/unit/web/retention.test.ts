import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DatabaseSync } from 'node:sqlite';
import { exportEvidence, nodeKey, signCheckpoint } from '../../../src/app/evidence.ts';
import { checkTombstones, runErasure } from '../../../src/app/erasure.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import type { Governance } from '../../../src/app/governance.ts';
import { verifyEvidence } from '../../../src/app/verify-evidence.ts';
import { ErasedRecordError } from '../../../src/evidence/errors.ts';
import { call, HOSTILE_NAMES, loginAs, USERS, webFixture, type StoreKind, type WebFixture } from './fixture.ts';

// Retention, legal hold and erasure (docs/retention.md) on both stores: the same tests, the same expectations.
const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`retention: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  before(async () => { f = await webFixture({ store: kind }); });
  after(async () => { await f?.close(); });

  const DAY = 86_400_000;
  const json = async <T>(r: Response | Promise<Response>): Promise<T> => (await r).json() as Promise<T>;
  const deliveriesOf = async (ip: string) => (await f.ctx.store.queryDeliveries({ ip })).length;
  const accessLog = async () => {
    const aud = await loginAs(f.app, USERS.auditor);
    return (await json<{ entries: { user: string; action: string; what: string; purpose: string }[] }>(call(f.app, 'GET', '/api/access-log?limit=1000', aud))).entries;
  };

  it('a legal hold blocks an early erasure until a second person approves its release; the erasure is four-eyes, done by the job, and logged', async () => {
    const anna = await loginAs(f.app, USERS.analyst), sven = await loginAs(f.app, USERS.supervisor), siri = await loginAs(f.app, USERS.supervisor2);
    const hold = await json<{ id: number; ip: string }>(call(f.app, 'POST', '/api/holds', anna, { ip: '198.18.0.11', caseRef: 'case-2026-31' }));
    assert.equal(hold.ip, '198.18.0.11');
    // Held: an erasure request is refused (409), with the hold named.
    const refused = await call(f.app, 'POST', '/api/erasures', anna, { ip: '198.18.0.11', purpose: 'data subject request 7' });
    assert.equal(refused.status, 409);
    assert.match(((await refused.json()) as { error: string }).error, /legal hold/);
    // Release needs a supervisor who is not the requester.
    const rel = await json<{ id: number; status: string }>(call(f.app, 'POST', `/api/holds/${hold.id}/release`, sven, { purpose: 'case closed' }));
    assert.equal(rel.status, 'pending');
    assert.equal((await call(f.app, 'POST', `/api/retention/requests/${rel.id}/approve`, sven)).status, 403, 'the requester cannot approve');
    assert.equal((await call(f.app, 'POST', `/api/retention/requests/${rel.id}/approve`, anna)).status, 403, 'an analyst cannot approve');
    assert.equal((await json<{ status: string }>(call(f.app, 'POST', `/api/retention/requests/${rel.id}/approve`, siri))).status, 'done');
    assert.equal((await json<{ holds: unknown[] }>(call(f.app, 'GET', '/api/holds', anna))).holds.length, 0);
    // Now the erasure can be asked for; approved by a supervisor; the job carries it out.
    const er = await json<{ id: number }>(call(f.app, 'POST', '/api/erasures', anna, { ip: '198.18.0.11', purpose: 'data subject request 7' }));
    assert.equal((await json<{ status: string }>(call(f.app, 'POST', `/api/retention/requests/${er.id}/approve`, sven))).status, 'approved');
    assert.equal(await deliveriesOf('198.18.0.11'), HOSTILE_NAMES.length, 'nothing erased before the job runs');
    const run = await runErasure(f.ctx, f.g);
    assert.deepEqual(run.requests.map((r) => [r.id, r.erased, r.status]), [[er.id, HOSTILE_NAMES.length, 'done']]);
    assert.equal(await deliveriesOf('198.18.0.11'), 0);
    assert.equal(await deliveriesOf('198.18.0.12'), HOSTILE_NAMES.length, 'other addresses untouched');
    const log = await accessLog();
    const erase = log.filter((e) => e.action === 'erase');
    assert.equal(erase.length, 1);
    assert.match(erase[0]!.what, /erasure request \d+ \(early; requested by anna, approved by sven\): 5 records of 198\.18\.0\.11/);
    assert.equal(erase[0]!.purpose, 'data subject request 7');
    assert.ok(log.some((e) => e.action === 'hold' && e.user === 'anna' && e.purpose === 'case-2026-31'));
    assert.ok(log.some((e) => e.action === 'release' && e.user === 'siri'));
  });

  it('the chain still verifies after an erasure: the audit counts tombstones as rows, an erased record reads as erased, and packages of other addresses verify', async () => {
    // An audited checkpoint counts every table's rows against the chain (rows: true): before tombstones were counted, it refused ("row ... is gone").
    await signCheckpoint(f.ctx);
    const tables = f.ctx.store.evidenceLog().tables;
    const erasedLink = tables.selectLinks({ ip: '198.18.0.12' }, 1)[0]!;
    assert.ok(erasedLink, 'a record of a kept address is still selectable');
    // Re-deriving a record erased in the first test: reported as erased, not as changed.
    const all = [...Array(tables.count()).keys()];
    let erased = 0;
    for (const seq of all) {
      try { tables.derive(tables.linksAt([seq])); } catch (e) {
        assert.ok(e instanceof ErasedRecordError, `record ${seq}: ${(e as Error).message}`);
        assert.match((e as Error).message, /was erased on .* \(erasure request \d+\): its content is gone, its hash stays in the chain/);
        erased++;
      }
    }
    assert.equal(erased, HOSTILE_NAMES.length);
    // A package never carries erased content: an export whose proof needs an erased record carries its stub
    // (seq, time, hash, erasure), and the verifier reports it as erased, not as tampered.
    const pkg11 = join(f.root, 'pkg-11');
    const r11 = await exportEvidence(f.ctx, { out: pkg11, filter: { ip: '198.18.0.11' } });
    assert.equal(r11.deliveries, 0);
    const v11 = await verifyEvidence({ dir: pkg11 });
    assert.equal(v11.ok, true, JSON.stringify(v11.findings).slice(0, 500));
    assert.equal(v11.facts.erased!.length, HOSTILE_NAMES.length);
    assert.ok(v11.facts.erased!.every((e) => /^erasure request \d+$/.test(e.erasure)));
    assert.equal(existsSync(join(pkg11, 'erased.json')), true);
    const out = join(f.root, 'pkg-12');
    await exportEvidence(f.ctx, { out, filter: { ip: '198.18.0.12' } });
    const v = await verifyEvidence({ dir: out, keyFingerprint: (await nodeKey(f.ctx)).fingerprint });
    assert.equal(v.ok, true, JSON.stringify(v).slice(0, 500));
  });

  it('the erasure job removes records past their retention period, except those under legal hold, and logs it', async () => {
    const anna = await loginAs(f.app, USERS.analyst);
    await json(call(f.app, 'POST', '/api/holds', anna, { ip: '198.18.0.12', caseRef: 'case-2026-40' }));
    // Three years on: every delivery is past the 730-day period.
    const later: Governance = { gov: f.gov, now: () => 1_764_000_000_000 + 3 * 365 * DAY };
    const sven = await loginAs(f.app, USERS.supervisor);
    void sven;
    const dry = await runErasure(f.ctx, later, { dryRun: true });
    const d = dry.categories.find((c) => c.category === 'deliveries')!;
    assert.deepEqual([d.erased, d.held], [HOSTILE_NAMES.length, HOSTILE_NAMES.length], 'due: .13; held: .12');
    assert.equal(await deliveriesOf('198.18.0.13'), HOSTILE_NAMES.length, 'a dry run erases nothing');
    const run = await runErasure(f.ctx, later);
    assert.equal(run.categories.find((c) => c.category === 'deliveries')!.erased, HOSTILE_NAMES.length);
    assert.equal(await deliveriesOf('198.18.0.13'), 0);
    assert.equal(await deliveriesOf('198.18.0.12'), HOSTILE_NAMES.length, 'the held address keeps its records');
    const e = (await accessLog()).filter((x) => x.action === 'erase' && x.user === 'erasure-job' && /erasure deliveries/.test(x.what));
    assert.equal(e.length, 1);
    assert.match(e[0]!.what, /5 delivery sessions and their progress records started before .*; 5 kept by legal hold/);
    assert.equal(e[0]!.purpose, 'retention period of 730 days (retention.deliveriesDays)');
    await signCheckpoint(f.ctx);
    const aud = await loginAs(f.app, USERS.auditor);
    assert.equal((await json<{ ok: boolean }>(call(f.app, 'GET', '/api/access-log/verify', aud))).ok, true);
  });

  it('the review counts what is due and held, per category, for analysts and supervisors only', async () => {
    const anna = await loginAs(f.app, USERS.analyst);
    const r = await json<{ categories: { category: string; due: number; held: number; days: number }[]; activeHolds: number; erasedRecords: number }>(call(f.app, 'GET', '/api/retention', anna));
    assert.deepEqual(r.categories.map((c) => c.category), ['deliveries', 'announces', 'presence', 'rejected']);
    assert.equal(r.categories[0]!.days, 730);
    assert.equal(r.activeHolds, 1);
    assert.equal(r.erasedRecords, 2 * HOSTILE_NAMES.length);
    for (const u of [USERS.operator, USERS.auditor, USERS.admin]) assert.equal((await call(f.app, 'GET', '/api/retention', await loginAs(f.app, u))).status, 403, u);
  });

  it('the review is reused for up to a minute and says so, on the API and the page; fresh=1 counts now (issue 13: /api/retention p95 <= 100 ms)', async () => {
    const anna = await loginAs(f.app, USERS.analyst);
    type Review = { at: number; reused: boolean; categories: { due: number }[] };
    const fresh = await json<Review>(call(f.app, 'GET', '/api/retention?fresh=1', anna));
    assert.equal(fresh.reused, false);
    const again = await json<Review>(call(f.app, 'GET', '/api/retention', anna));
    assert.equal(again.reused, true, 'within the minute: reused, and the answer says so');
    assert.deepEqual({ ...again, reused: false }, fresh, 'the counts of that moment, with its time');
    const page = await (await call(f.app, 'GET', '/retention', anna)).text();
    assert.match(page, /counted \d+ s ago and reused/);
    assert.match(page, /href="\/retention\?fresh=1"/);
    const recounted = await (await call(f.app, 'GET', '/retention?fresh=1', anna)).text();
    assert.match(recounted, /\(counted now\)/);
    assert.doesNotMatch(recounted, /reused/);
    assert.equal((await call(f.app, 'GET', '/api/retention?fresh=yes', anna)).status, 400, 'fresh is 0 or 1');
  });

  it('every tombstone is accounted for by an erase entry of the access log; a forged one (a row deleted outside an erasure) is caught', async () => {
    const first = checkTombstones(f.ctx, f.g);
    assert.deepEqual([first.ok, first.erasures, first.tombstones], [true, 2, 2 * HOSTILE_NAMES.length], first.problems.join('; '));
    // Someone with write access deletes a held address's row and writes a tombstone for it: the evidence audit reads it as erased...
    // Both stores expose their connection as node:sqlite's shape (the PostgreSQL one through PgDatabase).
    const db = (f.ctx.store as unknown as { database: DatabaseSync }).database;
    const link = f.ctx.store.evidenceLog().tables.selectLinks({ ip: '198.18.0.12' }, 1)[0]!;
    db.prepare('INSERT INTO evidence_erased (seq, kind, row_id, at, erased_at, erasure) VALUES (?, ?, ?, 0, 0, ?)').run(link.seq, link.kind, link.rowId, 'erasure deliveries 2020-01-01T00:00:00.000Z');
    db.prepare('DELETE FROM deliveries WHERE id = ?').run(link.rowId);
    assert.throws(() => f.ctx.store.evidenceLog().tables.derive([link]), ErasedRecordError);
    // ...but no erase entry of the hash-chained access log names that erasure.
    const v = checkTombstones(f.ctx, f.g);
    assert.equal(v.ok, false);
    assert.match(v.problems.join('\n'), /1 tombstones \(records \d+\.\.\d+\) name "erasure deliveries 2020-01-01T00:00:00.000Z", which no erase entry of the access log records/);
  });
});
