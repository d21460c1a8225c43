import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BusyError, InputError } from '../../../src/domain/errors.ts';
import { lockDataDir } from '../../../src/node/data-dir-lock.ts';

const LOCK_MODULE = fileURLToPath(new URL('../../../src/node/data-dir-lock.ts', import.meta.url));

/** Issue 17, item 10: one data directory, one writer. */
describe('data directory lock', () => {
  it('a second holder in the same process is refused (BusyError, exit 75, names the holder); after release it is free', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-lock-'));
    const a = lockDataDir(dir, 'seed');
    assert.throws(() => lockDataDir(dir, 'lab'), (e: unknown) => e instanceof BusyError && e.exitCode === 75
      && e.message.includes(dir) && e.message.includes('in use') && e.message.includes(`pid ${process.pid}`) && e.message.includes('seed'));
    a.release();
    a.release();
    lockDataDir(dir, 'lab').release();
  });

  it('a data directory that cannot be created is bad input (exit 2), with the path', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cs-lock-')), 'not-a-dir');
    writeFileSync(file, 'x');
    assert.throws(() => lockDataDir(join(file, 'data'), 'seed'), (e: unknown) => e instanceof InputError && e.exitCode === 2 && e.message.includes(file));
  });

  it('held by another process until it is killed with SIGKILL: then the kernel frees it, with no stale lock to break', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-lock-'));
    const child = spawn(process.execPath, ['--input-type=module', '-e',
      `const { lockDataDir } = await import(${JSON.stringify(LOCK_MODULE)}); lockDataDir(${JSON.stringify(dir)}, 'seed'); console.log('locked'); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (b: Buffer) => { if (b.toString().includes('locked')) resolve(); });
        child.once('exit', () => reject(new Error('child exited')));
      });
      assert.throws(() => lockDataDir(dir, 'seed'), (e: unknown) => e instanceof BusyError && e.message.includes(`pid ${child.pid}`));
      child.kill('SIGKILL');
      await exited;
      lockDataDir(dir, 'seed').release();
    } finally { if (child.exitCode === null) child.kill('SIGKILL'); }
  });
});
