import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cohorts } from '../../../../src/app/cohorts.ts';
import { dossier } from '../../../../src/app/dossier.ts';
import { publicMap, type PublicMap } from '../../../../src/app/public-map.ts';
import { PERSONAL_KINDS } from '../../../../src/app/retention.ts';
import type { Cell } from '../../../../src/analysis/map/suppress.ts';
import { stats } from '../../../../src/app/stats.ts';
import { openErasure } from '../../../../src/node/erasure.ts';
import { wilson } from '../../../../src/analysis/deterrence/intervals.ts';
import type { Context } from '../../../../src/node/context.ts';
import type { DimensionRow, IpDimension, RollupPeriod } from '../../../../src/store/intelligence.ts';
import { at, fakeAssessor, fixtureContext, IP, type IntelStoreFactory } from './intel-fixture.ts';

const ALL = { from: 0, to: 8.64e15 };
const norm = (rows: readonly DimensionRow[]) => rows.map((x) => `${x.bucket} ${x.key} ${x.label} ${x.ips}`).sort();

/** The rollups answer exactly as the plain queries do, for every rollup period and place dimension. */
function assertRollupsMatchPlain(ctx: Context): void {
  const intel = ctx.store.intel;
  for (const period of ['week', 'month', 'year'] as RollupPeriod[]) {
    assert.deepEqual(intel.rollupActivity(period, ALL.from, ALL.to), intel.activity(ALL, period), `activity by ${period}`);
    for (const dim of ['country', 'county', 'municipality', 'asn'] as Exclude<IpDimension, 'client'>[]) {
      assert.deepEqual(norm(intel.rollupUniqueIps(period, dim, ALL.from, ALL.to)), norm(intel.uniqueIpsBy(ALL, period, dim)), `${dim} by ${period}`);
    }
  }
}

/**
 * The public map drawn from the rollup (whole time, no filter: the web page's map) is the map of
 * the plain query over the deliveries (the reference: a window ending 1 ms earlier takes that path).
 */
function assertMapFromRollup(ctx: Context, k: number, enricher: typeof fakeAssessor): PublicMap {
  const fast = publicMap(ctx, { k, enricher });
  const plain = publicMap(ctx, { k, enricher, filter: { to: ALL.to - 1 } });
  assert.deepEqual(ctx.store.intel.rollupUniqueIpsByArea(), ctx.store.intel.uniqueIpsByArea(ALL));
  // The same GeoJSON but for the window it names.
  const meta = (m: PublicMap) => ({ ...(m.geojson as unknown as { counterseed: object }).counterseed, to: undefined });
  assert.deepEqual([fast.geojson.features, meta(fast)], [plain.geojson.features, meta(plain)]);
  assert.deepEqual([fast.countries, fast.norwayCounties, fast.notPlaced, fast.svg], [plain.countries, plain.norwayCounties, plain.notPlaced, plain.svg]);
  return fast;
}
const shown = (cells: readonly Cell[]) => Object.fromEntries(cells.filter((c) => c.ips !== null).map((c) => [c.key, c.ips]));

/**
 * THE intelligence contract (issue 11's queries, issue 12: "the analysis queries run on it and
 * pass the same tests"): the use cases over the hand-made fixture of intel-fixture.ts, on every
 * store. Expected values are worked out by hand from the fixture's rows.
 */
export function intelContract(f: IntelStoreFactory): void {
  describe(`intelligence contract: ${f.name}`, () => {
    let ctx: Context;
    let done: () => Promise<void>;
    before(async () => { ({ ctx, done } = await fixtureContext(f)); });
    after(async () => done());

    it('stats per week: deliveries, completed, bytes, metadata-only apart, unique IPs without crawlers', () => {
      const r = stats(ctx, { period: 'week', enricher: fakeAssessor, by: ['municipality', 'country', 'county', 'asn', 'client'], devices: true });
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
      const county = Object.fromEntries((r.ipsBy.county ?? []).filter((x) => x.bucket === '2025-01-06').map((x) => [x.key, [x.label, x.ips]]));
      assert.deepEqual(county, { '03': ['Oslo', 1], '46': ['Vestland', 1], '(outside Norway)': ['(outside Norway)', 1], '(not placeable)': ['(not placeable)', 1] });
      const asn = Object.fromEntries((r.ipsBy.asn ?? []).filter((x) => x.bucket === '2025-01-13').map((x) => [x.key, [x.label, x.ips]]));
      assert.deepEqual(asn, { 2119: ['Telenor Norge AS', 1] });
      const client = Object.fromEntries((r.ipsBy.client ?? []).filter((x) => x.bucket === '2025-01-13').map((x) => [x.key, x.ips]));
      assert.deepEqual(client, { Transmission: 1 });
      // Decoy 1 published in week 1, decoy 2 in week 2; neither retired (TTL 90 days).
      assert.deepEqual(r.decoys, [{ bucket: '2025-01-06', published: 1, active: 1, retired: 0 }, { bucket: '2025-01-13', published: 1, active: 2, retired: 0 }]);
      // A: (qB 4.6, 5000) and (Transmission 4.0, 6000) = 2 devices; B, C, D one each.
      assert.deepEqual(r.devices?.distribution, [3, 1, 0, 0]);
      assert.equal(r.devices.top[0]!.ip, IP.A);
      assert.equal(r.devices.top[0]!.sessions, 3);
      assert.match(r.devices.method, /client version, listen port/);
      assert.equal(stats(ctx, { period: 'week', enricher: fakeAssessor }).devices, undefined);
    });

    it('stats per year by county: one bucket, every address once', () => {
      // 2025: A (Oslo 03), B (Vestland 46), C (SE), D (not placeable) = 4 addresses; E is metadata-only. Deliveries 6, completed 4, bytes 450.
      const r = stats(ctx, { period: 'year', from: Date.UTC(2025, 0, 1), to: Date.UTC(2026, 0, 1), enricher: fakeAssessor, by: ['county'] });
      assert.deepEqual(r.activity, [{ bucket: '2025', deliveries: 6, completed: 4, bytes: 450, metadataOnly: 2, uniqueIps: 4 }]);
      assert.deepEqual(Object.fromEntries((r.ipsBy.county ?? []).map((x) => [x.key, x.ips])), { '03': 1, '46': 1, '(outside Norway)': 1, '(not placeable)': 1 });
      assert.deepEqual(r.municipalities, [{ bucket: '2025', reached: 2, share: 2 / 357 }]);
    });

    it('the rollups give the same rows as the plain queries, every period and dimension', () => {
      assertRollupsMatchPlain(ctx);
      // Whole buckets only: a window starting on Tue 7 Jan leaves out the week of Mon 6 Jan.
      assert.deepEqual(ctx.store.intel.rollupUniqueIps('week', 'country', at(7, 0), ALL.to).map((x) => x.bucket), ['2025-01-13']);
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

    it('enrichment history is kept, and the rollups follow a re-assessment', () => {
      const intel = ctx.store.intel;
      assert.equal(intel.enrichmentHistory(IP.A).length, 1);
      intel.saveEnrichments([{ ...fakeAssessor.enrich(IP.A, Date.now() + 1000), municipalityNumber: '3201', municipalityName: 'Bærum', countyNumber: '32', countyName: 'Akershus' }]);
      assert.deepEqual(intel.enrichmentHistory(IP.A).map((e) => e.municipalityNumber), ['0301', '3201']);
      // A's two weeks leave Oslo for Bærum, and its year leaves county 03 for 32; still the plain queries' answer.
      const week = (b: string) => Object.fromEntries(intel.rollupUniqueIps('week', 'municipality', ALL.from, ALL.to).filter((x) => x.bucket === b).map((x) => [x.key, x.ips]));
      assert.deepEqual(week('2025-01-06'), { '3201': 1, '4601': 1, '(outside Norway)': 1, '(not placeable)': 1 });
      assert.deepEqual(week('2025-01-13'), { '3201': 1 });
      assert.deepEqual(intel.rollupUniqueIps('year', 'county', ALL.from, ALL.to).map((x) => [x.key, x.label, x.ips]),
        [['(not placeable)', '(not placeable)', 1], ['(outside Norway)', '(outside Norway)', 1], ['32', 'Akershus', 1], ['46', 'Vestland', 1]]);
      assertRollupsMatchPlain(ctx);
      assert.equal(intel.enrichmentHistory(IP.D)[0]!.placeable, false);
      // back to Oslo for the other tests
      intel.saveEnrichments([fakeAssessor.enrich(IP.A, Date.now() + 2000)]);
      assert.deepEqual(week('2025-01-13'), { '0301': 1 });
    });

    it('cohorts: exposed vs comparison return rates, worked out by hand', () => {
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

    it('cohorts grouped by the campaign of the decoy of first exposure or contact', () => {
      const r = cohorts(ctx, { horizons: [1], groupBy: 'campaign', enricher: fakeAssessor });
      // Campaign 1 (decoy 1): exposed A, D (A returned); comparison C, E (E returned). Campaign 2: exposed B (returned via its announce).
      const g = Object.fromEntries(r.totals.map((t) => [t.group, [t.exposed.eligible, t.exposed.returned, t.comparison.eligible, t.comparison.returned]]));
      assert.deepEqual(g, { 1: [2, 1, 2, 1], 2: [1, 1, 0, 0] });
    });

    it('public map: countries and Norwegian counties with cells under k withheld, no address anywhere', () => {
      // Non-metadata IPs: A (Oslo 03), B (Bergen, Vestland 46), C (SE), D (not placeable). E is metadata-only: out.
      const m = publicMap(ctx, { k: 2, enricher: fakeAssessor });
      assert.deepEqual(m.countries.map((c) => [c.key, c.ips]), [['NO', 2], ['SE', null]]);
      assert.equal(m.notPlaced, 1);
      assert.equal(m.norwayCounties.length, 15);
      assert.ok(m.norwayCounties.every((c) => c.ips === null && c.suppressed));
      const k1 = publicMap(ctx, { k: 1, enricher: fakeAssessor });
      assert.deepEqual(Object.fromEntries(k1.norwayCounties.filter((c) => c.ips !== null).map((c) => [c.key, c.ips])), { '03': 1, '46': 1 });
      for (const text of [JSON.stringify(m.geojson), m.svg, JSON.stringify(k1.geojson), k1.svg]) {
        for (const ip of Object.values(IP)) assert.ok(!text.includes(ip), `${ip} leaked`);
        assert.ok(text.includes('Kartverket'));
      }
      assert.ok(m.svg.includes('SYNTHETIC DATA') && m.svg.startsWith('<?xml'));
      assert.equal((m.geojson as unknown as { counterseed: { synthetic: boolean } }).counterseed.synthetic, true);
    });

    it('dossier: every delivery and announce of one address, its first exposure and returns', () => {
      const d = dossier(ctx, { ip: IP.B, enricher: fakeAssessor });
      assert.equal(d.synthetic, true);
      assert.deepEqual(d.deliveries.map((x) => [x.startedAt, x.decoyId, x.completed, x.bytes, x.listenPort]), [[at(7, 10), 2, true, 100, 5001]]);
      assert.deepEqual(d.announces.map((a) => [a.at, a.decoyId, a.event]), [[at(10, 10), 2, 'started']]);
      assert.equal(d.firstExposure, at(7, 10));
      // The announce on Fri 10 Jan is a return 3 days after the warning.
      assert.deepEqual(d.returnsAfterWarning.map((x) => [x.day, x.daysAfter, x.announces]), [['2025-01-10', 3, 1]]);
      assert.equal(d.enrichment[0]!.municipalityNumber, '4601');
    });

    it('a dossier on an up-to-date store asks the store three statements (each a round trip on PostgreSQL; issue 11: p95 <= 50 ms)', () => {
      dossier(ctx, { ip: IP.B, enricher: fakeAssessor });
      const db = (ctx.store as unknown as { database: { prepare(sql: string): Record<string, (...a: unknown[]) => unknown>; exec(sql: string): void } }).database;
      const prepare = db.prepare;
      const exec = db.exec;
      const sent: string[] = [];
      db.prepare = function (sql: string) {
        const st = prepare.call(this, sql);
        for (const m of ['all', 'get', 'run']) { const f = st[m]!; st[m] = (...a: unknown[]) => { sent.push(sql); return f.apply(st, a); }; }
        return st;
      };
      db.exec = function (sql: string) { sent.push(sql); exec.call(this, sql); };
      try {
        const d = dossier(ctx, { ip: IP.B, enricher: fakeAssessor });
        assert.equal(d.deliveries.length, 1);
      } finally { delete (db as Partial<typeof db>).prepare; delete (db as Partial<typeof db>).exec; }
      // Refresh check (marks and tops, and whether an address awaits assessment), the record sections (deliveries, announces, swarm presence), enrichment history.
      assert.equal(sent.length, 3, sent.join('\n---\n'));
    });

    it('a second refresh reads only the new records, an IPv6 address among them', () => {
      // Added: F (IPv6, Norway, Oslo) completes decoy 2 on Mon 3 Feb 10:00, and A comes back partially the same day.
      const F = '2001:db8:4600::15';
      // The cohorts' data version (app/cohorts.ts caches by it): steady while nothing changes, new after a refresh takes in records.
      stats(ctx, { period: 'month', enricher: fakeAssessor });
      const v0 = ctx.store.intel.cohortDataVersion();
      assert.equal(ctx.store.intel.cohortDataVersion(), v0);
      const w = ctx.store.intel.syntheticWriter();
      const row = (n: number, ip: string, completed: boolean, bytes: number) => ({
        sessionId: `later-${n}`, decoyId: 2, infoHash: '2'.repeat(40), remoteIp: ip, remotePort: 50000 + n, localIp: '198.18.0.10', localPort: 6881,
        encryption: 'none', startedAt: at(34, 10), endedAt: at(34, 10) + 60_000, peerId: new Uint8Array(20).fill(100 + n), client: 'qB', clientVersion: 'qB 5.0',
        listenPort: 7000 + n, bytesServed: bytes, piecesAtEnd: 0, completed, metadataOnly: false, disconnectReason: 'peer-closed',
      });
      w.deliveries([row(1, F, true, 100), row(2, IP.A, false, 30)]);
      w.finish();
      const assessor = { ...fakeAssessor, enrich: (ip: string, when: number) => (ip === F
        ? { ip, enrichedAt: when, placeable: true, country: 'NO', countyNumber: '03', countyName: 'Oslo', municipalityNumber: '0301', municipalityName: 'Oslo', caveats: [], databases: [] }
        : fakeAssessor.enrich(ip, when)) };
      const r = stats(ctx, { period: 'month', enricher: assessor, by: ['municipality'] });
      // February: 2 deliveries, 1 completed, 130 bytes, addresses F and A, both in Oslo.
      assert.deepEqual(r.activity.at(-1), { bucket: '2025-02', deliveries: 2, completed: 1, bytes: 130, metadataOnly: 0, uniqueIps: 2 });
      assert.deepEqual((r.ipsBy.municipality ?? []).filter((x) => x.bucket === '2025-02').map((x) => [x.key, x.ips]), [['0301', 2]]);
      assertRollupsMatchPlain(ctx);
      assert.notEqual(ctx.store.intel.cohortDataVersion(), v0);
      const d = dossier(ctx, { ip: '2001:0db8:4600:0000::0015', enricher: assessor });
      assert.equal(d.ip, F);
      assert.deepEqual(d.deliveries.map((x) => [x.startedAt, x.completed]), [[at(34, 10), true]]);
    });

    it('the cohorts\' data version reads no per-address table, and an erasure still changes it (issue 13: /api/cohorts p95 <= 100 ms)', () => {
      stats(ctx, { period: 'month', enricher: fakeAssessor });
      const db = (ctx.store as unknown as { database: { prepare(sql: string): Record<string, (...a: unknown[]) => unknown> } }).database;
      const prepare = db.prepare;
      const sent: string[] = [];
      db.prepare = function (sql: string) { sent.push(sql); return prepare.call(this, sql); };
      let v0: string;
      try { v0 = ctx.store.intel.cohortDataVersion(); } finally { delete (db as Partial<typeof db>).prepare; }
      // Counting intel_ip_activity (580,212 rows at 10,000,000 deliveries) cost 11-18 ms CPU a call.
      assert.ok(!sent.some((q) => /intel_ip_activity|intel_ip_bucket|deliveries\b/.test(q)), sent.join('\n---\n'));
      const report = cohorts(ctx, { horizons: [1] });
      // Erasing every record of D removes its activity row (erasure-table.ts): a new version, and a report without D.
      openErasure(ctx.store).erase({ kinds: PERSONAL_KINDS, before: 8.64e15, ip: IP.D, exceptIps: [] }, { erasure: 'contract', at: at(40, 0) });
      assert.notEqual(ctx.store.intel.cohortDataVersion(), v0);
      const after = cohorts(ctx, { horizons: [1] });
      assert.notEqual(after, report, 'computed again');
      const n = (r: typeof report) => r.totals.reduce((k, t) => k + t.exposed.eligible + t.comparison.eligible, 0);
      assert.ok(n(after) < n(report), `D is gone from the report: ${n(after)} < ${n(report)}`);
    });

    it('the public map counts from the rollup, not the deliveries, with the same map after new deliveries, a re-assessment and an erasure', () => {
      const intel = ctx.store.intel;
      publicMap(ctx, { k: 1, enricher: fakeAssessor });
      // The map's reads on an up-to-date store: none of them goes over the deliveries (only the refresh check's MAX(id)).
      const db = (ctx.store as unknown as { database: { prepare(sql: string): unknown } }).database;
      const prepare = db.prepare;
      const sent: string[] = [];
      db.prepare = function (sql: string) { sent.push(sql); return prepare.call(this, sql); };
      try { publicMap(ctx, { k: 1, enricher: fakeAssessor }); } finally { delete (db as Partial<typeof db>).prepare; }
      assert.deepEqual(sent.filter((q) => /FROM deliveries [a-z]/.test(q)), [], 'the map read the deliveries');

      // Non-metadata IPs now: A (Oslo 03), B (Vestland 46), C (SE), D (not placeable), F (IPv6, Oslo 03).
      let m = assertMapFromRollup(ctx, 1, fakeAssessor);
      assert.deepEqual(shown(m.countries), { NO: 3, SE: 1 });
      assert.deepEqual(shown(m.norwayCounties), { '03': 2, '46': 1 });
      // k = 2: Sweden (1) and Vestland (1) withheld, Oslo (2) shown.
      m = assertMapFromRollup(ctx, 2, fakeAssessor);
      assert.deepEqual(shown(m.countries), { NO: 3 });
      assert.deepEqual(shown(m.norwayCounties), { '03': 2 });
      assert.ok(m.norwayCounties.filter((c) => c.ips === null).every((c) => c.suppressed));

      // New deliveries: G and H in Vestland, and a crawler (metadata-only) in Oslo that stays off the map.
      const w = intel.syntheticWriter();
      const row = (n: number, ip: string, metadataOnly: boolean) => ({
        sessionId: `map-${n}`, decoyId: 2, infoHash: '2'.repeat(40), remoteIp: ip, remotePort: 51000 + n, localIp: '198.18.0.10', localPort: 6881,
        encryption: 'none', startedAt: at(35, 10), endedAt: at(35, 10) + 60_000, peerId: new Uint8Array(20).fill(120 + n), client: 'qB', clientVersion: 'qB 5.0',
        listenPort: 7100 + n, bytesServed: metadataOnly ? 0 : 100, piecesAtEnd: 0, completed: !metadataOnly, metadataOnly, disconnectReason: 'peer-closed',
      });
      w.deliveries([row(1, '193.0.0.7', false), row(2, '193.0.0.8', false), row(3, '193.0.0.9', true)]);
      w.finish();
      const places: Record<string, string> = { '193.0.0.7': '46', '193.0.0.8': '46', '193.0.0.9': '03', '2001:db8:4600::15': '03' };
      const assessor = { ...fakeAssessor, enrich: (ip: string, when: number) => (places[ip]
        ? { ip, enrichedAt: when, placeable: true, country: 'NO', countyNumber: places[ip], countyName: places[ip] === '03' ? 'Oslo' : 'Vestland', caveats: [], databases: [] }
        : fakeAssessor.enrich(ip, when)) };
      m = assertMapFromRollup(ctx, 2, assessor);
      assert.deepEqual(shown(m.countries), { NO: 5 });
      assert.deepEqual(shown(m.norwayCounties), { '03': 2, '46': 3 });

      // A re-assessment moves A to Akershus (32): Oslo drops to 1 and is withheld, with Akershus beside it.
      intel.saveEnrichments([{ ...fakeAssessor.enrich(IP.A, Date.now() + 3000), countyNumber: '32', countyName: 'Akershus' }]);
      m = assertMapFromRollup(ctx, 2, assessor);
      assert.deepEqual(shown(m.norwayCounties), { '46': 3 });
      assert.deepEqual(shown(assertMapFromRollup(ctx, 1, assessor).norwayCounties), { '03': 1, '32': 1, '46': 3 });

      // Erasure: all of C's records (C leaves the map), and A's January deliveries (A stays: its February one is left).
      const erasure = openErasure(ctx.store);
      erasure.erase({ kinds: ['delivery'], before: ALL.to, ip: IP.C, exceptIps: [] }, { erasure: 'map test 1', at: Date.now() });
      erasure.erase({ kinds: ['delivery'], before: at(32, 0), ip: IP.A, exceptIps: [] }, { erasure: 'map test 2', at: Date.now() });
      m = assertMapFromRollup(ctx, 1, assessor);
      assert.deepEqual(shown(m.countries), { NO: 5 });
      assert.deepEqual(shown(m.norwayCounties), { '03': 1, '32': 1, '46': 3 });
      // B's one delivery erased, its tracker announce kept: B has no delivery left and leaves the map (and the rollups' counts).
      erasure.erase({ kinds: ['delivery'], before: ALL.to, ip: IP.B, exceptIps: [] }, { erasure: 'map test 3', at: Date.now() });
      m = assertMapFromRollup(ctx, 1, assessor);
      assert.deepEqual(shown(m.norwayCounties), { '03': 1, '32': 1, '46': 2 });
      for (const period of ['week', 'month', 'year'] as RollupPeriod[]) {
        for (const dim of ['country', 'county'] as const) assert.deepEqual(norm(intel.rollupUniqueIps(period, dim, ALL.from, ALL.to)), norm(intel.uniqueIpsBy(ALL, period, dim)), `${dim} by ${period}`);
      }
      for (const text of [JSON.stringify(m.geojson), m.svg]) for (const ip of [...Object.values(IP), ...Object.keys(places)]) assert.ok(!text.includes(ip), `${ip} leaked`);
    });
  });
}
