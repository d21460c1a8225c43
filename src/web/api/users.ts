import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { addUser, disableUser, listUsers, resetUser } from '../../app/accounts.ts';
import { requirePermission, ROLES } from '../../app/governance.ts';
import { guard } from '../auth/guard.ts';
import type { Env } from '../env.ts';
import { json } from './schemas.ts';

const UserView = z.object({ id: z.number(), username: z.string(), role: z.string(), disabled: z.boolean(), totp: z.boolean(), lockedUntil: z.number().nullable(), createdAt: z.number() }).openapi('User');
const NameParam = z.object({ name: z.string().max(63).openapi({ param: { name: 'name', in: 'path' } }) });

/** Account management (admin only). */
export function userRoutes(app: OpenAPIHono<Env>): void {
  app.openapi(createRoute({
    method: 'get', path: '/api/users', summary: 'Accounts', tags: ['users'], middleware: [guard(['users'])] as const,
    responses: json(z.object({ users: z.array(UserView) }), 'accounts'),
  }), (c) => { requirePermission(c.get('actor')!, 'users'); return c.json({ users: listUsers(c.get('deps').g) }, 200); });

  app.openapi(createRoute({
    method: 'post', path: '/api/users', summary: 'Add an account', tags: ['users'], middleware: [guard(['users'])] as const,
    request: { body: { content: { 'application/json': { schema: z.object({ username: z.string().max(63), role: z.enum(ROLES as [string, ...string[]]), password: z.string().max(1024), totp: z.boolean().optional() }) } }, required: true } },
    responses: json(z.object({ account: UserView, totpSecret: z.string().nullable() }), 'added'),
  }), async (c) => { requirePermission(c.get('actor')!, 'users'); return c.json(await addUser(c.get('deps').g, c.req.valid('json')), 200); });

  app.openapi(createRoute({
    method: 'post', path: '/api/users/{name}/disable', summary: 'Disable an account and end its sessions', tags: ['users'], middleware: [guard(['users'])] as const,
    request: { params: NameParam }, responses: json(UserView, 'disabled'),
  }), (c) => { requirePermission(c.get('actor')!, 'users'); return c.json(disableUser(c.get('deps').g, c.req.valid('param').name), 200); });

  app.openapi(createRoute({
    method: 'post', path: '/api/users/{name}/reset', summary: 'Set a new password (unlocks, re-enables, ends sessions)', tags: ['users'], middleware: [guard(['users'])] as const,
    request: { params: NameParam, body: { content: { 'application/json': { schema: z.object({ password: z.string().max(1024), totp: z.boolean().optional() }) } }, required: true } },
    responses: json(z.object({ account: UserView, totpSecret: z.string().nullable() }), 'reset'),
  }), async (c) => { requirePermission(c.get('actor')!, 'users'); return c.json(await resetUser(c.get('deps').g, { username: c.req.valid('param').name, ...c.req.valid('json') }), 200); });
}
