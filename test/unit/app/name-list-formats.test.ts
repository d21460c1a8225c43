import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readNameList } from '../../../src/app/decoys.ts';

// Issue 15 item 12: the campaign CSV (name,size,language,folder) and the build CSV (name,size) were incompatible.
const dir = mkdtempSync(join(tmpdir(), 'cs-lists-'));
const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

it('decoys build reads the campaign CSV: single files, and a folder as one multi-file decoy', () => {
  const rows = readNameList(file('c.csv', 'name,size,language,folder\nholiday-video-0042.mp4,300000,,\nclip-01.mp4,250000,,summer-trip\nclip-02.mkv,,,summer-trip\n'));
  assert.deepEqual(rows, [
    { line: 2, name: 'holiday-video-0042.mp4', size: 300000 },
    { line: 3, name: 'summer-trip', size: null, files: [{ name: 'clip-01.mp4', size: 250000, path: ['clip-01.mp4'] }, { name: 'clip-02.mkv', size: null, path: ['clip-02.mkv'] }] },
  ]);
  // Without a header too, when a row has the campaign's columns.
  assert.equal(readNameList(file('n.csv', 'holiday-video-0042.mp4,300000,,\n')).length, 1);
  // The build list is unchanged.
  assert.deepEqual(readNameList(file('b.csv', 'name,size\nholiday-video-0042.mp4,300000\n')), [{ line: 2, name: 'holiday-video-0042.mp4', size: 300000 }]);
});

it('a language column is refused with the line and the command that uses it', () => {
  assert.throws(() => readNameList(file('l.csv', 'name,size,language,folder\nholiday-video-0042.mp4,300000,no,\n')), /line 2: language "no".*campaign create/s);
  assert.throws(() => readNameList(file('x.csv', 'name,size,language,folder\nholiday-video-0042.exe,300000,,\n')), /line 2/);
});

it('the folder decoy is built, listed under the folder name', () => {
  const data = join(dir, 'data');
  const r = spawnSync(process.execPath, [MAIN, 'decoys', 'build', '--data', data, '--names', join(dir, 'c.csv')], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /built 2 decoys/);
  const list = spawnSync(process.execPath, [MAIN, 'decoys', 'list', '--data', data, '--json'], { encoding: 'utf8', timeout: 30_000 });
  assert.deepEqual((JSON.parse(list.stdout) as { name: string }[]).map((d) => d.name).sort(), ['holiday-video-0042.mp4', 'summer-trip']);
});
