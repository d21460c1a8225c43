import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { importAgencies, importRetention } from '../../../../src/app/referral-tables.ts';
import { jurisdiction, referralsDue } from '../../../../src/app/referrals-due.ts';
import { sampleDelivery } from '../../../helpers/sample-observations.ts';
import { DAY, IP, NOW, referralFixture, AGENCY_CSV, RETENTION_CSV } from './fixture.ts';

it('referrals due: ordered and complete on mixed rules (country, country+ASN override, no rule, not placeable, not enriched)', async () => {
  const { ctx, root, done } = await referralFixture();
  try {
    writeFileSync(join(root, 'retention.csv'), RETENTION_CSV);
    writeFileSync(join(root, 'agencies.csv'), AGENCY_CSV);
    importRetention(ctx, join(root, 'retention.csv'), NOW);
    importAgencies(ctx, join(root, 'agencies.csv'), NOW);
    // H was referred with its last delivery; I was referred before its newer delivery at -5.
    ctx.store.referrals.recordReferral({ agency: 'Kripos', createdAt: NOW - DAY, sha256: 'a'.repeat(64), path: '/x' }, [{ ip: IP.H, coveredTo: NOW - 10 * DAY }, { ip: IP.I, coveredTo: NOW - 15 * DAY }]);

    const r = referralsDue(ctx, { withinDays: 20, now: NOW });
    assert.equal(r.horizonDays, 365, 'the longest rule');
    assert.deepEqual(r.dated.map((x) => [x.ip, x.deadline, x.daysLeft, x.retention?.rule, x.agency ?? null]), [
      [IP.B, NOW + 1 * DAY, 1, 'country', 'Kripos'],
      [IP.K, NOW + 4 * DAY, 4, 'country', null],
      [IP.C, NOW + 5 * DAY, 5, 'country', 'NOA'],
      [IP.A, NOW + 10 * DAY, 10, 'country+asn', 'Kripos'],
      [IP.I, NOW + 16 * DAY, 16, 'country', 'Kripos'],
    ]);
    assert.equal(r.dated[0]!.retention!.source, 'Norwegian ISPs, 2019-20 (issue 14)');
    assert.equal(r.dated[3]!.retention!.days, 60, 'the ISP rule overrides the country rule');
    assert.deepEqual(r.dated.find((x) => x.ip === IP.K)!.unplaced, ['no agency for country']);
    assert.deepEqual(r.undated.map((x) => [x.ip, x.unplaced]), [
      [IP.E, ['not placeable']], [IP.D, ['no retention rule']], [IP.F, ['not enriched']],
    ]);
    assert.equal(r.truncated, false);

    const week = referralsDue(ctx, { withinDays: 7, now: NOW });
    assert.deepEqual(week.dated.map((x) => x.ip), [IP.B, IP.K, IP.C]);
    assert.deepEqual(referralsDue(ctx, { withinDays: 20, now: NOW, agency: 'Kripos' }).dated.map((x) => x.ip), [IP.B, IP.A, IP.I]);
    const limited = referralsDue(ctx, { withinDays: 20, now: NOW, limit: 2 });
    assert.deepEqual([limited.dated.map((x) => x.ip), limited.truncated], [[IP.B, IP.K], true]);

    // The same answer from the week rollup once it is refreshed (addresses found through the week rollup, intel_ip_bucket)
    // as from the records beyond its watermark (before any refresh, every delivery is beyond it).
    const strip = (x: typeof r) => ({ dated: x.dated, undated: x.undated });
    ctx.store.intel.refreshRollups();
    assert.deepEqual(strip(referralsDue(ctx, { withinDays: 20, now: NOW })), strip(r));
    // A delivery the rollup has not reached yet, of an address it has never seen, is found too.
    const [decoy] = await ctx.store.listDecoys({ limit: 1 });
    await ctx.store.appendObservations([sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: IP.V6, startedAt: NOW - 3 * DAY, endedAt: NOW - 3 * DAY + 1000 })]);
    assert.deepEqual(referralsDue(ctx, { withinDays: 60, now: NOW }).dated.map((x) => [x.ip, x.deadline]).at(-1), [IP.V6, NOW + 57 * DAY]);

    // The clock moves: two days later B has run out and is no longer listed.
    assert.equal(referralsDue(ctx, { withinDays: 20, now: NOW + 2 * DAY }).dated[0]!.ip, IP.K);
    ctx.store.intel.refreshRollups();

    // Jurisdiction: every address with a delivery in the window (V6's included), placed or with the reason.
    const j = jurisdiction(ctx, { from: NOW - 400 * DAY, to: NOW });
    assert.deepEqual(j.groups.map((g) => [g.agency ?? null, g.countries, g.ips]), [
      ['Kripos', ['NO'], 6], ['BKA', ['DE'], 1], ['NOA', ['SE'], 1], [null, ['FR'], 3],
    ]);
    assert.deepEqual(j.groups[3]!.reasons, { 'not placeable': 1, 'not enriched': 1, 'no agency for country': 1 });
    assert.equal(j.ips.length, 11, 'A-I, K and V6; J (metadata only) and L (after the window) left out');

    // Through the week rollup, with the clock at noon: the horizon starts in the week of W's last
    // delivery, 13:00 on its first day (the week bound was computed in REAL arithmetic and missed it).
    const H = 3_600_000;
    await ctx.store.appendObservations([sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: IP.W, startedAt: NOW - 365 * DAY + 13 * H, endedAt: NOW - 365 * DAY + 14 * H })]);
    ctx.store.intel.refreshRollups();
    assert.deepEqual(referralsDue(ctx, { withinDays: 1, now: NOW + 12 * H }).dated.map((x) => [x.ip, x.deadline]), [[IP.W, NOW + 13 * H], [IP.B, NOW + DAY]]);
  } finally { await done(); }
});
