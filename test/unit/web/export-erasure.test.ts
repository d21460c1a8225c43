import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runErasure } from '../../../src/app/erasure.ts';
import { EXPORTS_DIR } from '../../../src/app/export-requests.ts';
import type { Governance } from '../../../src/app/governance.ts';
import { call, loginAs, USERS, webFixture, type WebFixture } from './fixture.ts';

// Approved export packages under web-exports/ are copies of records: the erasure job deletes one once
// every personal record in it is past its period, unless an address in it is under legal hold (docs/retention.md).
describe('the erasure job and approved export packages', () => {
  let f: WebFixture;
  before(async () => { f = await webFixture(); });
  after(async () => { await f?.close(); });
  const DAY = 86_400_000;

  it('deletes a package whose records are all past their period, keeps one under legal hold or within its period, and logs the deletion', async () => {
    const anna = await loginAs(f.app, USERS.analyst), sven = await loginAs(f.app, USERS.supervisor);
    const ids: number[] = [];
    for (const ip of ['198.18.0.12', '198.18.0.13']) {
      const r = (await (await call(f.app, 'POST', '/api/exports', anna, { ip, purpose: 'case-2026-51' })).json()) as { id: number };
      assert.equal(((await (await call(f.app, 'POST', `/api/exports/${r.id}/approve`, sven)).json()) as { status: string }).status, 'done');
      ids.push(r.id);
    }
    const dir = (id: number) => join(f.ctx.settings.dataDir, EXPORTS_DIR, String(id));
    assert.ok(ids.every((id) => existsSync(join(dir(id), 'records.ndjson'))));
    await call(f.app, 'POST', '/api/holds', anna, { ip: '198.18.0.12', caseRef: 'case-2026-52' });
    // Now: both within their period.
    const now = await runErasure(f.ctx, f.g, { dryRun: true });
    assert.deepEqual(now.packages.map((p) => [p.id, p.erased, p.kept]), [[String(ids[0]), false, 'legal hold'], [String(ids[1]), false, 'within its retention period']]);
    // Three years on: the package of .13 goes; the one of .12 (held) stays.
    const later: Governance = { gov: f.gov, now: () => 1_764_000_000_000 + 3 * 365 * DAY };
    const run = await runErasure(f.ctx, later);
    assert.deepEqual(run.packages.map((p) => [p.id, p.erased, p.kept]), [[String(ids[0]), false, 'legal hold'], [String(ids[1]), true, undefined]]);
    assert.equal(existsSync(dir(ids[1]!)), false);
    assert.equal(existsSync(join(dir(ids[0]!), 'records.ndjson')), true);
    const aud = await loginAs(f.app, USERS.auditor);
    const entries = ((await (await call(f.app, 'GET', '/api/access-log?limit=1000', aud)).json()) as { entries: { user: string; action: string; what: string }[] }).entries;
    assert.ok(entries.some((e) => e.user === 'erasure-job' && e.action === 'erase' && e.what === `web export package ${ids[1]} (evidence export request ${ids[1]}): deleted, its 5 personal records all past their retention periods`),
      JSON.stringify(entries.filter((e) => e.action === 'erase')));
  });
});
