import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { importAgencies, importRetention } from '../../../../src/app/referral-tables.ts';
import { buildReferrals } from '../../../../src/app/referrals-build.ts';
import { jurisdiction, referralsDue } from '../../../../src/app/referrals-due.ts';
import { listReferrals } from '../../../../src/app/referrals-list.ts';
import { InputError } from '../../../../src/domain/errors.ts';
import { openEvidence } from '../../../../src/evidence/open.ts';
import { verifyReferral } from '../../../../verifier/verify.mjs';
import { sampleDelivery } from '../../../helpers/sample-observations.ts';
import { DAY, IP, NOW, referralFixture, AGENCY_CSV, RETENTION_CSV } from '../../app/referrals/fixture.ts';
import type { StoreFactory } from '../../../helpers/store-factory.ts';

/** ReferralStore contract (issue 14 part 4) on every store: the due list and jurisdiction, ordered and complete; packages the standalone verifier accepts. */
export function referralsContract(factory: StoreFactory): void {
  describe(`ReferralStore contract: ${factory.name}`, () => {
    it('referrals due: ordered and complete on mixed rules (country, country+ASN override, no rule, not placeable, not enriched)', async () => {
      const { ctx, root, done } = await referralFixture(undefined, factory);
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

    it('referrals build: one package per agency that the standalone verifier accepts; referrals recorded; tampering caught', async () => {
      const { ctx, root, done } = await referralFixture(undefined, factory);
      try {
        writeFileSync(join(root, 'retention.csv'), RETENTION_CSV);
        writeFileSync(join(root, 'agencies.csv'), AGENCY_CSV);
        importRetention(ctx, join(root, 'retention.csv'), NOW);
        importAgencies(ctx, join(root, 'agencies.csv'), NOW);

        const out = join(root, 'referrals');
        const r = await buildReferrals(ctx, { out, withinDays: 20, now: NOW });
        // Due within 20 days with an agency: B, C, A, H, I (K has no agency; D no deadline).
        assert.deepEqual(r.packages.map((p) => [p.agency, p.ips, p.deliveries]), [['Kripos', 4, 7], ['NOA', 1, 1]]);
        const kripos = r.packages[0]!;
        const m = JSON.parse(readFileSync(join(kripos.dir, 'referral.json'), 'utf8'));
        assert.deepEqual(m.ips.map((i: { ip: string }) => i.ip), [IP.B, IP.A, IP.H, IP.I], 'soonest deadline first');
        assert.deepEqual(m.totals, { ips: 4, deliveries: 7, completed: 7, first: NOW - 70 * DAY, last: NOW - 5 * DAY });
        assert.deepEqual(m.isps, [{ asn: 25400, org: 'Telia Norge AS', ips: 3 }, { asn: 2119, org: 'Telenor Norge AS', ips: 1 }]);
        assert.match(readFileSync(join(kripos.dir, 'summary.txt'), 'utf8'), /Referral to Kripos \(kripos@example\.invalid\)[\s\S]*AS25400  Telia Norge AS  3 address/);

        for (const p of r.packages) {
          const v = verifyReferral(p.dir);
          assert.deepEqual([v.ok, v.findings], [true, []], p.agency);
        }
        // One evidence export for all of an agency's addresses (not one per address), with a completeness proof for each.
        const ev0 = JSON.parse(readFileSync(join(kripos.dir, 'evidence', 'manifest.json'), 'utf8'));
        assert.deepEqual(ev0.selection, { ips: [IP.B, IP.A, IP.H, IP.I], to: new Date(NOW).toISOString() });
        assert.deepEqual(m.ips.map((i: { package: string }) => i.package), ['evidence', 'evidence', 'evidence', 'evidence']);
        const proof = JSON.parse(readFileSync(join(kripos.dir, 'evidence', 'completeness.json'), 'utf8'));
        assert.deepEqual(proof.ips.map((p: { key: string }) => p.key), [IP.B, IP.A, IP.H, IP.I].map((ip) => `ip:${ip}`));
        const kv = verifyReferral(kripos.dir);
        assert.deepEqual(kv.facts.packages.map((p) => [p.package, p.ok, p.ips.length]), [['evidence', true, 4]]);
        // The copy of the verifier inside the package, run as an examiner would.
        const report = execFileSync(process.execPath, [join(kripos.dir, 'verify.mjs'), kripos.dir], { encoding: 'utf8' });
        assert.match(report, /referral package[\s\S]*agency:      Kripos[\s\S]*RESULT: VERIFIED/);

        // Recorded: to whom, when, which package; nothing of it is due any more, until a new delivery.
        assert.deepEqual(listReferrals(ctx, { ip: IP.B }).map((x) => [x.agency, x.sha256, x.createdAt, x.coveredTo]), [['Kripos', kripos.sha256, NOW, NOW - 20 * DAY]]);
        assert.deepEqual(referralsDue(ctx, { withinDays: 20, now: NOW }).dated.map((x) => x.ip), [IP.K]);
        const ev = openEvidence(ctx.store, ctx.settings.dataDir, { create: false });
        const [decoy] = await ctx.store.listDecoys({ limit: 1 });
        await ctx.store.appendObservations([sampleDelivery(decoy!.id, decoy!.infoHash, { remoteIp: IP.B, startedAt: NOW - 2 * DAY, endedAt: NOW - 2 * DAY + 1000 })]);
        ev.detach();
        assert.deepEqual(referralsDue(ctx, { withinDays: 20, now: NOW }).dated.map((x) => x.ip), [IP.K, IP.B], 'a delivery after the referral is due again');

        // Tampering: a summary edited, a figure changed (even re-signed with another key it fails: key or figures).
        writeFileSync(join(kripos.dir, 'summary.txt'), 'edited\n');
        assert.ok(verifyReferral(kripos.dir).findings.some((f) => f.code === 'file-hash-mismatch'));
        const edited = readFileSync(join(kripos.dir, 'referral.json'), 'utf8').replace('"deliveries":7', '"deliveries":8');
        writeFileSync(join(kripos.dir, 'referral.json'), edited);
        assert.ok(verifyReferral(kripos.dir).findings.some((f) => f.code === 'referral-signature-invalid'));
        const noa = r.packages[1]!;
        const recs = join(noa.dir, 'evidence', 'records.ndjson');
        writeFileSync(recs, readFileSync(recs, 'utf8').replace('"completed":true', '"completed":false'));
        const v = verifyReferral(noa.dir);
        assert.ok(v.findings.some((f) => f.code === 'package-not-verified') && v.findings.some((f) => f.code === 'file-hash-mismatch'));

        // All or nothing: an occupied --out is refused before anything is written or recorded.
        writeFileSync(join(root, 'occupied'), 'x');
        await assert.rejects(buildReferrals(ctx, { out: join(root, 'occupied'), now: NOW }), InputError);
        await assert.rejects(buildReferrals(ctx, { out: join(root, 'x'), agency: 'Nobody', now: NOW }), /no agency named "Nobody"/);
        await assert.rejects(buildReferrals(ctx, { out: join(root, 'y'), now: NOW, maxIps: 1 }), /more than 1 addresses/);
        assert.equal(existsSync(join(root, 'x')) || existsSync(join(root, 'y')), false);
        assert.equal(listReferrals(ctx, {}).length, 2);
      } finally { await done(); }
    });

    it('referrals build: an IPv6 address is selected in its normal spelling, and the package verifies', async () => {
      const { ctx, root, done } = await referralFixture([[IP.V6, -3, false], [IP.V6, -4, false]], factory);
      try {
        writeFileSync(join(root, 'retention.csv'), RETENTION_CSV);
        writeFileSync(join(root, 'agencies.csv'), AGENCY_CSV);
        importRetention(ctx, join(root, 'retention.csv'), NOW);
        importAgencies(ctx, join(root, 'agencies.csv'), NOW);
        const r = await buildReferrals(ctx, { out: join(root, 'out'), now: NOW });
        assert.deepEqual(r.packages.map((p) => [p.agency, p.ips, p.deliveries]), [['Kripos', 1, 2]]);
        assert.deepEqual(JSON.parse(readFileSync(join(r.packages[0]!.dir, 'evidence', 'manifest.json'), 'utf8')).selection.ips, [IP.V6]);
        const v = verifyReferral(r.packages[0]!.dir);
        assert.deepEqual([v.ok, v.findings], [true, []]);
        const again = await buildReferrals(ctx, { out: join(root, 'again'), now: NOW });
        assert.deepEqual(again.packages, [], 'referred already: nothing left to refer');
      } finally { await done(); }
    });
    it('referrals build: the shared evidence package is checked per address; an address left out of the referral or a record left out of the package fails', async () => {
      const { ctx, root, done } = await referralFixture(undefined, factory);
      try {
        writeFileSync(join(root, 'retention.csv'), RETENTION_CSV);
        writeFileSync(join(root, 'agencies.csv'), AGENCY_CSV);
        importRetention(ctx, join(root, 'retention.csv'), NOW);
        importAgencies(ctx, join(root, 'agencies.csv'), NOW);
        const [kripos] = (await buildReferrals(ctx, { out: join(root, 'out'), withinDays: 20, now: NOW })).packages;
        const dir = kripos!.dir;
        assert.deepEqual(verifyReferral(dir).findings, []);
        // referral.json lists one address fewer than its package selects: the agency would get records it was not referred.
        const text = readFileSync(join(dir, 'referral.json'), 'utf8');
        const m = JSON.parse(text);
        writeFileSync(join(dir, 'referral.json'), JSON.stringify({ ...m, ips: m.ips.slice(1) }));
        const v1 = verifyReferral(dir);
        assert.ok(v1.findings.some((f) => f.code === 'package-selection' && f.message.includes(IP.B)), JSON.stringify(v1.findings));
        writeFileSync(join(dir, 'referral.json'), text);
        // A record of one address taken out of records.ndjson: that address's completeness proof fails.
        const recs = join(dir, 'evidence', 'records.ndjson');
        const lines = readFileSync(recs, 'utf8').split('\n');
        const i = lines.findIndex((l) => l.includes(`"remoteIp":"${IP.A}"`));
        assert.ok(i >= 0);
        writeFileSync(recs, lines.filter((_, j) => j !== i).join('\n'));
        const v2 = verifyReferral(dir);
        assert.ok(v2.findings.some((f) => f.code === 'package-not-verified' && /completeness/.test(f.message) && f.message.includes(`ip:${IP.A}`)), JSON.stringify(v2.findings.map((f) => f.message)));
      } finally { await done(); }
    });
  });
}
