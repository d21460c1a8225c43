import type { Context } from './context.ts';
import { requirePermission, type Actor } from './governance.ts';
import { health } from './health.ts';
import { listCampaigns } from './campaigns.ts';

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
  const week = await health(ctx, { hours: 24 * 7, bucketMinutes: 60, decoys: 1, now });
  const sum = (since: number) => week.addresses.reduce((n, a) => n + a.buckets.filter((b) => b.bucketStart >= since).reduce((m, b) => m + b.count, 0), 0);
  const campaigns = listCampaigns(ctx);
  return {
    at: now, timeZone: 'UTC', inboundToday: sum(dayStart), inboundWeek: sum(now - 7 * 86_400_000),
    decoysServed: await ctx.store.countServedDecoys(), campaigns: campaigns.length,
    activeCampaigns: campaigns.filter((c) => c.active > 0).length, payloads: ctx.store.listPayloads().length, counters: await ctx.store.counters(),
  };
}
