import type { MiddlewareHandler } from 'hono';
import { csrfMatches, resolveSession } from '../../app/accounts.ts';
import type { Env, WebDeps } from '../env.ts';
import { sessionToken } from './cookies.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Routes that change state without a session yet: checked by Origin only. */
const NO_SESSION_POSTS = new Set(['/login', '/api/login']);
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

/** A cross-origin request: its Origin (or, without one, its Referer) names another host. */
function crossOrigin(origin: string | undefined, referer: string | undefined, host: string | undefined): boolean {
  const from = origin ?? referer;
  if (from === undefined || from === 'null') return origin === 'null';
  try { return new URL(from).host !== host; } catch { return true; }
}

/**
 * Loads the session from the cookie, and refuses a state-changing request (ASVS 4.2.2, OWASP CSRF
 * cheat sheet) unless it comes from this origin AND carries the session's synchroniser token in
 * the X-CSRF-Token header or the _csrf form field. SameSite=Strict already keeps the cookie off
 * cross-site requests; the token also covers same-site attackers (another port on this host).
 */
export function sessions(deps: WebDeps): MiddlewareHandler<Env> {
  return async (c, next) => {
    c.set('deps', deps);
    const token = sessionToken(c);
    const active = resolveSession(deps.g, token);
    c.set('actor', active?.actor);
    c.set('session', active?.session);
    c.set('token', active ? token : undefined);
    if (!SAFE.has(c.req.method)) {
      if (crossOrigin(c.req.header('origin'), c.req.header('referer'), new URL(c.req.url).host)) return c.json({ error: 'cross-origin request refused (CSRF)' }, 403);
      if (!NO_SESSION_POSTS.has(c.req.path) && active) {
        let presented = c.req.header(CSRF_HEADER);
        if (presented === undefined && (c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
          const form = await c.req.parseBody();
          presented = typeof form[CSRF_FIELD] === 'string' ? form[CSRF_FIELD] : undefined;
        }
        if (!csrfMatches(active.session, presented)) return c.json({ error: 'missing or wrong CSRF token' }, 403);
      }
    }
    await next();
  };
}
