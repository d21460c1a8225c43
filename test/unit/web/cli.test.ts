import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, it } from 'node:test';

const MAIN = resolve(import.meta.dirname, '..', '..', '..', 'src', 'cli', 'main.ts');
const root = mkdtempSync(join(tmpdir(), 'cs-web-cli-'));
const data = join(root, 'data');
after(() => rmSync(root, { recursive: true, force: true }));

const cli = (args: string[], input?: string) => spawnSync(process.execPath, [MAIN, ...args, '--data', data], { input: input ?? '', encoding: 'utf8', timeout: 60_000 });

it('users add|list|disable|reset: password on stdin, clear refusals, state shown by list', () => {
  assert.equal(cli(['init']).status, 0);
  const add = cli(['users', 'add', 'anna', '--role', 'analyst'], 'correct-horse-battery\n');
  assert.equal(add.status, 0, add.stderr);
  assert.match(add.stdout, /added anna \(analyst\)/);
  const dup = cli(['users', 'add', 'anna', '--role', 'analyst'], 'correct-horse-battery\n');
  assert.deepEqual([dup.status, /exists/.test(dup.stderr)], [2, true]);
  assert.equal(cli(['users', 'add', 'bob', '--role', 'analyst'], 'short\n').status, 2, 'short password');
  assert.equal(cli(['users', 'add', 'bob', '--role', 'king'], 'correct-horse-battery\n').status, 2, 'unknown role');
  const totp = cli(['users', 'add', 'tina', '--role', 'auditor', '--totp'], 'correct-horse-battery\n');
  assert.match(totp.stdout, /otpauth:\/\/totp\/counterseed:tina\?secret=[A-Z2-7]{32}/);
  assert.equal(cli(['users', 'disable', 'anna']).status, 0);
  assert.match(cli(['users', 'list']).stdout, /anna\s+analyst\s+disabled/);
  assert.equal(cli(['users', 'reset', 'anna'], 'another-long-password\n').status, 0);
  assert.match(cli(['users', 'list']).stdout, /anna\s+analyst\s+active/);
  assert.equal(cli(['users', 'disable', 'nobody']).status, 3);
  assert.ok(!cli(['users', 'list']).stdout.includes('argon2'), 'no hashes printed');
});

it('serve binds 127.0.0.1, answers the login page, refuses the API anonymously, stops on SIGTERM', async () => {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((res, rej) => {
      let out = '';
      const t = setTimeout(() => rej(new Error(`no serving line: ${out}`)), 60_000);
      child.stdout.on('data', (b: Buffer) => { out += b; const m = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out); if (m) { clearTimeout(t); res(m[1]!); } });
      child.once('exit', (code) => rej(new Error(`exited ${code}`)));
    });
    assert.equal((await fetch(`${url}login`)).status, 200);
    assert.equal((await fetch(`${url}api/me`)).status, 401);
    assert.equal((await fetch(`${url}`, { redirect: 'manual' })).headers.get('location'), '/login');
  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise((r) => child.once('exit', (c, s) => r(c ?? s)));
  assert.ok(code === 0 || code === 143, `exit ${code}`);
});

it('serve refuses a host name that is not an address', () => {
  const r = cli(['serve', '--host', 'example.org']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--host must be an IP address/);
});

it('access-log export writes JSON lines that access-log verify accepts, and an edited line is caught', async () => {
  const { SqliteGovernanceStore } = await import('../../../src/store/sqlite/governance-store.ts');
  const { recordAccess } = await import('../../../src/app/access-log.ts');
  const gov = new SqliteGovernanceStore(join(data, 'counterseed.db'));
  for (let i = 0; i < 3; i++) recordAccess({ gov, now: Date.now }, { id: 1, username: 'anna', role: 'analyst' }, 'consult', `deliveries ip=198.18.0.${i}`, 'case-9');
  gov.close();
  const file = join(root, 'log.jsonl');
  const ex = cli(['access-log', 'export', '--out', file]);
  assert.equal(ex.status, 0, ex.stderr);
  assert.match(ex.stdout, /^3 entries, head [0-9a-f]{64}/);
  const ok = spawnSync(process.execPath, [MAIN, 'access-log', 'verify', file], { encoding: 'utf8' });
  assert.deepEqual([ok.status, ok.stdout.startsWith('ok: 3 entries')], [0, true], ok.stdout + ok.stderr);
  const { readFileSync, writeFileSync } = await import('node:fs');
  writeFileSync(file, readFileSync(file, 'utf8').replace('198.18.0.1', '198.18.0.9'));
  const bad = spawnSync(process.execPath, [MAIN, 'access-log', 'verify', file], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /entry 2: content does not match its hash/);
});

it('serve --demo is refused on a data directory that may hold evidence, and on lab data prints accounts that log in, with a LAB banner', async () => {
  const { writeFileSync } = await import('node:fs');
  assert.equal(cli(['init']).status, 0, 'init (again) is harmless');
  const refused = cli(['serve', '--port', '0', '--demo']);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /demo accounts are for lab data only/);
  writeFileSync(join(data, 'PURPOSE'), 'lab\n');
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--demo', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const out = await new Promise<string>((res, rej) => {
      let text = '';
      const t = setTimeout(() => rej(new Error(`no serving line: ${text}`)), 60_000);
      child.stdout.on('data', (b: Buffer) => { text += b; if (/serving http/.test(text)) { clearTimeout(t); res(text); } });
      child.once('exit', (code) => rej(new Error(`exited ${code}`)));
    });
    const url = /serving (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)![1]!;
    const m = /demo account: demo-analyst \/ (\S+) \(analyst\)/.exec(out);
    assert.ok(m, out);
    const login = await fetch(`${url}api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'demo-analyst', password: m[1] }) });
    assert.equal(login.status, 200);
    assert.match(await (await fetch(`${url}login`)).text(), /LAB DATA/);
  } finally {
    // An early exit already happened: waiting for it again would hang the test.
    if (child.exitCode === null && child.signalCode === null) { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); }
    rmSync(join(data, 'PURPOSE'), { force: true });
  }
});
