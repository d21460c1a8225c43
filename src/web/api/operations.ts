import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { listCampaigns } from '../../app/campaigns.ts';
import { requirePermission } from '../../app/governance.ts';
import { health } from '../../app/health.ts';
import { overview } from '../../app/overview.ts';
import { listPayloads } from '../../app/payloads.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { json } from './schemas.ts';

const OverviewSchema = z.object({
  at: z.number(), timeZone: z.literal('UTC'), inboundToday: z.number(), inboundWeek: z.number(), decoysServed: z.number(),
  campaigns: z.number(), activeCampaigns: z.number(), payloads: z.number(), counters: z.record(z.string(), z.number()),
}).openapi('Overview');

/** Overview (no personal data) and the operator's views: campaigns, payloads, node health. */
export function operationRoutes(app: OpenAPIHono<Env>): void {
  app.openapi(createRoute({
    method: 'get', path: '/api/overview', summary: 'Counts for the overview page (UTC, no personal data)', tags: ['overview'],
    middleware: [guard(['overview'])] as const, responses: json(OverviewSchema, 'counts'),
  }), async (c) => c.json(await overview(c.get('deps').ctx, c.get('actor')!, c.get('deps').g.now()), 200));

  app.openapi(createRoute({
    method: 'get', path: '/api/campaigns', summary: 'Campaigns with planned, active and retired decoys', tags: ['operate'],
    middleware: [guard(['operate'])] as const,
    responses: json(z.object({ campaigns: z.array(z.object({ id: z.number(), name: z.string(), perDay: z.number(), ttlDays: z.number(), planned: z.number(), active: z.number(), retired: z.number(), deliveries: z.number() }).passthrough()) }), 'campaigns'),
  }), (c) => {
    requirePermission(c.get('actor')!, 'operate');
    return c.json({ campaigns: listCampaigns(c.get('deps').ctx) }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/payloads', summary: 'Registered warning payloads', tags: ['operate'], middleware: [guard(['operate'])] as const,
    responses: json(z.object({ payloads: z.array(z.object({ id: z.string() }).passthrough()) }), 'payloads'),
  }), (c) => {
    requirePermission(c.get('actor')!, 'operate');
    return c.json({ payloads: listPayloads(c.get('deps').ctx).map((p) => ({ ...p })) }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/node-health', summary: 'Inbound connections per local address and the quietest decoys', tags: ['operate'],
    middleware: [guard(['operate'])] as const,
    request: { query: z.object({ hours: z.coerce.number().int().min(1).max(24 * 366).default(24), bucket: z.coerce.number().int().min(1).max(1440).default(60), decoys: z.coerce.number().int().min(1).max(500).default(20) }) },
    responses: json(z.object({ now: z.number(), since: z.number(), bucketMs: z.number(),
      addresses: z.array(z.object({ localIp: z.string(), total: z.number(), lastAt: z.number(), buckets: z.array(z.object({ bucketStart: z.number(), count: z.number() })) })),
      decoys: z.array(z.object({ decoyId: z.number(), infoHash: z.string(), name: z.string(), inbound: z.number(), lastInboundAt: z.number().nullable(), presence: z.number() })) }), 'node health'),
  }), async (c) => {
    requirePermission(c.get('actor')!, 'operate');
    const q = c.req.valid('query');
    const h = await health(c.get('deps').ctx, { hours: q.hours, bucketMinutes: q.bucket, decoys: q.decoys, now: c.get('deps').g.now() });
    return c.json({ ...h, addresses: h.addresses.map((a) => ({ ...a, buckets: a.buckets.map((b) => ({ ...b })) })), decoys: h.decoys.map((d) => ({ ...d })) }, 200);
  });
}
