import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { addUser, MAX_FAILED_LOGINS } from '../../../src/app/accounts.ts';
import { base32Decode, totp } from '../../../src/app/totp.ts';
import { createWebApp } from '../../../src/web/app.ts';
import { esc } from '../../../src/web/pages/html.ts';
import { call, HOSTILE_NAMES, loginAs, PASSWORD, USERS, webFixture, type WebFixture } from './fixture.ts';

let f: WebFixture;
let clock = Date.now();
before(async () => { f = await webFixture({ now: () => clock }); });
after(async () => { await f.close(); });

const HOST = 'http://127.0.0.1:8080';
const formLogin = (app: WebFixture['app'], username: string, password: string, extra: Record<string, string> = {}) => app.request(`${HOST}/login`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: HOST, ...extra }, body: new URLSearchParams({ username, password }).toString(),
});

it('brute force: the account locks after 5 failures, even for the right password, until the lock ends', async () => {
  await addUser(f.g, { username: 'victim', role: 'analyst', password: PASSWORD });
  for (let i = 0; i < MAX_FAILED_LOGINS; i++) assert.equal((await call(f.app, 'POST', '/api/login', undefined, { username: 'victim', password: `guess-${i}` })).status, 401);
  const locked = await call(f.app, 'POST', '/api/login', undefined, { username: 'victim', password: PASSWORD });
  assert.equal(locked.status, 429, 'locked: the right password is refused too');
  assert.ok(Number(locked.headers.get('retry-after')) > 0);
  clock += 16 * 60_000;
  assert.equal((await call(f.app, 'POST', '/api/login', undefined, { username: 'victim', password: PASSWORD })).status, 200, 'after the lock');
});

it('brute force in parallel: attempts made at once get MAX_FAILED_LOGINS password checks, not one each (old code: 20 of 20)', async () => {
  await addUser(f.g, { username: 'victim2', role: 'analyst', password: PASSWORD });
  const app = createWebApp({ ctx: f.ctx, g: f.g, loginPerMinute: 1000 });
  const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => call(app, 'POST', '/api/login', undefined, { username: 'victim2', password: `guess-${i}` }).then((r) => r.status)));
  assert.equal(statuses.filter((s) => s === 401).length, MAX_FAILED_LOGINS, `statuses: ${statuses.join(' ')}`);
  assert.equal(statuses.filter((s) => s === 429).length, 20 - MAX_FAILED_LOGINS);
  assert.ok(f.g.gov.accounts.byName('victim2')!.lockedUntil! > clock, 'locked');
});

it('brute force across accounts: one client address is throttled per minute', async () => {
  const app = createWebApp({ ctx: f.ctx, g: f.g, loginPerMinute: 3 });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await formLogin(app, `nobody-${i}`, 'x')).status);
  assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
});

it('session fixation: a cookie planted before login is not the session after it', async () => {
  const planted = '__Host-counterseed-session=attacker-chosen-token';
  const res = await formLogin(f.app, USERS.analyst, PASSWORD, { cookie: planted });
  assert.equal(res.status, 303);
  const issued = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  assert.notEqual(issued, planted);
  assert.match(res.headers.get('set-cookie')!, /HttpOnly/i);
  assert.match(res.headers.get('set-cookie')!, /Secure/i);
  assert.match(res.headers.get('set-cookie')!, /SameSite=Strict/i);
  assert.equal((await call(f.app, 'GET', '/api/me', { cookie: planted, csrf: '' })).status, 401, 'the planted token opens nothing');
  assert.equal((await call(f.app, 'GET', '/api/me', { cookie: issued, csrf: '' })).status, 200);
});

it('CSRF: a write without the token, with a wrong token, or from another origin is refused', async () => {
  const anna = await loginAs(f.app, USERS.analyst);
  const body = { ip: '198.18.0.11', purpose: 'case-csrf' };
  assert.equal((await call(f.app, 'POST', '/api/exports', { cookie: anna.cookie, csrf: 'wrong' }, body)).status, 403);
  const noToken = await f.app.request(`${HOST}/api/exports`, { method: 'POST', headers: { cookie: anna.cookie, origin: HOST, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(noToken.status, 403);
  assert.equal((await call(f.app, 'POST', '/api/exports', anna, body, { origin: 'https://evil.example' })).status, 403, 'another origin, even with the token');
  const form = await f.app.request(`${HOST}/exports`, { method: 'POST', headers: { cookie: anna.cookie, origin: HOST, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ip: '198.18.0.11', purpose: 'case-csrf' }).toString() });
  assert.equal(form.status, 403, 'a form post without _csrf');
  const good = await f.app.request(`${HOST}/exports`, { method: 'POST', headers: { cookie: anna.cookie, origin: HOST, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ip: '198.18.0.11', purpose: 'case-csrf', _csrf: anna.csrf }).toString() });
  assert.equal(good.status, 303, 'with _csrf');
});

it('XSS: hostile decoy names and parameters come out escaped on every page that shows them', async () => {
  const anna = await loginAs(f.app, USERS.analyst);
  const purpose = '<script>alert(2)</script>';
  const res = await call(f.app, 'GET', `/deliveries?purpose=${encodeURIComponent(purpose)}&ip=${encodeURIComponent('"><svg onload=alert(3)>')}`, anna);
  // The page's form echoes both parameters back.
  const page = await res.text();
  assert.ok(!page.includes('<script>alert'), 'no live script from the purpose');
  assert.ok(!page.includes('<svg onload'), 'no live markup from the ip parameter');
  assert.ok(page.includes(esc(purpose)), 'the purpose is shown, escaped');
  const all = await (await call(f.app, 'GET', '/deliveries?purpose=case-xss', anna)).text();
  for (const n of HOSTILE_NAMES) assert.ok(all.includes(`<bdi>${esc(n)}</bdi>`), `escaped and isolated: ${n.slice(0, 40)}`);
  assert.ok(!all.includes('<script>alert("x")'));
  assert.ok(!all.includes('<img src=x'));
  const aud = await loginAs(f.app, USERS.auditor);
  const audit = await (await call(f.app, 'GET', '/audit', aud)).text();
  assert.ok(!audit.includes('<script>alert(2)'), 'the logged purpose is escaped on the audit page');
  assert.ok(audit.includes(esc(purpose)));
  // The dossier lists the address's deliveries with their decoy names; its purpose and the retention page's case references are echoed.
  const dossierPage = await (await call(f.app, 'GET', `/dossier?ip=198.18.0.11&purpose=${encodeURIComponent(purpose)}`, anna)).text();
  for (const n of HOSTILE_NAMES) assert.ok(dossierPage.includes(`<bdi>${esc(n)}</bdi>`), `dossier: ${n.slice(0, 40)}`);
  assert.ok(!dossierPage.includes('<script>alert') && !dossierPage.includes('<img src=x'), 'dossier: no live markup');
  assert.equal((await call(f.app, 'POST', '/api/holds', anna, { ip: '198.18.0.12', caseRef: '<img src=x onerror=alert(4)>' })).status, 200);
  const retentionPage = await (await call(f.app, 'GET', '/retention', anna)).text();
  assert.ok(!retentionPage.includes('<img src=x') && retentionPage.includes(esc('<img src=x onerror=alert(4)>')), 'retention: the case reference is escaped');
  assert.equal((await call(f.app, 'GET', `/intel/map?week=${encodeURIComponent('"><script>')}`, anna)).status, 400, 'a hostile week parameter is bad input');
  // The operator's node-health page lists the quietest decoys by name.
  const olga = await loginAs(f.app, USERS.operator);
  const healthPage = await (await call(f.app, 'GET', '/health', olga)).text();
  for (const n of HOSTILE_NAMES) assert.ok(healthPage.includes(`<bdi>${esc(n)}</bdi>`), `health page: ${n.slice(0, 40)}`);
  assert.ok(!healthPage.includes('<script>alert'));
  const csp = res.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'/, 'and no inline script would run anyway');
});

it('SQL injection: quotes and SQL in every input are data, not SQL', async () => {
  const anna = await loginAs(f.app, USERS.analyst);
  const inj = "' OR 1=1; DROP TABLE web_accounts; --";
  assert.equal((await call(f.app, 'GET', `/api/deliveries?purpose=${encodeURIComponent(inj)}&ip=${encodeURIComponent(inj)}`, anna)).status, 400, 'not an IP');
  const r = await call(f.app, 'GET', `/api/deliveries?purpose=${encodeURIComponent(inj)}`, anna);
  assert.equal(r.status, 200);
  assert.equal((await call(f.app, 'POST', '/api/login', undefined, { username: inj, password: inj })).status, 401);
  assert.equal((await call(f.app, 'POST', '/api/login', undefined, { username: "anna' --", password: 'x' })).status, 401);
  const adam = await loginAs(f.app, USERS.admin);
  assert.equal((await call(f.app, 'POST', `/api/users/${encodeURIComponent(inj)}/disable`, adam)).status, 404);
  assert.ok(f.g.gov.accounts.list().length >= 7, 'accounts table intact');
  const aud = await loginAs(f.app, USERS.auditor);
  const v = (await (await call(f.app, 'GET', '/api/access-log/verify', aud)).json()) as { ok: boolean };
  assert.equal(v.ok, true, 'the injected purpose is logged as text and the chain verifies');
});

it('a disabled account loses its sessions at once; TOTP accounts need the current code', async () => {
  const s = await loginAs(f.app, USERS.operator);
  const adam = await loginAs(f.app, USERS.admin);
  assert.equal((await call(f.app, 'POST', `/api/users/${USERS.operator}/disable`, adam)).status, 200);
  assert.equal((await call(f.app, 'GET', '/api/me', s)).status, 401);
  const { totpSecret } = await addUser(f.g, { username: 'tina', role: 'auditor', password: PASSWORD, totp: true });
  assert.equal((await call(f.app, 'POST', '/api/login', undefined, { username: 'tina', password: PASSWORD })).status, 401, 'no code');
  assert.equal((await call(f.app, 'POST', '/api/login', undefined, { username: 'tina', password: PASSWORD, totp: '000000' })).status, 401);
  const code = totp(base32Decode(totpSecret!), clock);
  assert.equal((await call(f.app, 'POST', '/api/login', undefined, { username: 'tina', password: PASSWORD, totp: code })).status, 200);
});

it('anonymous users reach the login page and the public map only; the map shows no IP', async () => {
  assert.equal((await call(f.app, 'GET', '/map')).status, 200);
  const map = await (await call(f.app, 'GET', '/map')).text();
  assert.ok(!/\d+\.\d+\.\d+\.\d+/.test(map));
  for (const p of ['/', '/deliveries', '/audit', '/exports']) assert.equal((await call(f.app, 'GET', p)).headers.get('location'), '/login', p);
  assert.equal((await call(f.app, 'GET', '/api/openapi.json')).status, 401);
  assert.equal((await call(f.app, 'GET', '/api/docs')).status, 401);
});
