import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { login, logout, SESSION_MS } from '../../app/accounts.ts';
import { PERMISSIONS } from '../../app/governance.ts';
import { clearSessionCookie, setSessionCookie } from '../auth/cookies.ts';
import { guard } from '../auth/guard.ts';
import type { LoginGate } from '../auth/throttle.ts';
import type { Env } from '../env.ts';
import { json } from './schemas.ts';

const Me = z.object({ username: z.string(), role: z.string(), permissions: z.array(z.string()), csrfToken: z.string() }).openapi('Me');
const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024), totp: z.string().max(10).optional() });

export const clientAddress = (c: { env: unknown }): string => (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket?.remoteAddress ?? 'local';

export function authRoutes(app: OpenAPIHono<Env>, throttle: LoginGate): void {
  app.openapi(createRoute({
    method: 'post', path: '/api/login', summary: 'Log in: sets the session cookie, returns the CSRF token', tags: ['session'],
    request: { body: { content: { 'application/json': { schema: LoginBody } }, required: true } },
    responses: { ...json(Me, 'logged in'), 429: { description: 'too many attempts' } },
  }), async (c) => {
    const { g } = c.get('deps');
    if (!(await throttle.allow(clientAddress(c), g.now()))) return c.json({ error: 'too many login attempts from this address: wait a minute' }, 429) as never;
    const s = await login(g, c.req.valid('json'));
    // A new token every login: a token planted before login is never the session (fixation).
    setSessionCookie(c, s.token, Math.floor(SESSION_MS / 1000));
    return c.json({ username: s.actor.username, role: s.actor.role, permissions: [...PERMISSIONS[s.actor.role]], csrfToken: s.csrfToken }, 200);
  });

  app.openapi(createRoute({
    method: 'post', path: '/api/logout', summary: 'End the session', tags: ['session'], middleware: [guard('any')] as const,
    responses: json(z.object({ ok: z.boolean() }), 'logged out'),
  }), (c) => {
    logout(c.get('deps').g, c.get('token'));
    clearSessionCookie(c);
    return c.json({ ok: true }, 200);
  });

  app.openapi(createRoute({
    method: 'get', path: '/api/me', summary: 'Who is logged in, with the CSRF token for state-changing calls', tags: ['session'], middleware: [guard('any')] as const,
    responses: json(Me, 'the current user'),
  }), (c) => {
    const a = c.get('actor')!;
    return c.json({ username: a.username, role: a.role, permissions: [...PERMISSIONS[a.role]], csrfToken: c.get('session')!.csrfToken }, 200);
  });
}
