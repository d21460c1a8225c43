import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { call, loginAs, USERS, webFixture, type WebFixture } from './fixture.ts';

let f: WebFixture;
before(async () => { f = await webFixture(); });
after(async () => { await f.close(); });

it('OpenAPI 3.1 describes every /api route, and the local explorer lists them with no external resource', async () => {
  const s = await loginAs(f.app, USERS.operator);
  const spec = (await (await call(f.app, 'GET', '/api/openapi.json', s)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
  assert.equal(spec.openapi, '3.1.0');
  const documented = new Set(Object.entries(spec.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)));
  const served = new Set(f.app.routes.filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL' && !['/api/openapi.json', '/api/docs'].includes(r.path)).map((r) => `${r.method} ${r.path}`));
  assert.deepEqual([...served].filter((r) => !documented.has(r)), []);
  const page = await (await call(f.app, 'GET', '/api/docs', s)).text();
  for (const p of Object.keys(spec.paths)) assert.ok(page.includes(`<code>${p}</code>`), p);
  assert.ok(!/(src|href)="https?:/.test(page), 'nothing loaded from elsewhere');
});

it('schema failures are 400 with the field named; unknown API routes are 404 JSON', async () => {
  const s = await loginAs(f.app, USERS.analyst);
  const r = await call(f.app, 'GET', '/api/deliveries?purpose=case-1&limit=100000', s);
  assert.equal(r.status, 400);
  assert.match(((await r.json()) as { error: string }).error, /limit/);
  const nf = await call(f.app, 'GET', '/api/nothing-here', s);
  assert.equal(nf.status, 404);
});

it('the description is generated once and equals generating it again from the routes', async () => {
  const s = await loginAs(f.app, USERS.analyst);
  const first = (await (await call(f.app, 'GET', '/api/openapi.json', s)).json()) as { openapi: '3.1.0'; info: { title: string; version: string } };
  const again = await (await call(f.app, 'GET', '/api/openapi.json', s)).json();
  assert.deepEqual(again, first);
  const fresh = JSON.parse(JSON.stringify(f.app.getOpenAPI31Document({ openapi: first.openapi, info: first.info })));
  assert.deepEqual(first, fresh, 'the served description is the one the routes give now');
  assert.ok(Object.keys((first as unknown as { paths: object }).paths).length > 30);
});
