import type { Context } from './context.ts';
import { requirePermission, type Actor } from './governance.ts';
import { listCampaignStatus } from './campaigns.ts';

/** Counts without personal data: the overview page (issue 13 §2). Times are UTC. */
export interface Overview {
  readonly at: number;
  readonly timeZone: 'UTC';
  readonly inboundToday: number;
  readonly inboundWeek: number;
  readonly decoysServed: number;
  readonly campaigns: number;
  readonly activeCampaigns: number;
  readonly payloads: number;
  readonly counters: Record<string, number>;
}

export async function overview(ctx: Context, actor: Actor, now = Date.now()): Promise<Overview> {
  requirePermission(actor, 'overview');
  const dayStart = now - (now % 86_400_000);
  // Per-address hourly counts only: the per-decoy half of `health` (every active decoy's counts) costs
  // ~300 ms at 1,000,000 deliveries and the overview shows none of it (issue 13: interactive in <= 1 s).
  const addresses = await ctx.store.health.inboundByAddress(now - 7 * 86_400_000, 3_600_000);
  const sum = (since: number) => addresses.reduce((n, a) => n + a.buckets.filter((b) => b.bucketStart >= since).reduce((m, b) => m + b.count, 0), 0);
  // Campaign counts without their deliveries: counting those read every delivery (250-440 ms CPU at
  // 10,000,000 deliveries) and the overview shows only how many campaigns there are and are active.
  const campaigns = listCampaignStatus(ctx);
  return {
    at: now, timeZone: 'UTC', inboundToday: sum(dayStart), inboundWeek: sum(now - 7 * 86_400_000),
    decoysServed: await ctx.store.countServedDecoys(), campaigns: campaigns.length,
    activeCampaigns: campaigns.filter((c) => c.active > 0).length, payloads: ctx.store.listPayloads().length, counters: await ctx.store.counters(),
  };
}
