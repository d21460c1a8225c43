import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { describeOsError, exitCodeFor } from '../../../src/cli/exit-codes.ts';
import { makeDir } from '../../../src/app/paths.ts';

// Issue 15 item 8: environment errors exited 70 with a JavaScript stack trace.
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 30_000 });
const shell = (cmd: string) => spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { encoding: 'utf8', timeout: 30_000 });

function assertClean(r: ReturnType<typeof run>, status: number, message: RegExp, what: string) {
  assert.equal(r.status, status, `${what}: ${r.stderr}`);
  assert.match(r.stderr, message, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `${what}: no stack trace`);
}

describe('environment errors: a clear message naming the path or port, a documented exit code', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-env-'));
  const data = join(dir, 'data');
  assert.equal(run('init', '--data', data).status, 0);
  writeFileSync(join(dir, 'names.txt'), 'holiday-video-0042.mp4\nholiday-video-0043.mp4\n');
  assert.equal(run('decoys', 'build', '--data', data, '--names', join(dir, 'names.txt')).status, 0);

  it('a read-only command refuses a data directory that does not exist (exit 3) and creates nothing', () => {
    for (const cmd of [['deliveries'], ['announces'], ['decoys', 'list'], ['health'], ['payload', 'list'], ['campaign', 'list'], ['evidence', 'export', '--ip', '198.18.0.11', '--out', join(dir, 'pkg')]]) {
      const typo = join(dir, 'dta');
      assertClean(run(...cmd, '--data', typo), 3, /data directory .*dta does not exist/, cmd.join(' '));
      assert.equal(existsSync(typo), false, `${cmd.join(' ')} created ${typo}`);
    }
  });

  it('--data under /sys or under a file', () => {
    assertClean(run('init', '--data', '/sys/counterseed-x'), 74, /\/sys\/counterseed-x: operation not permitted \(EPERM\)/, '/sys');
    writeFileSync(join(dir, 'a-file'), 'x');
    assertClean(run('init', '--data', join(dir, 'a-file', 'd')), 2, /a-file is a file, not a folder/, 'under a file');
  });

  it('a port already in use', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = spawnSync(process.execPath, [MAIN, 'seed', '--data', data, '--port', String(port)], { encoding: 'utf8', timeout: 30_000 });
      assertClean(r, 75, new RegExp(`127\\.0\\.0\\.1:${port}: address already in use`), 'EADDRINUSE');
    } finally { server.close(); }
  });

  it('decoys write to a folder, or into a folder that does not exist, leaves nothing behind', () => {
    const before = readdirSync(dir).sort();
    assertClean(run('decoys', 'write', '1', '--data', data, '--out', dir), 2, /--out .* is a folder/, 'out is a folder');
    assertClean(run('decoys', 'write', '1', '--data', data, '--out', join(dir, 'no-such', 'x.mp4')), 3, /folder .*no-such does not exist/, 'no folder');
    assertClean(run('decoys', 'hashes', '--data', data, '--out', join(dir, 'no-such', 'h.csv')), 3, /no-such does not exist/, 'hashes');
    assert.deepEqual(readdirSync(dir).sort(), before, 'no .part file');
  });

  it('an output folder under /proc is refused at once (Node\'s recursive mkdir spun there at full CPU)', () => {
    const t0 = Date.now();
    assertClean(run('decoys', 'export', '--data', data, '--out', '/proc/counterseed-x'), 74, /\/proc\/counterseed-x: a folder cannot be created there/, 'decoys export');
    assertClean(run('evidence', 'export', '--ip', '198.18.0.11', '--data', data, '--out', '/proc/counterseed-x'), 74, /a folder cannot be created there/, 'evidence export');
    assert.ok(Date.now() - t0 < 25_000);
  });

  it('output closed early (| head -1) stops quietly with exit 0', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `holiday-video-${i + 100}.mp4`).join('\n');
    writeFileSync(join(dir, 'many.txt'), `${names}\n`);
    assert.equal(run('decoys', 'build', '--data', data, '--names', join(dir, 'many.txt')).status, 0);
    const r = shell(`${JSON.stringify(process.execPath)} ${JSON.stringify(MAIN)} decoys list --data ${JSON.stringify(data)} | head -1`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.trim().split('\n').length, 1);
  });
});

describe('the OS error table', () => {
  const err = (code: string, extra: object) => Object.assign(new Error(code), { code, ...extra });
  it('names the path or address:port and picks the documented code', () => {
    assert.deepEqual(describeOsError(err('EACCES', { syscall: 'open', path: '/srv/x' })), { message: 'open /srv/x: permission denied (EACCES)', exitCode: 74 });
    assert.deepEqual(describeOsError(err('EROFS', { syscall: 'mkdir', path: '/ro/x' })), { message: 'mkdir /ro/x: read-only file system (EROFS)', exitCode: 74 });
    assert.deepEqual(describeOsError(err('EADDRINUSE', { syscall: 'listen', address: '127.0.0.1', port: 6881 })), { message: 'listen 127.0.0.1:6881: already in use (another counterseed or client?); choose another port (EADDRINUSE)', exitCode: 75 });
    assert.equal(describeOsError(err('ENOSPC', { syscall: 'write', path: '/x' }))?.exitCode, 74);
    assert.equal(describeOsError(err('ENOENT', { syscall: 'open', path: '/x' }))?.exitCode, 3);
    assert.equal(describeOsError(err('ENOTDIR', { syscall: 'mkdir', path: '/x' }))?.exitCode, 2);
    assert.equal(describeOsError(new Error('plain')), undefined);
    assert.equal(exitCodeFor(err('EACCES', { path: '/x' })), 74);
    assert.equal(exitCodeFor(new Error('plain')), 70);
  });
  it('makeDir creates nested folders and stops at /proc', () => {
    const d = join(mkdtempSync(join(tmpdir(), 'cs-mk-')), 'a', 'b', 'c');
    makeDir(d);
    assert.ok(existsSync(d));
    mkdirSync(d, { recursive: true });
    assert.throws(() => makeDir('/proc/counterseed-x/y'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT' && e.syscall === 'mkdir');
  });
});
