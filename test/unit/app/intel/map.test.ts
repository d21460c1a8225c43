import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { publicMap } from '../../../../src/app/public-map.ts';
import { suppress } from '../../../../src/analysis/map/suppress.ts';
import type { Context } from '../../../../src/node/context.ts';
import { fakeAssessor, fixtureContext, IP } from './fixture.ts';

describe('k-suppression', () => {
  it('withholds cells under k, and a second cell when one withheld cell could be subtracted from a published total', () => {
    const rows = [{ key: 'a', label: 'a', ips: 50 }, { key: 'b', label: 'b', ips: 12 }, { key: 'c', label: 'c', ips: 3 }];
    assert.deepEqual(suppress(rows, 10, false).map((c) => c.ips), [50, 12, null]);
    assert.deepEqual(suppress(rows, 10, true).map((c) => c.ips), [50, null, null]);
    assert.deepEqual(suppress(rows, 2, true).map((c) => c.ips), [50, 12, 3]);
  });
});

describe('public map on the hand-made fixture', () => {
  let ctx: Context;
  let done: () => Promise<void>;
  before(async () => { ({ ctx, done } = await fixtureContext()); });
  after(async () => done());

  it('countries and Norwegian counties with cells under k withheld, no address anywhere', () => {
    // Non-metadata IPs: A (Oslo 03), B (Bergen, Vestland 46), C (SE), D (not placeable). E is metadata-only: out.
    const m = publicMap(ctx, { k: 2, enricher: fakeAssessor });
    assert.deepEqual(m.countries.map((c) => [c.key, c.ips]), [['NO', 2], ['SE', null]]);
    assert.equal(m.notPlaced, 1);
    // Every county has 0 or 1 address: all withheld (1 < 2).
    assert.equal(m.norwayCounties.length, 15);
    assert.ok(m.norwayCounties.every((c) => c.ips === null && c.suppressed));
    const k1 = publicMap(ctx, { k: 1, enricher: fakeAssessor });
    const county = Object.fromEntries(k1.norwayCounties.filter((c) => c.ips !== null).map((c) => [c.key, c.ips]));
    assert.deepEqual(county, { '03': 1, '46': 1 });
    for (const text of [JSON.stringify(m.geojson), m.svg, JSON.stringify(k1.geojson), k1.svg]) {
      for (const ip of Object.values(IP)) assert.ok(!text.includes(ip), `${ip} leaked`);
      assert.ok(text.includes('Kartverket'));
    }
    assert.ok(m.svg.includes('SYNTHETIC DATA') && m.svg.startsWith('<?xml'));
    assert.equal((m.geojson as unknown as { counterseed: { synthetic: boolean } }).counterseed.synthetic, true);
  });
});
