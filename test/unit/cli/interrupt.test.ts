import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

/** Starts the CLI, sends `sig` once stderr shows `ready` (the work has begun), resolves with its exit. */
function interrupt(args: string[], sig: NodeJS.Signals, ready: RegExp): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`no exit within 60 s; stderr: ${stderr}`)); }, 60_000);
    p.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      if (!sent && ready.test(stderr)) { sent = true; p.kill(sig); }
    });
    p.on('exit', (code) => { clearTimeout(timer); resolve({ code, stderr }); });
  });
}

describe('long commands stop on SIGINT/SIGTERM (issue 15, item 4)', () => {
  it('decoys build: SIGTERM mid-build exits 143, says so, and commits nothing', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cs-int-'));
    const names = join(data, 'names.txt');
    writeFileSync(names, Array.from({ length: 5000 }, (_, i) => `holiday-video-${String(i).padStart(4, '0')}.mp4\n`).join(''));
    const r = await interrupt(['--data', data, 'decoys', 'build', '--names', names], 'SIGTERM', /building decoys: [1-9]/);
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /stopped by SIGTERM; nothing was committed/);
    const list = spawnSync(process.execPath, [MAIN, '--data', data, 'decoys', 'list', '--json'], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(list.stdout), []);
  });

  it('decoys hashes: SIGINT mid-run exits 130 and leaves no list behind', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cs-int-'));
    const names = join(data, 'names.csv');
    // The first decoy walks 3 GB of fill per digest (seconds): still hashing when the signal comes.
    writeFileSync(names, Array.from({ length: 3 }, (_, i) => `holiday-video-${String(i).padStart(4, '0')}.mp4,${3_000_000_000 + i}\n`).join(''));
    assert.equal(spawnSync(process.execPath, [MAIN, '--data', data, 'decoys', 'build', '--names', names]).status, 0);
    const out = join(data, 'hashes.csv');
    const r = await interrupt(['--data', data, 'decoys', 'hashes', '--out', out], 'SIGINT', /hashing decoys: 0\/3/);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /stopped by SIGINT/);
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(out.replace(/\.csv$/, '.vics.json')), false);
  });

  it('decoys write: SIGTERM mid-write exits 143 (it exited 2, as bad input) and leaves no .part file', async () => {
    const data = mkdtempSync(join(tmpdir(), 'cs-int-'));
    after(() => rmSync(data, { recursive: true, force: true }));
    const names = join(data, 'names.csv');
    // 1 GB of content: still writing when the signal comes.
    writeFileSync(names, 'holiday-video-0042.mp4,1000000000\n');
    assert.equal(spawnSync(process.execPath, [MAIN, '--data', data, 'decoys', 'build', '--names', names]).status, 0);
    const out = join(data, 'decoy.mp4');
    const r = await interrupt(['--data', data, 'decoys', 'write', '1', '--out', out], 'SIGTERM', /writing decoy 1: /);
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, /stopped by SIGTERM; nothing was committed/);
    assert.equal(existsSync(out), false);
    assert.equal(existsSync(`${out}.part`), false);
  });
});
