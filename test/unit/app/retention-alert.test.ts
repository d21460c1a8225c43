import assert from 'node:assert/strict';
import { test } from 'node:test';
import { overviewRetentionReview, REVIEW_TTL_MS } from '../../../src/app/retention-alert.ts';
import { placeHold, retentionReview } from '../../../src/app/retention.ts';
import { openErasure } from '../../../src/node/erasure.ts';
import { webFixture } from '../web/fixture.ts';

const YEAR = 365 * 86_400_000;

test('the overview\'s retention review is reused for a minute, equals counting again, and a legal hold counts again at once', async () => {
  let now = 1_764_000_000_000 + 3 * YEAR; // every fixture record past its retention period
  const f = await webFixture({ now: () => now });
  try {
    const analyst = { id: f.gov.accounts.byName('anna')!.id, username: 'anna', role: 'analyst' as const };
    const fresh = () => retentionReview(f.ctx.settings, openErasure(f.ctx.store), f.g, analyst);
    const first = overviewRetentionReview(f.ctx, f.g, analyst);
    assert.ok(first.categories.some((c) => c.due > 0), 'the fixture has records due');
    assert.deepEqual(first, fresh(), 'equal to counting again');
    now += REVIEW_TTL_MS - 1;
    assert.equal(overviewRetentionReview(f.ctx, f.g, analyst), first, 'within the minute: reused');

    const ip = (await f.ctx.store.queryDeliveries({ limit: 1 }))[0]!.remoteIp;
    placeHold(f.g, analyst, { ip, caseRef: 'case-7' });
    const held = overviewRetentionReview(f.ctx, f.g, analyst);
    assert.notEqual(held, first, 'a new hold: counted again');
    assert.deepEqual(held, fresh());
    assert.ok(held.categories.reduce((n, c) => n + c.held, 0) > 0, 'the held records show');

    now += REVIEW_TTL_MS;
    const later = overviewRetentionReview(f.ctx, f.g, analyst);
    assert.notEqual(later, held, 'after the minute: counted again');
    assert.equal(later.at, now);
    assert.deepEqual(later, fresh());
    assert.throws(() => overviewRetentionReview(f.ctx, f.g, { id: 1, username: 'aud', role: 'auditor' }), /may not|permission|role/i, 'roles without retention are refused, cached or not');
  } finally { await f.close(); }
});
