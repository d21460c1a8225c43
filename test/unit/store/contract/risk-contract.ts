import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWeights, weightsVersion } from '../../../../src/analysis/risk/factors.ts';
import { explainRisk, reviewRisk, scoreRisk } from '../../../../src/app/risk.ts';
import { importSources } from '../../../../src/app/sources-import.ts';
import { matchSources } from '../../../../src/app/sources-match.ts';
import type { Context } from '../../../../src/node/context.ts';
import { fixtureContext, GRADE, R } from '../../sources/fixture.ts';
import type { StoreFactory } from '../../../helpers/store-factory.ts';

const withWeights = (ctx: Context, w: string): Context => ({ ...ctx, settings: { ...ctx.settings, riskWeights: w } });

/** RiskStore contract: scores worked out by hand (issue 14 §3) on every store */
export function riskContract(factory: StoreFactory): void {
  describe(`RiskStore contract: ${factory.name}`, () => {
    it('risk of the fixture address R, worked out by hand, with every factor, its weight and its records', async () => {
      const f = await fixtureContext(factory);
      try {
        // One partner record matched to delivery 6 (R, 1 March 10:00:00-10:01:00, remote port 43001).
        await importSources(f.ctx, { file: f.file('p.csv', 'ip,port,timestamp,action,file_name,reference\n192.0.2.50,43001,2025-03-01T10:00:20Z,download,holiday-video-0042.mp4,P-9\n'), ...GRADE });
        matchSources(f.ctx, { windowS: 60 });
        const run = scoreRisk(f.ctx, {}, Date.UTC(2025, 5, 1)).run;
        const e = explainRisk(f.ctx, { ip: R });
        // Deliveries 6-9 count (10 is metadata-only):
        //   deliveries 4; decoys {1,2,3} = 3; completions (6, 8) = 2; UTC days {1, 3, 8 March} = 3;
        //   persistence: 1 March 10:00 -> 8 March 10:00 = 7 whole days; first completed delivery 1 March,
        //   days after it with a delivery: 3 and 8 March = 2; one imported record matched; one network.
        const byName = Object.fromEntries(e.factors.map((x) => [x.factor, x]));
        assert.deepEqual(e.score.values, { deliveries: 4, decoys: 3, completions: 2, daysActive: 3, persistenceDays: 7, returnsAfterWarning: 2, sourceMatches: 1, extraNetworks: 0 });
        // Default weights 1,2,3,2,1,5,4,3: 1*log2(5) + 2*log2(4) + 3*log2(3) + 2*log2(4) + 1*log2(8) + 5*log2(3) + 4*log2(2) + 3*log2(1)
        //   = 2.321928 + 4 + 4.754888 + 4 + 3 + 7.924813 + 4 + 0 = 30.001628
        assert.ok(Math.abs(e.score.score - 30.00162810065661) < 1e-9, String(e.score.score));
        assert.equal(byName.completions!.points.toFixed(6), '4.754888');
        assert.equal(byName.returnsAfterWarning!.weight, 5);
        // The records behind each value (delivery ids; imported record ids for sourceMatches).
        assert.deepEqual(byName.deliveries!.recordIds, [6, 7, 8, 9]);
        assert.deepEqual(byName.decoys!.recordIds, [6, 7, 9]);
        assert.deepEqual(byName.completions!.recordIds, [6, 8]);
        assert.deepEqual(byName.daysActive!.recordIds, [6, 8, 9]);
        assert.deepEqual(byName.persistenceDays!.recordIds, [6, 9]);
        assert.deepEqual(byName.returnsAfterWarning!.recordIds, [8, 9]);
        assert.deepEqual(byName.sourceMatches!.recordIds, [1]);
        assert.equal(byName.sourceMatches!.kind, 'other source');
        assert.equal(byName.deliveries!.kind, 'fact');
        assert.deepEqual(e.sourceMatches.map((m) => [m.reference, m.grade, m.otherId, m.rule]), [['P-9', 'B2', 6, 'ip+remote-port+time']]);
        // Weights and their version are stored with the run.
        assert.equal(run.weightsVersion, weightsVersion(parseWeights(f.ctx.settings.riskWeights)));
        assert.equal(e.run.weights, 'deliveries=1,decoys=2,completions=3,daysActive=2,persistenceDays=1,returnsAfterWarning=5,sourceMatches=4,extraNetworks=3');
        assert.equal(e.status, 'draft');
        assert.match(e.labels.join(' '), /FACTS.*ASSESSMENT.*DRAFT/);

        // Other weights: a new run, a new version; every weight 1 gives log2(5)+2+log2(3)+2+3+log2(3)+1+0.
        const ones = withWeights(f.ctx, 'deliveries=1,decoys=1,completions=1,daysActive=1,persistenceDays=1,returnsAfterWarning=1,sourceMatches=1,extraNetworks=1');
        const run2 = scoreRisk(ones, {}).run;
        assert.notEqual(run2.weightsVersion, run.weightsVersion);
        const e2 = explainRisk(ones, { ip: R });
        assert.ok(Math.abs(e2.score.score - (Math.log2(5) + 2 + Math.log2(3) + 2 + 3 + Math.log2(3) + 1)) < 1e-9);
        // The other addresses: 203.0.113.7 has 2 deliveries (1 complete) on one day, nothing after.
        const a = scoreRisk(ones, { top: 100 }).top.find((s) => s.ip === '203.0.113.7')!;
        assert.deepEqual(a.values, { deliveries: 2, decoys: 2, completions: 1, daysActive: 1, persistenceDays: 0, returnsAfterWarning: 0, sourceMatches: 0, extraNetworks: 0 });
      } finally { await f.done(); }
    });

    it('a score stays a draft until a person reviews it with a reason; bad weights and unknown IPs are refused', async () => {
      const f = await fixtureContext(factory);
      try {
        scoreRisk(f.ctx, {});
        assert.throws(() => reviewRisk(f.ctx, { ip: R, reason: ' ', reviewedBy: 'anna' }), /--reason/);
        assert.equal(explainRisk(f.ctx, { ip: R }).status, 'draft');
        const r = reviewRisk(f.ctx, { ip: R, reason: 'checked against the delivery records', reviewedBy: 'anna' }, Date.UTC(2025, 5, 2));
        assert.equal(r.status, 'reviewed');
        assert.deepEqual(r.score.review, { reviewedBy: 'anna', reason: 'checked against the delivery records', at: Date.UTC(2025, 5, 2) });
        // A new run is a new draft.
        scoreRisk(f.ctx, {});
        assert.equal(explainRisk(f.ctx, { ip: R }).status, 'draft');
        assert.throws(() => explainRisk(f.ctx, { ip: '198.51.100.1' }), /has no score/);
        assert.throws(() => explainRisk(f.ctx, { ip: 'not-an-ip' }), /not an IP address/);
        assert.throws(() => scoreRisk(withWeights(f.ctx, 'deliveries=1'), {}), /no weight for decoys/);
        assert.throws(() => scoreRisk(withWeights(f.ctx, 'deliveries=1,colour=2'), {}), /unknown factor "colour"/);
      } finally { await f.done(); }
    });
  });
}
