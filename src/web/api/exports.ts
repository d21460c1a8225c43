import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { approveExport, exportPackageDir, getExportRequest, listExportRequests, rejectExport, requestExport } from '../../app/export-requests.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { tarAttachment } from '../tar.ts';
import { IdParam, Instant, Ip, json, Purpose } from './schemas.ts';

export const ExportRequestBody = z.object({ ip: Ip.optional(), decoy: z.number().int().min(1).optional(), from: Instant.optional(), to: Instant.optional(), purpose: Purpose });
const RequestView = z.object({ id: z.number(), kind: z.string(), status: z.string(), requestedByName: z.string(), decidedByName: z.string().nullable(), purpose: z.string(), filter: z.record(z.string(), z.unknown()) }).passthrough().openapi('ExportRequest');

/** Evidence export requests with four-eyes approval (issue 13 §5). */
export function exportRoutes(app: OpenAPIHono<Env>): void {
  app.openapi(createRoute({
    method: 'post', path: '/api/exports', summary: 'Request an evidence package (a supervisor must approve it)', tags: ['four-eyes'],
    middleware: [guard(['export:request'])] as const, request: { body: { content: { 'application/json': { schema: ExportRequestBody } }, required: true } },
    responses: json(RequestView, 'the pending request'),
  }), (c) => {
    const b = c.req.valid('json');
    const filter = { ...(b.ip !== undefined ? { ip: b.ip } : {}), ...(b.decoy !== undefined ? { decoyId: b.decoy } : {}), ...(b.from !== undefined ? { from: b.from } : {}), ...(b.to !== undefined ? { to: b.to } : {}) };
    return c.json(requestExport(c.get('deps').g, c.get('actor')!, { filter, purpose: b.purpose }), 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/exports', summary: 'Export requests: your own (analyst) or all (supervisor)', tags: ['four-eyes'],
    middleware: [guard(['export:request', 'approve'])] as const, responses: json(z.object({ requests: z.array(RequestView) }), 'requests, newest first'),
  }), (c) => c.json({ requests: listExportRequests(c.get('deps').g, c.get('actor')!) }, 200));

  app.openapi(createRoute({
    method: 'get', path: '/api/exports/{id}', summary: 'One export request', tags: ['four-eyes'],
    middleware: [guard(['export:request', 'approve'])] as const, request: { params: IdParam }, responses: json(RequestView, 'the request'),
  }), (c) => c.json(getExportRequest(c.get('deps').g, c.get('actor')!, c.req.valid('param').id), 200));

  app.openapi(createRoute({
    method: 'post', path: '/api/exports/{id}/approve', summary: 'Approve (a supervisor other than the requester); writes the package', tags: ['four-eyes'],
    middleware: [guard(['approve'])] as const, request: { params: IdParam }, responses: json(RequestView, 'approved and written'),
  }), async (c) => {
    const { ctx, g } = c.get('deps');
    const { export: _done, ...r } = await approveExport(ctx, g, c.get('actor')!, c.req.valid('param').id);
    return c.json(r, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/api/exports/{id}/reject', summary: 'Reject (a supervisor other than the requester)', tags: ['four-eyes'],
    middleware: [guard(['approve'])] as const, request: { params: IdParam }, responses: json(RequestView, 'rejected'),
  }), (c) => c.json(rejectExport(c.get('deps').g, c.get('actor')!, c.req.valid('param').id), 200));

  app.openapi(createRoute({
    method: 'get', path: '/api/exports/{id}/package', summary: 'Download an approved package as a tar file (logged as a disclosure)', tags: ['four-eyes'],
    middleware: [guard(['export:request'])] as const, request: { params: IdParam },
    responses: { 200: { description: 'ustar archive of the package directory', content: { 'application/x-tar': { schema: z.string() } } } },
  }), (c) => {
    const id = c.req.valid('param').id;
    return tarAttachment(c, exportPackageDir(c.get('deps').g, c.get('actor')!, id), `evidence-${id}`) as never;
  });
}
