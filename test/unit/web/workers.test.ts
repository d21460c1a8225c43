import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { exportAccessLog } from '../../../src/app/access-log.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { openGovernanceStore } from '../../../src/node/governance.ts';
import { createTestDatabase, pgUnavailable } from '../../helpers/postgres.ts';

/** `counterseed serve --workers N` (web/cluster.ts): what the workers share, and the primary's care of them. */
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const WRITER = fileURLToPath(new URL('../../helpers/access-log-process.ts', import.meta.url));
const VERIFIER = fileURLToPath(new URL('../../../verifier/verify-access-log.mjs', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'cs-workers-'));
after(() => rmSync(root, { recursive: true, force: true }));
const cli = (data: string, args: string[]) => spawnSync(process.execPath, [MAIN, ...args, '--data', data], { encoding: 'utf8', timeout: 60_000 });

async function twoWriters(data: string, store: string): Promise<void> {
  const N = 200, start = Date.now() + 2000;
  const exits = ['writer-a', 'writer-b'].map((user) => new Promise<number | null>((resolve) => {
    spawn(process.execPath, [WRITER, data, store, String(N), user, String(start)], { stdio: 'inherit' }).once('exit', (code) => resolve(code));
  }));
  assert.deepEqual(await Promise.all(exits), [0, 0]);
  const gov = openGovernanceStore(loadSettings({ flags: { dataDir: data, ...(store ? { store } : {}) }, env: {} }));
  const out = join(root, `log-${Date.now()}.jsonl`);
  let users: string[];
  try {
    assert.equal(exportAccessLog({ gov, now: Date.now }, out).entries, 2 * N);
    users = gov.accessLog.page(0, 2 * N).map((e) => e.user);
  } finally { gov.close(); }
  const switches = users.filter((u, i) => i > 0 && u !== users[i - 1]).length;
  assert.ok(switches > 1, `the two processes' entries interleave (${switches} switches): they did append at once`);
  const v = spawnSync(process.execPath, [VERIFIER, out], { encoding: 'utf8' });
  assert.equal(v.status, 0, `standalone verifier: ${v.stdout}${v.stderr}`);
}

it('two processes appending 200 access-log entries each at once give one chain the standalone verifier accepts (SQLite)', { timeout: 120_000 }, async () => {
  const data = join(root, 'chain');
  assert.equal(cli(data, ['init']).status, 0);
  await twoWriters(data, '');
});

it('the same on PostgreSQL (two processes, two connections)', { timeout: 120_000, skip: await pgUnavailable() }, async () => {
  const db = await createTestDatabase();
  try { await twoWriters(join(root, 'chain-pg'), db.url); } finally { await db.drop(); }
});

/** One login attempt on a connection of its own, so the kernel hands connections to both workers. */
const attempt = (port: number, i: number) => new Promise<number>((resolve, reject) => {
  const body = JSON.stringify({ username: `nobody-${i}`, password: 'not-the-password' });
  const req = request({ host: '127.0.0.1', port, path: '/api/login', method: 'POST', agent: false,
    headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${port}`, 'content-length': Buffer.byteLength(body), connection: 'close' } }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode!)); });
  req.on('error', reject);
  req.end(body);
});

async function startServe(data: string): Promise<{ child: ChildProcess; port: number; err: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--workers', '2', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (c: string) => { err += c; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not listen:\n${out}\n${err}`)), 30_000);
    child.stdout!.on('data', (c: string) => {
      out += c;
      const m = /serving http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
  });
  // Both workers listen before the test goes on.
  for (let i = 0; i < 200 && (err.match(/web worker \d+ listening/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 50));
  return { child, port, err: () => err, exited };
}

it('serve --workers 2: one client gets 20 login attempts a minute in all, not 20 per worker (old code: 25 of 25)', { timeout: 120_000 }, async () => {
  const data = join(root, 'throttle');
  assert.equal(cli(data, ['init']).status, 0);
  const s = await startServe(data);
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push(await attempt(s.port, i));
    assert.equal(statuses.filter((x) => x === 401).length, 20, statuses.join(' '));
    assert.deepEqual(statuses.slice(20), [429, 429, 429, 429, 429]);
  } finally { s.child.kill('SIGTERM'); }
  assert.equal(await s.exited, 0, 'stopped on SIGTERM');
});

it('serve --workers 2: a worker that dies is restarted and logged; SIGTERM stops the primary and its workers', { timeout: 120_000 }, async () => {
  const data = join(root, 'restart');
  assert.equal(cli(data, ['init']).status, 0);
  const s = await startServe(data);
  const pids = [...s.err().matchAll(/web worker (\d+) listening/g)].map((m) => Number(m[1]));
  assert.equal(pids.length, 2);
  try {
    process.kill(pids[0]!, 'SIGKILL');
    for (let i = 0; i < 200 && !/restarted as \d+/.test(s.err()); i++) await new Promise((r) => setTimeout(r, 50));
    assert.match(s.err(), new RegExp(`web worker ${pids[0]} exited \\(SIGKILL\\); restarted as \\d+`));
    const replacement = Number(/restarted as (\d+)/.exec(s.err())![1]);
    for (let i = 0; i < 200 && !s.err().includes(`web worker ${replacement} listening`); i++) await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 4; i++) assert.equal(await attempt(s.port, i), 401, 'still answering');
  } finally { s.child.kill('SIGTERM'); }
  assert.equal(await s.exited, 0);
  const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
  assert.equal(alive(pids[1]!), false, 'the workers are gone with the primary');
});

it('serve --workers 2: workers that keep dying (the port is taken) are restarted at most 5 times a minute, then serve stops with the reason', { timeout: 120_000 }, async () => {
  const data = join(root, 'crash');
  assert.equal(cli(data, ['init']).status, 0);
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (taken.address() as { port: number }).port;
    const child = spawn(process.execPath, [MAIN, 'serve', '--port', String(port), '--workers', '2', '--data', data], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (c: string) => { err += c; });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.notEqual(code, 0, err);
    assert.equal((err.match(/restarted as \d+/g) ?? []).length, 5, err);
    assert.match(err, /5 restarts in 60 s already, stopping/);
  } finally { taken.close(); }
});
