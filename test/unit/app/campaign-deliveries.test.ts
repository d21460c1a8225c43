import assert from 'node:assert/strict';
import { test } from 'node:test';
import { campaignDeliveries, computeCampaignDeliveries } from '../../../src/app/campaign-deliveries.ts';
import { listCampaigns, showCampaign } from '../../../src/app/campaigns.ts';
import { overview } from '../../../src/app/overview.ts';
import { PERSONAL_KINDS } from '../../../src/app/retention.ts';
import { openErasure } from '../../../src/node/erasure.ts';
import type { SyntheticDelivery } from '../../../src/store/synthetic.ts';
import { fixtureContext, R, T0 } from '../sources/fixture.ts';

const DAY = 86_400_000;
const delivery = (sessionId: string, ip: string, decoyId: number, start: number): SyntheticDelivery => ({
  sessionId, decoyId, infoHash: String(decoyId).repeat(40), remoteIp: ip, remotePort: 40100, localIp: '198.18.0.10', localPort: 6881, encryption: 'none',
  startedAt: start, endedAt: start + 60_000, peerId: new Uint8Array(20).fill(5), client: 'qBittorrent', clientVersion: 'qBittorrent 4.6.7',
  listenPort: 9000, bytesServed: 100, piecesAtEnd: 0, completed: true, metadataOnly: false, disconnectReason: 'peer-closed',
});

test('campaign deliveries are cached per data version: equal to counting again; a new delivery and an erasure invalidate', async () => {
  const f = await fixtureContext();
  try {
    const campaigns = f.ctx.store.campaigns;
    const first = campaignDeliveries(f.ctx);
    assert.deepEqual([...first], [[1, 10]], 'the fixture: 10 deliveries of campaign c1');
    assert.equal(campaignDeliveries(f.ctx), first, 'same data version: the cached counts');
    assert.deepEqual(first, computeCampaignDeliveries(f.ctx), 'and they equal counting again');
    assert.equal(listCampaigns(f.ctx)[0]!.deliveries, campaigns.counts(1).deliveries);
    assert.deepEqual(showCampaign(f.ctx, 'c1'), { ...campaigns.list()[0]!, ...campaigns.counts(1) }, 'the same summary as the per-campaign count');

    f.ctx.store.intel.syntheticWriter().deliveries([delivery('n1', '198.51.100.9', 2, T0 + DAY)]);
    const added = campaignDeliveries(f.ctx);
    assert.deepEqual([...added], [[1, 11]], 'a new delivery: counted again');
    assert.deepEqual(added, computeCampaignDeliveries(f.ctx));

    // A later delivery of R keeps the highest id in place, so only the erased records can tell.
    f.ctx.store.intel.syntheticWriter().deliveries([delivery('n2', R, 1, T0 + 12 * DAY)]);
    assert.deepEqual([...campaignDeliveries(f.ctx)], [[1, 12]]);
    openErasure(f.ctx.store).erase({ kinds: PERSONAL_KINDS, before: 8.64e15, ip: '198.51.100.9', exceptIps: [] }, { erasure: 'test', at: T0 + 20 * DAY });
    const erased = campaignDeliveries(f.ctx);
    assert.deepEqual([...erased], [[1, 11]], 'an erasure: counted again, without the erased delivery');
    assert.deepEqual(erased, computeCampaignDeliveries(f.ctx));
    assert.equal(listCampaigns(f.ctx)[0]!.deliveries, campaigns.counts(1).deliveries);
  } finally { await f.done(); }
});

test('the overview counts campaigns without reading any delivery (250-440 ms CPU at 10,000,000 deliveries)', async () => {
  const f = await fixtureContext();
  try {
    const campaigns = f.ctx.store.campaigns as unknown as Record<string, unknown>;
    // Not listCampaigns: that would leave the deliveries cached for the overview to find.
    const expected = f.ctx.store.campaigns.list().map((c) => ({ ...c, ...f.ctx.store.campaigns.statusCounts(c.id) }));
    for (const m of ['counts', 'deliveriesByCampaign']) campaigns[m] = () => { throw new Error(`the overview read deliveries (${m})`); };
    const o = await overview(f.ctx, { id: 1, username: 'a', role: 'analyst' }, T0 + 30 * DAY);
    assert.equal(o.campaigns, expected.length);
    assert.equal(o.activeCampaigns, expected.filter((c) => c.active > 0).length);
    assert.equal(o.activeCampaigns, 1);
  } finally { await f.done(); }
});

// Session 10 (issue 13, API p95 <= 100 ms): /api/overview on PostgreSQL at 10,000,000 deliveries, clock at the data's end, cost
// 86 ms of CPU a request, ~75 ms of it the per-address hourly buckets of the week (a GROUP BY sorting 195,373 deliveries) that the
// overview only summed. It now counts; the numbers are the buckets' sums, at clocks on and off the hour.
test('the overview counts the inbound connections of today and the week without bucketing them, the same numbers as the buckets summed', async () => {
  const f = await fixtureContext();
  try {
    const HOUR = 3_600_000;
    const at = [T0 + 8 * DAY + 30 * 60_000, T0 + 8 * DAY, T0 + 2 * HOUR + 17, T0 + 12 * DAY + 5 * HOUR];
    const starts = [...at.flatMap((t) => [t - 7 * DAY - 1, t - 7 * DAY, t - 7 * DAY + 1, t - 7 * DAY + HOUR, t - (t % DAY) - 1, t - (t % DAY), t - 1, t]), T0 - DAY];
    f.ctx.store.intel.syntheticWriter().deliveries(starts.map((t, i) => delivery(`ov${i}`, '198.51.100.7', 1, t)));
    const health = f.ctx.store.health as unknown as Record<string, unknown>;
    for (const now of at) {
      // What the overview computed before: the hourly buckets of the week, summed from the week's start and from 00:00 UTC.
      const addresses = await f.ctx.store.health.inboundByAddress(now - 7 * DAY, HOUR);
      const sum = (since: number) => addresses.reduce((n, a) => n + a.buckets.filter((b) => b.bucketStart >= since).reduce((m, b) => m + b.count, 0), 0);
      const byAddress = health.inboundByAddress;
      health.inboundByAddress = () => { throw new Error('the overview bucketed every delivery of the week'); };
      try {
        const o = await overview(f.ctx, { id: 1, username: 'a', role: 'analyst' }, now);
        assert.equal(o.inboundWeek, sum(now - 7 * DAY), `week at ${now}`);
        assert.equal(o.inboundToday, sum(now - (now % DAY)), `today at ${now}`);
        assert.ok(o.inboundWeek > 0 && o.inboundToday > 0 && o.inboundToday < o.inboundWeek, 'something to count');
      } finally { health.inboundByAddress = byAddress; }
    }
  } finally { await f.done(); }
});
