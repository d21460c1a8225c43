import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { call, HOSTILE_NAMES, webFixture, type StoreKind, type WebFixture } from './fixture.ts';

/**
 * Issue 13, done when: "a user who is not logged in can reach nothing but the login page and the
 * public map". Unlike roles.test.ts (a table written by hand), this walks every route the app has
 * registered, so a page or API route added later is walked too, and must be closed to anonymous
 * users unless it is one of these (the login page's stylesheet counts as the login page):
 */
const PUBLIC = (method: string, path: string): boolean =>
  (['/login', '/api/login'].includes(path) && (method === 'GET' || method === 'POST') && !(path === '/api/login' && method === 'GET'))
  || (method === 'GET' && ['/map', '/map.svg', '/api/public-map'].includes(path))
  || (method === 'GET' && path.startsWith('/assets/'));

/** A concrete path for a route pattern: ids and names filled in (`:id{[0-9]+}` -> 1, `:name` -> anna). */
const concrete = (pattern: string): string => pattern.replace(/:(\w+)(\{[^}]*\})?/g, (_m, name: string) => (/id$/i.test(name) ? '1' : 'anna'));

/** What an anonymous response must never carry: the fixture's addresses and decoy names. */
const PERSONAL = [/198\.18\.0\.1[123]/, ...HOSTILE_NAMES.map((n) => new RegExp(n.slice(0, 12).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))];

const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`anonymous users: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  before(async () => { f = await webFixture({ store: kind }); });
  after(async () => { await f?.close(); });

  it('every registered route, without a session (none, or a forged cookie), is refused unless it is the login page or the public map', async () => {
    const routes = [...new Map(f.app.routes.filter((r) => r.method !== 'ALL').map((r) => [`${r.method} ${r.path}`, r])).values()];
    assert.ok(routes.length >= 50, `${routes.length} routes registered`);
    const problems: string[] = [];
    const reached: string[] = [];
    for (const r of routes) {
      const path = concrete(r.path);
      for (const cookie of [undefined, '__Host-counterseed-session=forged-token']) {
        const extra: Record<string, string> = { ...(cookie ? { cookie } : {}), ...(r.method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) };
        const res = await call(f.app, r.method, `${path}?purpose=case-1&ip=198.18.0.11`, undefined, undefined, extra);
        const body = await res.text();
        const leaked = PERSONAL.filter((p) => p.test(body));
        if (leaked.length) problems.push(`${r.method} ${path}: ${res.status} shows ${leaked.join(', ')}`);
        if (PUBLIC(r.method, r.path)) { if (!cookie) reached.push(`${r.method} ${r.path}`); continue; }
        const refused = path.startsWith('/api/') ? res.status === 401 : res.status === 302 && res.headers.get('location') === '/login';
        if (!refused) problems.push(`${r.method} ${path}${cookie ? ' (forged cookie)' : ''}: ${res.status}, expected ${path.startsWith('/api/') ? '401' : 'a redirect to /login'}`);
      }
    }
    assert.deepEqual(problems, []);
    // The public routes are there and answer (the walk did reach them).
    for (const want of ['GET /login', 'GET /map', 'GET /api/public-map']) assert.ok(reached.includes(want), `${want} in ${reached.join(', ')}`);
    for (const p of ['/login', '/map', '/api/public-map']) assert.equal((await call(f.app, 'GET', p)).status, 200, p);
  });

  it('unknown paths answer 404 or the login redirect, with nothing of the data', async () => {
    for (const p of ['/api/nope', '/nope', '/api/exports/1/../../users', '/dossier/../api/users', '/%2e%2e/api/users']) {
      const res = await call(f.app, 'GET', p);
      const body = await res.text();
      assert.ok([401, 404, 302].includes(res.status), `${p}: ${res.status}`);
      assert.equal(PERSONAL.some((x) => x.test(body)), false, p);
    }
  });
});
