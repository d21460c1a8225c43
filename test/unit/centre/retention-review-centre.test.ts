import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Governance } from '../../../src/app/governance.ts';
import { reviewRetention } from '../../../src/app/retention.ts';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { call, loginAs, USERS, webFixture, type WebFixture } from '../web/fixture.ts';

// The retention review at a centre counts the records nodes shipped that are past their period (docs/retention.md "At the centre"),
// as the erasure job's dry run counts them, beside the store's own; a legal hold keeps its address out of the count.
const unavailable = await pgUnavailable();
const DAY = 86_400_000;

describe('retention review at a centre', { skip: unavailable }, () => {
  let f: WebFixture;
  let db: CentreDb;
  let node: TestNode;
  let t = 1_764_000_000_000;

  before(async () => {
    f = await webFixture({ store: 'postgres', now: () => t });
    db = await CentreDb.open(f.ctx.settings.store);
    node = await testNode(1);
    await db.registerNode(node.ev.key.publicPem, 'node-1');
    // 40 deliveries at 1,764,000,000,000 + seq ms, from 198.18.0.<seq>, stored and projected at the centre.
    await node.record(40);
    await db.ingest(node.ev.key.fingerprint, { records: [...node.ev.table.range(0, 40)].map((r) => ({ seq: r.seq, text: r.text })), checkpoints: [] });
    await db.project();
    assert.equal(Number((await db.pool.query('SELECT max(projected) AS p FROM centre_projection')).rows[0].p), 40);
  });
  after(async () => {
    await db?.close();
    await node?.dispose();
    await f?.close();
  });

  it('counts the centre records due, per category, in the review, the CLI\'s JSON and GET /api/retention', async () => {
    let anna = await loginAs(f.app, USERS.analyst);
    const centreDue = (r: { centre?: { categories: readonly { category: string; due: number }[] } }) => r.centre?.categories.find((c) => c.category === 'deliveries')?.due;
    const g = (): Governance => ({ gov: f.gov, now: () => t });
    assert.equal(centreDue(reviewRetention(f.ctx, g(), { id: 0, username: 'test', role: 'supervisor' })), 0, 'nothing past its period yet');
    assert.equal((await call(f.app, 'POST', '/api/holds', anna, { ip: '198.18.0.7', caseRef: 'case-2026-61' })).status, 200);
    t += 3 * 365 * DAY;
    const r = reviewRetention(f.ctx, g(), { id: 0, username: 'test', role: 'supervisor' });
    assert.equal(centreDue(r), 39, 'every shipped delivery but the held address');
    assert.deepEqual(r.centre?.categories.map((c) => c.category), ['deliveries', 'announces', 'presence', 'rejected']);
    anna = await loginAs(f.app, USERS.analyst); // the session ended in those three years
    const api = (await (await call(f.app, 'GET', '/api/retention?fresh=1', anna)).json()) as Parameters<typeof centreDue>[0];
    assert.equal(centreDue(api), 39, JSON.stringify(api));
    const page = await (await call(f.app, 'GET', '/retention?fresh=1', anna)).text();
    assert.match(page, /39 delivery sessions and their progress records shipped by nodes \(centre records\)/);
  });
});
