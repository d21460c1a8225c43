import type { MiddlewareHandler } from 'hono';
import { may, type Permission } from '../../app/governance.ts';
import type { Env } from '../env.ts';

/**
 * Who may reach a route: 'public' (anyone: login, the public map), 'any' (any logged-in user), or
 * the permissions of which the actor's role needs one (app/governance.ts PERMISSIONS).
 * Anonymous: 401 for the API, a redirect to /login for pages. Wrong role: 403.
 */
export type Access = 'public' | 'any' | readonly Permission[];

export function guard(access: Access): MiddlewareHandler<Env> {
  return async (c, next) => {
    if (access === 'public') return next();
    const actor = c.get('actor');
    const api = c.req.path.startsWith('/api/');
    if (!actor) return api ? c.json({ error: 'log in first' }, 401) : c.redirect('/login', 302);
    if (access !== 'any' && !access.some((p) => may(actor.role, p))) {
      return api ? c.json({ error: `role ${actor.role} may not use this` }, 403) : c.html('<!doctype html><title>Forbidden</title><h1>403: your role may not open this page</h1><p><a href="/">back</a></p>', 403);
    }
    return next();
  };
}
