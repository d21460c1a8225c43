import { z } from '@hono/zod-openapi';

export const ErrorSchema = z.object({ error: z.string() }).openapi('Error');
export const errors = {
  400: { description: 'bad input', content: { 'application/json': { schema: ErrorSchema } } },
  401: { description: 'not logged in', content: { 'application/json': { schema: ErrorSchema } } },
  403: { description: 'role not allowed, or CSRF token missing', content: { 'application/json': { schema: ErrorSchema } } },
  404: { description: 'not found', content: { 'application/json': { schema: ErrorSchema } } },
  409: { description: 'wrong state', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ 200: { description, content: { 'application/json': { schema } } }, ...errors });

/** UTC instant as ISO 8601 in queries, e.g. 2026-12-01T00:00:00Z. */
export const Instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
export const Ip = z.union([z.ipv4(), z.ipv6()]);
export const Purpose = z.string().min(3).max(500).openapi({ description: 'Purpose or case reference (logged, LED Art. 25)' });
export const IdParam = z.object({ id: z.coerce.number().int().min(1).max(2 ** 31).openapi({ param: { name: 'id', in: 'path' } }) });
