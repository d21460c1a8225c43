import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { stats } from '../../../../src/app/stats.ts';
import type { Context } from '../../../../src/node/context.ts';
import { at, fakeAssessor, fixtureContext, IP } from './fixture.ts';

describe('stats on the hand-made fixture (fixture.ts lists the rows)', () => {
  let ctx: Context;
  let done: () => Promise<void>;
  before(async () => { ({ ctx, done } = await fixtureContext()); });
  after(async () => done());

  it('per week: deliveries, completed, bytes, metadata-only apart, unique IPs without crawlers', () => {
    const r = stats(ctx, { period: 'week', enricher: fakeAssessor, by: ['municipality', 'country', 'county', 'asn', 'client'] });
    assert.equal(r.synthetic, true);
    // week of Mon 6 Jan: sessions 1,2,4,5,6 (not metadata-only) = 5; completed 1,4,6 = 3; bytes 100+40+100+10+100 (+0 for #7) = 350;
    // metadata-only #7 = 1; IPs A,B,C,D = 4 (E only has metadata-only sessions).
    // week of Mon 13 Jan: session 3 = 1; completed 1; bytes 100; metadata-only #8 = 1; IPs A = 1.
    assert.deepEqual(r.activity, [
      { bucket: '2025-01-06', deliveries: 5, completed: 3, bytes: 350, metadataOnly: 1, uniqueIps: 4 },
      { bucket: '2025-01-13', deliveries: 1, completed: 1, bytes: 100, metadataOnly: 1, uniqueIps: 1 },
    ]);
    const muni = (b: string) => Object.fromEntries((r.ipsBy.municipality ?? []).filter((x) => x.bucket === b).map((x) => [x.key, x.ips]));
    assert.deepEqual(muni('2025-01-06'), { '0301': 1, '4601': 1, '(outside Norway)': 1, '(not placeable)': 1 });
    assert.deepEqual(muni('2025-01-13'), { '0301': 1 });
    // Oslo and Bergen in week 1 (2 of 357), Oslo in week 2.
    assert.deepEqual(r.municipalities, [{ bucket: '2025-01-06', reached: 2, share: 2 / 357 }, { bucket: '2025-01-13', reached: 1, share: 1 / 357 }]);
    assert.deepEqual(r.notPlaceable, [{ bucket: '2025-01-06', ips: 1 }]);
    const country = Object.fromEntries((r.ipsBy.country ?? []).filter((x) => x.bucket === '2025-01-06').map((x) => [x.key, x.ips]));
    assert.deepEqual(country, { NO: 2, SE: 1, '(not placeable)': 1 });
    const client = Object.fromEntries((r.ipsBy.client ?? []).filter((x) => x.bucket === '2025-01-13').map((x) => [x.key, x.ips]));
    assert.deepEqual(client, { Transmission: 1 });
    // Decoy 1 published in week 1, decoy 2 in week 2; neither retired (TTL 90 days).
    assert.deepEqual(r.decoys, [{ bucket: '2025-01-06', published: 1, active: 1, retired: 0 }, { bucket: '2025-01-13', published: 1, active: 2, retired: 0 }]);
    // A: (qB 4.6, 5000) and (Transmission 4.0, 6000) = 2 devices; B, C, D one each.
    assert.deepEqual(r.devices.distribution, [3, 1, 0, 0]);
    assert.equal(r.devices.top[0]!.ip, IP.A);
    assert.equal(r.devices.top[0]!.sessions, 3);
    assert.match(r.devices.method, /client version, listen port/);
  });

  it('the week rollup gives the same municipalities as the plain query', () => {
    const plain = ctx.store.intel.uniqueIpsBy({ from: 0, to: 8.64e15 }, 'week', 'municipality');
    const rolled = ctx.store.intel.weeklyIpsByMunicipalityRollup(0, 8.64e15);
    const norm = (rows: typeof plain) => rows.map((x) => `${x.bucket} ${x.key} ${x.ips}`).sort();
    assert.deepEqual(norm(rolled), norm(plain));
  });

  it('filters by campaign, format and language, and refuses other networks', () => {
    // Decoy 2 (campaign 2, zip, en): #4 (B) in week 1; #3 (A) and metadata-only #8 in week 2.
    const expected = [
      { bucket: '2025-01-06', deliveries: 1, completed: 1, bytes: 100, metadataOnly: 0, uniqueIps: 1 },
      { bucket: '2025-01-13', deliveries: 1, completed: 1, bytes: 100, metadataOnly: 1, uniqueIps: 1 },
    ];
    assert.deepEqual(stats(ctx, { period: 'week', campaignId: 2, enricher: fakeAssessor }).activity, expected);
    assert.deepEqual(stats(ctx, { period: 'week', format: 'zip', enricher: fakeAssessor }).activity, expected);
    assert.deepEqual(stats(ctx, { period: 'week', language: 'en', enricher: fakeAssessor }).activity, expected);
    assert.deepEqual(stats(ctx, { period: 'week', network: 'ed2k', enricher: fakeAssessor }).activity, []);
    // Decoy 1 by month: #1,#2,#5,#6 = 4 deliveries, completed #1,#6 = 2, bytes 250, metadata-only #7, IPs A,C,D.
    assert.deepEqual(stats(ctx, { period: 'month', language: 'no', enricher: fakeAssessor }).activity,
      [{ bucket: '2025-01', deliveries: 4, completed: 2, bytes: 250, metadataOnly: 1, uniqueIps: 3 }]);
  });

  it('a time window cuts by session start', () => {
    // [Tue 7 Jan 00:00, Wed 8 Jan 00:00): session 4 only.
    const r = stats(ctx, { period: 'day', from: at(7, 0), to: at(8, 0), enricher: fakeAssessor });
    assert.deepEqual(r.activity, [{ bucket: '2025-01-07', deliveries: 1, completed: 1, bytes: 100, metadataOnly: 0, uniqueIps: 1 }]);
  });

  it('enrichment history is kept: a second assessment adds a row, the first stays', () => {
    const before = ctx.store.intel.enrichmentHistory(IP.A);
    assert.equal(before.length, 1);
    ctx.store.intel.saveEnrichments([{ ...fakeAssessor.enrich(IP.A, Date.now() + 1000), municipalityNumber: '3201', municipalityName: 'Bærum', countyNumber: '32' }]);
    const h = ctx.store.intel.enrichmentHistory(IP.A);
    assert.deepEqual(h.map((e) => e.municipalityNumber), ['0301', '3201']);
    // The weekly rollup follows the move: A's two weeks leave Oslo for Bærum, and still match the plain query.
    const week = (b: string) => Object.fromEntries(ctx.store.intel.weeklyIpsByMunicipalityRollup(0, 8.64e15).filter((x) => x.bucket === b).map((x) => [x.key, x.ips]));
    assert.deepEqual(week('2025-01-06'), { '3201': 1, '4601': 1, '(outside Norway)': 1, '(not placeable)': 1 });
    assert.deepEqual(week('2025-01-13'), { '3201': 1 });
    assert.equal(ctx.store.intel.enrichmentHistory(IP.D)[0]!.placeable, false);
    // back to Oslo for the other tests
    ctx.store.intel.saveEnrichments([fakeAssessor.enrich(IP.A, Date.now() + 2000)]);
  });
});
