import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { verifyEvidence } from '../../../src/app/verify-evidence.ts';
import { nodeKey } from '../../../src/app/evidence.ts';
import { call, HOSTILE_NAMES, loginAs, USERS, webFixture, type WebFixture } from './fixture.ts';

let f: WebFixture;
before(async () => { f = await webFixture(); });
after(async () => { await f.close(); });

it('a delivery search needs a purpose, is paginated, and is logged with user, what and purpose', async () => {
  const anna = await loginAs(f.app, USERS.analyst);
  assert.equal((await call(f.app, 'GET', '/api/deliveries?ip=198.18.0.11', anna)).status, 400, 'no purpose');
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 10; i++) {
    const res = await call(f.app, 'GET', `/api/deliveries?limit=2&purpose=case-2026-17${cursor ? `&cursor=${cursor}` : ''}`, anna);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { deliveries: { sessionId: string }[]; next: string | null };
    seen.push(...body.deliveries.map((d) => d.sessionId));
    cursor = body.next;
    if (cursor === null) break;
  }
  assert.equal(seen.length, HOSTILE_NAMES.length * 3, 'every session once, over pages of 2');
  assert.equal(new Set(seen).size, seen.length, 'none repeated');
  const aud = await loginAs(f.app, USERS.auditor);
  const log = (await (await call(f.app, 'GET', '/api/access-log?limit=1000', aud)).json()) as { entries: { user: string; action: string; purpose: string; what: string }[] };
  const mine = log.entries.filter((e) => e.user === USERS.analyst && e.action === 'consult');
  assert.ok(mine.length >= 8, `${mine.length} consultations logged`);
  assert.ok(mine.every((e) => e.purpose === 'case-2026-17'));
  assert.match(mine[0]!.what, /198\.18\.0\.1[123]/, 'the IPs shown are named');
  const v = (await (await call(f.app, 'GET', '/api/access-log/verify', aud)).json()) as { ok: boolean };
  assert.equal(v.ok, true);
  assert.equal((await call(f.app, 'GET', '/api/deliveries?purpose=case-1&cursor=not-ours', anna)).status, 400, 'a forged cursor is bad input');
});

it('four-eyes: the requester cannot approve; a second supervisor approves; only the requester downloads; the package verifies', async () => {
  const anna = await loginAs(f.app, USERS.analyst);
  const arne = await loginAs(f.app, USERS.analyst2);
  const sven = await loginAs(f.app, USERS.supervisor);
  const created = await call(f.app, 'POST', '/api/exports', anna, { ip: '198.18.0.11', purpose: 'case-2026-17' });
  assert.equal(created.status, 200);
  const req = (await created.json()) as { id: number; status: string };
  assert.equal(req.status, 'pending');
  assert.equal((await call(f.app, 'GET', `/api/exports/${req.id}/package`, anna)).status, 409, 'nothing to download before approval');
  assert.equal((await call(f.app, 'GET', `/api/exports/${req.id}`, arne)).status, 404, "another analyst cannot see it by guessing its id");
  assert.equal((await call(f.app, 'POST', `/api/exports/${req.id}/approve`, anna)).status, 403, 'an analyst cannot approve');

  // A supervisor who requested cannot approve their own request: a supervisor account that is also the requester.
  const { approveExport } = await import('../../../src/app/export-requests.ts');
  const selfReq = f.g.gov.approvals.add({ kind: 'evidence-export', requestedBy: f.g.gov.accounts.byName(USERS.supervisor)!.id, requestedAt: 1, params: '{"ip":"198.18.0.12"}', purpose: 'case-x' });
  const svenActor = { id: f.g.gov.accounts.byName(USERS.supervisor)!.id, username: USERS.supervisor, role: 'supervisor' as const };
  await assert.rejects(approveExport(f.ctx, f.g, svenActor, selfReq.id), /four-eyes/);
  assert.equal((await call(f.app, 'POST', `/api/exports/${selfReq.id}/approve`, sven)).status, 403);

  const ok = await call(f.app, 'POST', `/api/exports/${req.id}/approve`, sven);
  assert.equal(ok.status, 200, await ok.clone().text());
  assert.equal(((await ok.json()) as { status: string }).status, 'done');
  assert.equal((await call(f.app, 'POST', `/api/exports/${req.id}/approve`, sven)).status, 409, 'decided once');
  assert.equal((await call(f.app, 'GET', `/api/exports/${req.id}/package`, arne)).status, 404, 'not the requester');
  const pkg = await call(f.app, 'GET', `/api/exports/${req.id}/package`, anna);
  assert.equal(pkg.status, 200);
  const tar = Buffer.from(await pkg.arrayBuffer());
  const dir = mkdtempSync(join(tmpdir(), 'cs-web-pkg-'));
  execFileSync('tar', ['-xf', '-', '-C', dir], { input: tar });
  const v = await verifyEvidence({ dir: join(dir, `evidence-${req.id}`), keyFingerprint: (await nodeKey(f.ctx)).fingerprint });
  assert.deepEqual([v.ok, v.facts.deliveries], [true, HOSTILE_NAMES.length]);

  const aud = await loginAs(f.app, USERS.auditor);
  const log = (await (await call(f.app, 'GET', '/api/access-log?limit=1000', aud)).json()) as { entries: { user: string; action: string }[] };
  const actions = log.entries.map((e) => `${e.user}:${e.action}`);
  for (const want of [`${USERS.analyst}:request`, `${USERS.supervisor}:approve`, `${USERS.analyst}:disclose`]) assert.ok(actions.includes(want), `${want} in ${actions.join(',')}`);
});

it("a supervisor's review of export requests, which name IPs, is logged as a consultation", async () => {
  const sven = await loginAs(f.app, USERS.supervisor2);
  assert.equal((await call(f.app, 'GET', '/api/exports', sven)).status, 200);
  const entries = [...(await import('../../../src/app/access-log.ts')).allAccessEntries(f.g)];
  const review = entries.filter((e) => e.user === USERS.supervisor2 && e.action === 'consult');
  assert.equal(review.length, 1);
  assert.match(review[0]!.what, /198\.18\.0\.11/);
  assert.equal(review[0]!.purpose, 'four-eyes review');
});
