import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nodeKey } from '../../../src/app/evidence.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { call, HOSTILE_NAMES, loginAs, USERS, webFixture, type StoreKind, type WebFixture } from './fixture.ts';

const VERIFIER = new URL('../../../verifier/verify.mjs', import.meta.url).pathname;
const LOG_VERIFIER = new URL('../../../verifier/verify-access-log.mjs', import.meta.url).pathname;
type Entry = { seq: number; user: string; action: string; what: string; purpose: string };

/**
 * The analyst's path through the HTTP API, on each store (issue 13: "API tests call the app without a
 * port"): log in, open a dossier, find the access-log entry it made, request an export, a second
 * person approves, download the package and check it with the standalone verifier (verifier/verify.mjs,
 * its own process, no counterseed code). On PostgreSQL the records AND the governance tables live in a
 * database made for the test, opened as `serve --store postgres://…` opens them.
 */
const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`analyst path through the API: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  const tmp = mkdtempSync(join(tmpdir(), 'cs-api-pkg-'));
  before(async () => { f = await webFixture({ store: kind }); });
  after(async () => { await f?.close(); rmSync(tmp, { recursive: true, force: true }); });

  it('dossier -> its access-log entry -> export request -> second-person approval -> download -> standalone verification', async () => {
    // The governance tables are where the store is: on PostgreSQL, not in the data directory's SQLite file.
    assert.equal(f.store, kind);
    assert.equal(existsSync(join(f.root, 'data', 'counterseed.db')), kind === 'sqlite', 'no SQLite file beside a PostgreSQL store');
    const anna = await loginAs(f.app, USERS.analyst);
    const aud = await loginAs(f.app, USERS.auditor);
    const dossier = await call(f.app, 'GET', '/api/dossier?ip=198.18.0.11&purpose=case-2026-88', anna);
    assert.equal(dossier.status, 200, await dossier.clone().text());
    const d = (await dossier.json()) as { ip: string; deliveries: unknown[] };
    assert.deepEqual([d.ip, d.deliveries.length], ['198.18.0.11', HOSTILE_NAMES.length]);

    const log = async () => ((await (await call(f.app, 'GET', '/api/access-log?limit=1000', aud)).json()) as { entries: Entry[] }).entries;
    const seen = (await log()).filter((e) => e.user === USERS.analyst && e.action === 'consult' && e.what.startsWith('dossier 198.18.0.11'));
    assert.equal(seen.length, 1, 'one entry for one dossier view');
    assert.equal(seen[0]!.purpose, 'case-2026-88');
    assert.match(seen[0]!.what, new RegExp(`dossier 198\\.18\\.0\\.11: ${HOSTILE_NAMES.length} deliveries`));

    const created = await call(f.app, 'POST', '/api/exports', anna, { ip: '198.18.0.11', purpose: 'case-2026-88' });
    assert.equal(created.status, 200, await created.clone().text());
    const req = (await created.json()) as { id: number; status: string };
    assert.equal(req.status, 'pending');
    const sven = await loginAs(f.app, USERS.supervisor);
    const approved = await call(f.app, 'POST', `/api/exports/${req.id}/approve`, sven);
    assert.equal(approved.status, 200, await approved.clone().text());
    assert.equal(((await approved.json()) as { status: string }).status, 'done');

    const pkg = await call(f.app, 'GET', `/api/exports/${req.id}/package`, anna);
    assert.equal(pkg.status, 200);
    execFileSync('tar', ['-xf', '-', '-C', tmp], { input: Buffer.from(await pkg.arrayBuffer()) });
    const fingerprint = (await nodeKey(f.ctx)).fingerprint;
    const v = spawnSync(process.execPath, [VERIFIER, join(tmp, `evidence-${req.id}`), '--key-fingerprint', fingerprint, '--json'], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stdout + v.stderr);
    const report = JSON.parse(v.stdout) as { ok: boolean; facts: { deliveries: number } };
    assert.deepEqual([report.ok, report.facts.deliveries], [true, HOSTILE_NAMES.length]);
    // The same verifier refuses the package when told to expect another node's key: the check can fail.
    const bad = spawnSync(process.execPath, [VERIFIER, join(tmp, `evidence-${req.id}`), '--key-fingerprint', 'ab'.repeat(32), '--json'], { encoding: 'utf8' });
    assert.notEqual(bad.status, 0, 'another key is refused');

    const actions = (await log()).map((e) => `${e.user}:${e.action}`);
    for (const want of [`${USERS.analyst}:request`, `${USERS.supervisor}:approve`, `${USERS.analyst}:disclose`]) assert.ok(actions.includes(want), `${want} in ${actions.join(',')}`);
    const verified = (await (await call(f.app, 'GET', '/api/access-log/verify', aud)).json()) as { ok: boolean; entries: number };
    assert.equal(verified.ok, true);
  });

  it('the access log, exported by an auditor, verifies with the standalone verifier/verify-access-log.mjs; an edited or cut-off copy does not', async () => {
    const aud = await loginAs(f.app, USERS.auditor);
    const res = await call(f.app, 'GET', '/api/access-log/export', aud);
    assert.equal(res.status, 200);
    const text = await res.text();
    const file = join(tmp, 'access-log.jsonl');
    writeFileSync(file, text);
    const run = (path: string, ...extra: string[]) => spawnSync(process.execPath, [LOG_VERIFIER, path, ...extra], { encoding: 'utf8' });
    const ok = run(file);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const head = /head ([0-9a-f]{64})/.exec(ok.stdout)![1]!;
    assert.equal(head, (JSON.parse(text.trim().split('\n').at(-1)!) as { hash: string }).hash);
    const lines = text.trim().split('\n');
    const edited = join(tmp, 'edited.jsonl');
    writeFileSync(edited, [lines[0]!.replace('case-2026-88', 'case-2026-99'), ...lines.slice(1)].join('\n'));
    const e = run(edited);
    assert.equal(e.status, 1);
    assert.match(e.stdout, /entry 1: content does not match its hash/);
    const cut = join(tmp, 'cut.jsonl');
    writeFileSync(cut, lines.slice(0, -1).join('\n'));
    assert.equal(run(cut).status, 0, 'a shorter log is consistent in itself...');
    assert.match(run(cut, '--head', head).stdout, /not the head/, '...and caught against the head noted elsewhere');
    assert.equal(run(join(tmp, 'nope.jsonl')).status, 2);
  });
});
