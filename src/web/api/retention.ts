import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import {
  approveRetentionRequest, listHolds, listRetentionRequests, placeHold, rejectRetentionRequest, requestErasure, requestHoldRelease,
} from '../../app/retention.ts';
import { retentionReviewReused } from '../../app/retention-alert.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { IdParam, Ip, json, Purpose } from './schemas.ts';

const Category = z.object({ category: z.string(), label: z.string(), setting: z.string(), days: z.number(), cutoff: z.number(), due: z.number(), held: z.number(), oldestDue: z.number().nullable() });
const Review = z.object({
  at: z.number(), timeZone: z.literal('UTC'), categories: z.array(Category), activeHolds: z.number(), erasedRecords: z.number(), pendingRequests: z.number(), approvedErasures: z.number(),
  centre: z.object({ categories: z.array(z.object({ category: z.string(), due: z.number() })) }).optional()
    .openapi({ description: 'At a centre: per category, the records nodes shipped that the erasure job would erase now' }),
  reused: z.boolean().openapi({ description: 'true: counted earlier (at `at`, under a minute ago) and reused; ask with fresh=1 to count now' }),
}).openapi('RetentionReview');
const Hold = z.object({ id: z.number(), ip: z.string(), caseRef: z.string(), placedBy: z.string(), placedAt: z.number(), releasedBy: z.string().nullable(), releasedAt: z.number().nullable() }).openapi('LegalHold');
const Request = z.object({ id: z.number(), kind: z.string(), status: z.string(), ip: z.string(), holdId: z.number().nullable(), purpose: z.string(), requestedByName: z.string(), decidedByName: z.string().nullable() }).passthrough().openapi('RetentionRequest');

/** Retention review, legal holds, and the four-eyes requests to release a hold or erase early (issue 13 §5, §7). */
export function retentionRoutes(app: OpenAPIHono<Env>): void {
  app.openapi(createRoute({
    method: 'get', path: '/api/retention', summary: 'Periodic review: per category, its retention period, what is due for erasure and what legal holds keep (counts only); up to a minute old unless fresh=1, `reused` says which', tags: ['retention'],
    middleware: [guard(['retention'])] as const, request: { query: z.object({ fresh: z.enum(['0', '1']).optional() }) }, responses: json(Review, 'the review'),
  }), (c) => {
    const { ctx, g } = c.get('deps');
    const { review: { centre, ...r }, reused } = retentionReviewReused(ctx, g, c.get('actor')!, { fresh: c.req.valid('query').fresh === '1' });
    return c.json({ ...r, categories: r.categories.map((x) => ({ ...x })), ...(centre ? { centre: { categories: centre.categories.map((x) => ({ ...x })) } } : {}), reused }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/holds', summary: 'Active legal holds (names addresses: logged)', tags: ['retention'],
    middleware: [guard(['retention'])] as const, responses: json(z.object({ holds: z.array(Hold) }), 'active holds'),
  }), (c) => c.json({ holds: listHolds(c.get('deps').g, c.get('actor')!) }, 200));

  app.openapi(createRoute({
    method: 'post', path: '/api/holds', summary: 'Place a legal hold on an address: the erasure job keeps its records', tags: ['retention'],
    middleware: [guard(['retention'])] as const, request: { body: { content: { 'application/json': { schema: z.object({ ip: Ip, caseRef: Purpose }) } }, required: true } },
    responses: json(Hold, 'the hold'),
  }), (c) => c.json(placeHold(c.get('deps').g, c.get('actor')!, c.req.valid('json')), 200));

  app.openapi(createRoute({
    method: 'post', path: '/api/holds/{id}/release', summary: 'Ask to release a legal hold (a supervisor other than you must approve)', tags: ['retention'],
    middleware: [guard(['retention'])] as const, request: { params: IdParam, body: { content: { 'application/json': { schema: z.object({ purpose: Purpose }) } }, required: true } },
    responses: json(Request, 'the pending request'),
  }), (c) => c.json(requestHoldRelease(c.get('deps').g, c.get('actor')!, { holdId: c.req.valid('param').id, purpose: c.req.valid('json').purpose }), 200));

  app.openapi(createRoute({
    method: 'post', path: '/api/erasures', summary: 'Ask to erase every record of an address before its retention period ends (four-eyes; refused under legal hold)', tags: ['retention'],
    middleware: [guard(['retention'])] as const, request: { body: { content: { 'application/json': { schema: z.object({ ip: Ip, purpose: Purpose }) } }, required: true } },
    responses: json(Request, 'the pending request'),
  }), (c) => c.json(requestErasure(c.get('deps').g, c.get('actor')!, c.req.valid('json')), 200));

  app.openapi(createRoute({
    method: 'get', path: '/api/retention/requests', summary: 'Hold-release and erasure requests: your own (analyst) or all (supervisor)', tags: ['retention'],
    middleware: [guard(['retention'])] as const, responses: json(z.object({ requests: z.array(Request) }), 'requests, newest first'),
  }), (c) => c.json({ requests: listRetentionRequests(c.get('deps').g, c.get('actor')!) }, 200));

  app.openapi(createRoute({
    method: 'post', path: '/api/retention/requests/{id}/approve', summary: 'Approve (a supervisor other than the requester): a release takes effect now, an erasure at the next erasure job', tags: ['retention'],
    middleware: [guard(['approve'])] as const, request: { params: IdParam }, responses: json(Request, 'approved'),
  }), (c) => c.json(approveRetentionRequest(c.get('deps').g, c.get('actor')!, c.req.valid('param').id), 200));

  app.openapi(createRoute({
    method: 'post', path: '/api/retention/requests/{id}/reject', summary: 'Reject (a supervisor other than the requester)', tags: ['retention'],
    middleware: [guard(['approve'])] as const, request: { params: IdParam }, responses: json(Request, 'rejected'),
  }), (c) => c.json(rejectRetentionRequest(c.get('deps').g, c.get('actor')!, c.req.valid('param').id), 200));
}
