import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cohorts } from '../../../../src/app/cohorts.ts';
import { newcombeDifference, wilson } from '../../../../src/analysis/deterrence/intervals.ts';
import type { Context } from '../../../../src/node/context.ts';
import { fakeAssessor, fixtureContext } from './fixture.ts';

describe('Wilson and Newcombe intervals', () => {
  it('match published values', () => {
    // Newcombe (1998) table I, example 81/263: 0.2553 to 0.3662.
    const w = wilson(81, 263);
    assert.ok(Math.abs(w.low - 0.2553) < 5e-4 && Math.abs(w.high - 0.3662) < 5e-4, JSON.stringify(w));
    // 0/10: 0 to 0.2775 (Newcombe table I).
    const z = wilson(0, 10);
    assert.equal(z.low, 0);
    assert.ok(Math.abs(z.high - 0.2775) < 5e-4);
    // Newcombe (1998b) example (a): 56/70 - 48/80 = 0.2, interval 0.0524 to 0.3339.
    const d = newcombeDifference(56, 70, 48, 80);
    assert.ok(Math.abs(d.difference - 0.2) < 1e-12 && Math.abs(d.low - 0.0524) < 5e-4 && Math.abs(d.high - 0.3339) < 5e-4, JSON.stringify(d));
  });
});

describe('cohorts on the hand-made fixture', () => {
  let ctx: Context;
  let done: () => Promise<void>;
  before(async () => { ({ ctx, done } = await fixtureContext()); });
  after(async () => done());

  it('exposed vs comparison return rates, worked out by hand', () => {
    const r = cohorts(ctx, { horizons: [1, 7, 30], enricher: fakeAssessor });
    assert.equal(r.synthetic, true);
    // Data end: E's last session, Wed 15 Jan 12:01.
    // Exposed (day 0 = first completed delivery): A Mon 6 Jan 10:00 (last seen Tue 14 Jan 10:01), B Tue 7 Jan 10:00 (last seen:
    // its announce Fri 10 Jan 10:00), D Wed 8 Jan 10:00 (never again).
    //   1 day:  all three eligible; A and B returned -> 2/3.
    //   7 days: A (13 Jan 10:00), B (14 Jan 10:00), D (15 Jan 10:00) all before 15 Jan 12:01 -> eligible 3; A returned -> 1/3.
    //   30 days: nobody eligible (no line).
    // Comparison (first contact before any exposure): C Wed 8 Jan 10:00 (partial, never again), E Wed 8 Jan 10:00 (metadata-only,
    // seen again Wed 15 Jan 12:00). A's partial session came after its exposure: not in it.
    //   1 day: 2 eligible, E returned -> 1/2. 7 days: 15 Jan 10:00 <= 15 Jan 12:01 -> 2 eligible, E returned (12:00 >= 10:00) -> 1/2.
    const line = (h: number) => r.totals.find((t) => t.horizonDays === h);
    assert.deepEqual([line(1)!.exposed.eligible, line(1)!.exposed.returned, line(1)!.comparison.eligible, line(1)!.comparison.returned], [3, 2, 2, 1]);
    assert.deepEqual([line(7)!.exposed.eligible, line(7)!.exposed.returned, line(7)!.comparison.eligible, line(7)!.comparison.returned], [3, 1, 2, 1]);
    assert.equal(line(30), undefined);
    assert.ok(Math.abs(line(7)!.difference.value - (1 / 3 - 1 / 2)) < 1e-12);
    assert.deepEqual(line(7)!.exposed.ci95, wilson(1, 3));
    assert.deepEqual(r.weeks.map((w) => w.cohortWeek), ['2025-01-06', '2025-01-06']);
    assert.ok(r.caveats.some((c) => /CGNAT/.test(c)) && r.caveats.some((c) => /Dynamic addresses/.test(c)));
  });

  it('groups by the campaign of the decoy of first exposure or contact', () => {
    const r = cohorts(ctx, { horizons: [1], groupBy: 'campaign', enricher: fakeAssessor });
    // Campaign 1 (decoy 1): exposed A, D (A returned); comparison C, E (E returned). Campaign 2: exposed B (returned via its announce).
    const g = Object.fromEntries(r.totals.map((t) => [t.group, [t.exposed.eligible, t.exposed.returned, t.comparison.eligible, t.comparison.returned]]));
    assert.deepEqual(g, { 1: [2, 1, 2, 1], 2: [1, 1, 0, 0] });
  });
});
