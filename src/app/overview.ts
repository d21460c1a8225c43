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
  // Two counts of one index range, not the per-address hourly buckets of `health` summed (their GROUP BY sorted every delivery
  // of the week: ~75 ms on PostgreSQL at 10,000,000 deliveries; issue 13, API p95 <= 100 ms). The same numbers: the week was the
  // buckets starting at or after now - 7 days, i.e. the deliveries from the first whole hour of the week on; today's from 00:00 UTC.
  const HOUR = 3_600_000;
  const weekFrom = Math.ceil((now - 7 * 86_400_000) / HOUR) * HOUR;
  const inbound = await ctx.store.health.inboundCounts(weekFrom, dayStart);
  // Campaign counts without their deliveries: counting those read every delivery (250-440 ms CPU at
  // 10,000,000 deliveries) and the overview shows only how many campaigns there are and are active.
  const campaigns = listCampaignStatus(ctx);
  return {
    at: now, timeZone: 'UTC', inboundToday: inbound.later, inboundWeek: inbound.since,
    decoysServed: await ctx.store.countServedDecoys(), campaigns: campaigns.length,
    activeCampaigns: campaigns.filter((c) => c.active > 0).length, payloads: ctx.store.listPayloads().length, counters: await ctx.store.counters(),
  };
}
