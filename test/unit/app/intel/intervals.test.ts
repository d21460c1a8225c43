import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newcombeDifference, wilson } from '../../../../src/analysis/deterrence/intervals.ts';
import { suppress } from '../../../../src/analysis/map/suppress.ts';

// The use cases over a store are in test/unit/store/contract/intel-contract.ts (run against SQLite and PostgreSQL).
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

describe('k-suppression', () => {
  it('withholds cells under k, and a second cell when one withheld cell could be subtracted from a published total', () => {
    const rows = [{ key: 'a', label: 'a', ips: 50 }, { key: 'b', label: 'b', ips: 12 }, { key: 'c', label: 'c', ips: 3 }];
    assert.deepEqual(suppress(rows, 10, false).map((c) => c.ips), [50, 12, null]);
    assert.deepEqual(suppress(rows, 10, true).map((c) => c.ips), [50, null, null]);
    assert.deepEqual(suppress(rows, 2, true).map((c) => c.ips), [50, 12, 3]);
  });
});
