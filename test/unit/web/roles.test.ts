import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { call, loginAs, USERS, webFixture, type StoreKind, type WebFixture } from './fixture.ts';
import { addIssue14Data } from './fixture-issue14.ts';

type Who = 'anonymous' | 'operator' | 'analyst' | 'supervisor' | 'auditor' | 'admin';
const WHO: readonly Who[] = ['anonymous', 'operator', 'analyst', 'supervisor', 'auditor', 'admin'];

/**
 * THE access table (issue 13 §4): every route, and who may use it. Written out by hand, apart from
 * the code's permission table, so a change to either shows up here. "public" = anyone, "any" =
 * any logged-in user. A denied logged-in user gets 403; anonymous gets 401 (API) or a redirect to /login.
 */
const ROUTES: readonly { method: string; path: string; allow: 'public' | 'any' | readonly Who[]; body?: unknown }[] = [
  { method: 'POST', path: '/api/login', allow: 'public', body: { username: 'nobody', password: 'x' } },
  { method: 'GET', path: '/api/me', allow: 'any' },
  { method: 'GET', path: '/api/openapi.json', allow: 'any' },
  { method: 'GET', path: '/api/docs', allow: 'any' },
  { method: 'GET', path: '/api/overview', allow: ['operator', 'analyst', 'supervisor'] },
  { method: 'GET', path: '/api/campaigns', allow: ['operator'] },
  { method: 'GET', path: '/api/payloads', allow: ['operator'] },
  { method: 'GET', path: '/api/node-health', allow: ['operator'] },
  { method: 'GET', path: '/api/deliveries?purpose=case-1', allow: ['analyst'] },
  { method: 'GET', path: '/api/access-log', allow: ['auditor'] },
  { method: 'GET', path: '/api/access-log/export', allow: ['auditor'] },
  { method: 'GET', path: '/api/access-log/verify', allow: ['auditor'] },
  { method: 'POST', path: '/api/exports', allow: ['analyst'], body: { ip: '198.18.0.11', purpose: 'case-1' } },
  { method: 'GET', path: '/api/exports', allow: ['analyst', 'supervisor'] },
  { method: 'GET', path: '/api/exports/999', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/api/exports/999/approve', allow: ['supervisor'] },
  { method: 'POST', path: '/api/exports/999/reject', allow: ['supervisor'] },
  { method: 'GET', path: '/api/exports/999/package', allow: ['analyst'] },
  { method: 'GET', path: '/api/retention', allow: ['analyst', 'supervisor'] },
  { method: 'GET', path: '/api/holds', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/api/holds', allow: ['analyst', 'supervisor'], body: { ip: 'not-an-ip', caseRef: 'case-1' } },
  { method: 'POST', path: '/api/holds/999/release', allow: ['analyst', 'supervisor'], body: { purpose: 'case-1' } },
  { method: 'POST', path: '/api/erasures', allow: ['analyst', 'supervisor'], body: { ip: 'not-an-ip', purpose: 'case-1' } },
  { method: 'GET', path: '/api/retention/requests', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/api/retention/requests/999/approve', allow: ['supervisor'] },
  { method: 'POST', path: '/api/retention/requests/999/reject', allow: ['supervisor'] },
  { method: 'GET', path: '/api/dossier?ip=198.18.0.11&purpose=case-1', allow: ['analyst'] },
  { method: 'GET', path: '/api/cohorts', allow: ['operator', 'analyst', 'supervisor'] },
  { method: 'GET', path: '/api/public-map', allow: 'public' },
  { method: 'GET', path: '/api/users', allow: ['admin'] },
  { method: 'POST', path: '/api/users', allow: ['admin'], body: { username: 'x', role: 'nope', password: 'short' } },
  { method: 'POST', path: '/api/users/nobody/disable', allow: ['admin'] },
  { method: 'POST', path: '/api/users/nobody/reset', allow: ['admin'], body: { password: 'short' } },
  { method: 'GET', path: '/login', allow: 'public' },
  { method: 'POST', path: '/login', allow: 'public' },
  { method: 'GET', path: '/map', allow: 'public' },
  { method: 'GET', path: '/assets/app.css', allow: 'public' },
  { method: 'GET', path: '/map.svg', allow: 'public' },
  { method: 'GET', path: '/dossier', allow: ['analyst'] },
  { method: 'GET', path: '/intel/map', allow: ['operator', 'analyst', 'supervisor'] },
  { method: 'GET', path: '/intel/deterrence', allow: ['operator', 'analyst', 'supervisor'] },
  { method: 'GET', path: '/', allow: ['operator', 'analyst', 'supervisor'] },
  { method: 'GET', path: '/deliveries', allow: ['analyst'] },
  { method: 'GET', path: '/campaigns', allow: ['operator'] },
  { method: 'GET', path: '/health', allow: ['operator'] },
  { method: 'GET', path: '/audit', allow: ['auditor'] },
  { method: 'GET', path: '/exports', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/exports', allow: ['analyst'] },
  { method: 'POST', path: '/exports/999/approve', allow: ['supervisor'] },
  { method: 'POST', path: '/exports/999/reject', allow: ['supervisor'] },
  { method: 'GET', path: '/retention', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/retention/holds', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/retention/holds/999/release', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/retention/erasures', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/retention/requests/999/approve', allow: ['supervisor'] },
  { method: 'POST', path: '/retention/requests/999/reject', allow: ['supervisor'] },
  { method: 'GET', path: '/api/sources', allow: ['analyst'] },
  { method: 'GET', path: '/api/sources/matches?purpose=case-1', allow: ['analyst'] },
  { method: 'GET', path: '/api/risk?purpose=case-1', allow: ['analyst', 'supervisor'] },
  { method: 'GET', path: '/api/risk/working?ip=198.18.0.11&purpose=case-1', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/api/risk/review', allow: ['analyst', 'supervisor'], body: { ip: 'not-an-ip', reason: 'checked' } },
  { method: 'GET', path: '/api/referrals/alerts', allow: ['analyst', 'supervisor'] },
  { method: 'GET', path: '/api/referrals/due?purpose=case-1', allow: ['analyst', 'supervisor'] },
  { method: 'GET', path: '/api/referrals', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/api/referrals/requests', allow: ['analyst'], body: { agency: 'nobody', purpose: 'case-1' } },
  { method: 'POST', path: '/api/referrals/requests/999/approve', allow: ['supervisor'] },
  { method: 'POST', path: '/api/referrals/requests/999/reject', allow: ['supervisor'] },
  { method: 'GET', path: '/api/cases', allow: ['analyst'] },
  { method: 'GET', path: '/api/cases/case-7', allow: ['analyst'] },
  { method: 'GET', path: '/sources', allow: ['analyst'] },
  { method: 'GET', path: '/risk', allow: ['analyst', 'supervisor'] },
  { method: 'GET', path: '/risk/working?ip=198.18.0.11&purpose=case-1', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/risk/review', allow: ['analyst', 'supervisor'] },
  { method: 'GET', path: '/referrals', allow: ['analyst', 'supervisor'] },
  { method: 'POST', path: '/referrals/requests', allow: ['analyst'] },
  { method: 'POST', path: '/referrals/requests/999/approve', allow: ['supervisor'] },
  { method: 'POST', path: '/referrals/requests/999/reject', allow: ['supervisor'] },
  { method: 'GET', path: '/referrals/requests/999/package', allow: ['analyst'] },
  { method: 'GET', path: '/cases', allow: ['analyst'] },
  { method: 'GET', path: '/cases/view?id=case-7', allow: ['analyst'] },
  { method: 'POST', path: '/api/logout', allow: 'any' },
  { method: 'POST', path: '/logout', allow: 'any' },
];

/** The table holds on each store: the same routes, the same answers (`serve --store postgres://…`). */
const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`roles: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  before(async () => { f = await webFixture({ store: kind }); await addIssue14Data(f); });
  after(async () => { await f?.close(); });

  it('the table names every route the app has', () => {
    const norm = (p: string) => p.replace(/\?.*$/, '').replace(/\/999(?=\/|$)/, '/:id').replace(/\/nobody\//, '/:name/').replace(/\/api\/cases\/case-7$/, '/api/cases/:id');
    const listed = new Set(ROUTES.map((r) => `${r.method} ${norm(r.path)}`));
    const have = new Set(f.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path.replace(/\{[^}]+\}/g, '').replace(/\/:id$/, '/:id')}`));
    const missing = [...have].filter((r) => !listed.has(r.replace(/\/:id\{\[0-9\]\+\}/, '/:id')));
    assert.deepEqual(missing, []);
  });

  it('every route as every role and anonymous: allowed or denied as the table says', async () => {
    const problems: string[] = [];
    for (const who of WHO) {
      // One login per role (argon2id costs ~0.3 s); the logout routes run last, each with a session of its own.
      const shared = who === 'anonymous' ? undefined : await loginAs(f.app, USERS[who]);
      for (const r of ROUTES) {
        const s = who !== 'anonymous' && r.path.endsWith('/logout') ? await loginAs(f.app, USERS[who]) : shared;
        const res = await call(f.app, r.method, r.path, s, r.body, r.method === 'POST' && r.body === undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {});
        const allowed = r.allow === 'public' || (r.allow === 'any' ? who !== 'anonymous' : r.allow.includes(who));
        const status = res.status;
        const toLogin = status === 302 && res.headers.get('location') === '/login';
        // Denial is 401 (API) or a redirect to /login for anonymous, 403 for a logged-in role. A public
        // login route answers 401 to the wrong password in the table: that is the route working.
        const denied = who === 'anonymous' && r.allow !== 'public' ? (r.path.startsWith('/api/') ? status === 401 : toLogin) : status === 403;
        const refused = status === 403 || toLogin || (status === 401 && r.allow !== 'public');
        if (allowed && refused) problems.push(`${who} ${r.method} ${r.path}: should be allowed, got ${status}`);
        if (status >= 500) problems.push(`${who} ${r.method} ${r.path}: server error ${status}`);
      if (!allowed && !denied) problems.push(`${who} ${r.method} ${r.path}: should be denied, got ${status}`);
      }
    }
    assert.deepEqual(problems, []);
  });
});
