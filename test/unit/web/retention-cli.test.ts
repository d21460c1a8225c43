import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { accessLogPage } from '../../../src/app/access-log.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { HOSTILE_NAMES, webFixture, type StoreKind, type WebFixture } from './fixture.ts';

const MAIN = resolve(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
// The commands as an operator runs them, on both stores (`--store postgres://…` for PostgreSQL).
const pgSkip = await pgUnavailable();
for (const kind of ['sqlite', 'postgres'] as StoreKind[]) describe(`retention commands: ${kind}`, { skip: kind === 'postgres' && pgSkip }, () => {
  let f: WebFixture;
  before(async () => { f = await webFixture({ store: kind }); });
  after(async () => { await f?.close(); });
  const cli = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args, '--data', join(f.root, 'data'), ...(f.ctx.settings.store ? ['--store', f.ctx.settings.store] : [])], { encoding: 'utf8', timeout: 120_000 });

  it('retention review | hold | holds | run: what is due, a hold keeps an address, the job erases the rest and logs it', async () => {
    const n = HOSTILE_NAMES.length;
    // A 1-day period: every fixture delivery (2025) is due.
    const review = cli(['retention', 'review', '--retain-deliveries', '1', '--json']);
    assert.equal(review.status, 0, review.stderr);
    const r = JSON.parse(review.stdout) as { categories: { category: string; due: number }[] };
    assert.equal(r.categories.find((c) => c.category === 'deliveries')!.due, 3 * n);
    assert.equal(cli(['retention', 'hold', '--ip', 'not-an-ip', '--case', 'case-9']).status, 2, 'bad input: exit 2');
    const hold = cli(['retention', 'hold', '--ip', '198.18.0.11', '--case', 'case-9']);
    assert.match(hold.stdout, /legal hold 1 on 198\.18\.0\.11 \(case case-9\)/);
    assert.match(cli(['retention', 'holds']).stdout, /198\.18\.0\.11\tcase-9\tcli:/);
    const dry = cli(['retention', 'run', '--dry-run', '--retain-deliveries', '1']);
    assert.match(dry.stdout, new RegExp(`deliveries: would erase ${2 * n} records .*; ${n} kept by legal hold`));
    assert.equal((await f.ctx.store.queryDeliveries({})).length, 3 * n, 'a dry run erases nothing');
    const run = cli(['retention', 'run', '--retain-deliveries', '1']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`deliveries: erased ${2 * n} records .*; ${n} kept by legal hold`));
    assert.deepEqual([...new Set((await f.ctx.store.queryDeliveries({})).map((d) => d.remoteIp))], ['198.18.0.11']);
    assert.match(cli(['retention', 'verify']).stdout, new RegExp(`ok: ${2 * n} tombstones from 1 erasures`));
    const log = accessLogPage(f.g, 0, 100).entries;
    assert.ok(log.some((e) => e.action === 'hold' && e.user.startsWith('cli:') && e.purpose === 'case-9'));
    assert.ok(log.some((e) => e.action === 'erase' && e.user === 'erasure-job' && e.purpose === 'retention period of 1 days (retention.deliveriesDays)'));
  });

  it('users add, then serve on the same store: the new account logs in over HTTP; access-log export | verify', async () => {
    const add = spawnSync(process.execPath, [MAIN, 'users', 'add', 'nora', '--role', 'auditor', '--data', join(f.root, 'data'), ...(f.ctx.settings.store ? ['--store', f.ctx.settings.store] : [])], { input: 'correct-horse-battery\n', encoding: 'utf8', timeout: 60_000 });
    assert.equal(add.status, 0, add.stderr);
    assert.equal(f.g.gov.accounts.byName('nora')?.role, 'auditor', 'the account is in the store the fixture reads');
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--data', join(f.root, 'data'), ...(f.ctx.settings.store ? ['--store', f.ctx.settings.store] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((res, rej) => {
        let out = '';
        const t = setTimeout(() => rej(new Error(`no serving line: ${out}`)), 60_000);
        child.stdout.on('data', (b: Buffer) => { out += b; const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out); if (m) { clearTimeout(t); res(m[1]!); } });
        child.once('exit', (code) => rej(new Error(`exited ${code}`)));
      });
      const login = await fetch(`${url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url.slice(0, -1) }, body: JSON.stringify({ username: 'nora', password: 'correct-horse-battery' }) });
      assert.equal(login.status, 200, await login.clone().text());
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      const log = await fetch(`${url}api/access-log/verify`, { headers: { cookie } });
      assert.deepEqual([log.status, ((await log.json()) as { ok: boolean }).ok], [200, true]);
    } finally { child.kill('SIGTERM'); }
    await new Promise((r) => child.once('exit', r));
    const out = join(f.root, 'log.jsonl');
    assert.equal(cli(['access-log', 'export', '--out', out]).status, 0);
    const v = spawnSync(process.execPath, [MAIN, 'access-log', 'verify', out], { encoding: 'utf8' });
    assert.equal(v.status, 0, v.stderr);
    assert.match(v.stdout, /^ok: \d+ entries, head [0-9a-f]{64}/);
  });
});

it('governance commands with an unreachable PostgreSQL: one line naming it, exit 74, no stack trace', () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-gov-nopg-'));
  after(() => rmSync(data, { recursive: true, force: true }));
  for (const args of [['users', 'add', 'bob', '--role', 'analyst'], ['users', 'list'], ['retention', 'holds'], ['access-log', 'export', '--out', join(data, 'log.jsonl')]]) {
    const r = spawnSync(process.execPath, [MAIN, ...args, '--data', data, '--store', 'postgres://postgres@127.0.0.1:1/none'], { input: 'correct-horse-battery\n', encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 74, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /cannot connect to PostgreSQL/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.equal(existsSync(join(data, 'log.jsonl')), false, 'nothing written');
  assert.equal(existsSync(join(data, 'counterseed.db')), false, 'no SQLite store made instead');
});
