import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { accessLogPage, allAccessEntries, verifyAccessLog } from '../../app/access-log.ts';
import { MAX_PAGE, searchDeliveries } from '../../app/consultations.ts';
import { requirePermission } from '../../app/governance.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { Instant, Ip, json, Purpose } from './schemas.ts';

export const DeliveryQuerySchema = z.object({
  ip: Ip.optional(), decoy: z.coerce.number().int().min(1).optional(), since: Instant.optional(), to: Instant.optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(100), cursor: z.string().max(200).optional(), purpose: Purpose,
});

const Delivery = z.object({ sessionId: z.string(), decoyId: z.number(), decoyName: z.string().nullable(), remoteIp: z.string(), remotePort: z.number(), startedAt: z.number(), endedAt: z.number(), bytesServed: z.number(), client: z.string().nullable() }).passthrough().openapi('Delivery');
const Entry = z.object({ seq: z.number(), at: z.number(), user: z.string(), action: z.string(), what: z.string(), purpose: z.string(), prevHash: z.string(), hash: z.string() }).openapi('AccessEntry');

/** Personal data (analysts, with a purpose, logged) and the access log (auditors). */
export function consultRoutes(app: OpenAPIHono<Env>): void {
  app.openapi(createRoute({
    method: 'get', path: '/api/deliveries', summary: 'Search delivery sessions (shows IPs: needs a purpose, logged)', tags: ['consult'],
    middleware: [guard(['consult'])] as const, request: { query: DeliveryQuerySchema },
    responses: json(z.object({ deliveries: z.array(Delivery), next: z.string().nullable() }), 'a page of sessions, oldest first; pass `next` as cursor for the next'),
  }), async (c) => {
    const q = c.req.valid('query');
    const { ctx, g } = c.get('deps');
    const page = await searchDeliveries(ctx, g, c.get('actor')!, {
      ...(q.ip !== undefined ? { ip: q.ip } : {}), ...(q.decoy !== undefined ? { decoyId: q.decoy } : {}), ...(q.since !== undefined ? { since: q.since } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}), ...(q.cursor !== undefined ? { cursor: q.cursor } : {}), limit: q.limit, purpose: q.purpose,
    });
    return c.json({ deliveries: page.deliveries.map((d) => ({ ...d, servedRanges: d.servedRanges.map((r) => ({ ...r })) })), next: page.next }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/access-log', summary: 'The access log (LED Art. 25), a page at a time', tags: ['audit'],
    middleware: [guard(['audit'])] as const,
    request: { query: z.object({ after: z.coerce.number().int().min(0).default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
    responses: json(z.object({ entries: z.array(Entry), next: z.number().nullable(), total: z.number() }), 'entries after `after`'),
  }), (c) => {
    requirePermission(c.get('actor')!, 'audit');
    const q = c.req.valid('query');
    return c.json(accessLogPage(c.get('deps').g, q.after, q.limit), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/access-log/export', summary: 'The whole access log as JSON lines (verify with /api/access-log/verify or offline)', tags: ['audit'],
    middleware: [guard(['audit'])] as const, responses: { 200: { description: 'one entry per line', content: { 'application/x-ndjson': { schema: z.string() } } } },
  }), (c) => {
    requirePermission(c.get('actor')!, 'audit');
    const lines = allAccessEntries(c.get('deps').g);
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        const n = lines.next();
        if (n.done) ctrl.close(); else ctrl.enqueue(new TextEncoder().encode(`${JSON.stringify(n.value)}\n`));
      },
    });
    return c.body(body, 200, { 'content-type': 'application/x-ndjson', 'content-disposition': 'attachment; filename="access-log.jsonl"' }) as never;
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/access-log/verify', summary: 'Check the access log hash chain', tags: ['audit'], middleware: [guard(['audit'])] as const,
    responses: json(z.object({ ok: z.boolean(), entries: z.number(), head: z.string(), problems: z.array(z.string()) }), 'verdict'),
  }), (c) => {
    requirePermission(c.get('actor')!, 'audit');
    return c.json(verifyAccessLog(allAccessEntries(c.get('deps').g)), 200);
  });
}
