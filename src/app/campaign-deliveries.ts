import type { Context } from './context.ts';
import { VersionedCache } from './versioned-cache.ts';

/**
 * Deliveries per campaign, computed once per store and data version.
 *
 * Target (issue 13 benchmarks): API p95 <= 100 ms. Counting reads every delivery of every campaign
 * decoy through the decoy index: 250-440 ms CPU (2.7-5 s wall at load 23) on the 10,000,000-delivery
 * synthetic store, on every campaigns page and API call. The answer changes only when a delivery is
 * recorded, an erasure removes records, or a decoy is released into a campaign; the store's
 * deliveriesVersion() (highest delivery id, records erased, released items) changes then, and the
 * counts are computed again. With a seeder recording into the same store, every new delivery is a
 * new version: the cache helps between deliveries (a quiet centre, a copy, the lab), not during them.
 */
const COUNTS = new VersionedCache<ReadonlyMap<number, number>>(1);

/** Deliveries per campaign id (0 for a campaign with none), equal to computeCampaignDeliveries (test/unit/app/campaign-deliveries.test.ts). */
export function campaignDeliveries(ctx: Context): ReadonlyMap<number, number> {
  const store = ctx.store.campaigns;
  return COUNTS.get(store, '', store.deliveriesVersion(), () => computeCampaignDeliveries(ctx));
}

/** The counts as they are now (no cache): one grouped query over the campaign decoys' deliveries. */
export function computeCampaignDeliveries(ctx: Context): ReadonlyMap<number, number> {
  return ctx.store.campaigns.deliveriesByCampaign();
}
