import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cs-folder-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('a folder decoy shows its files by name in decoys list, decoys hashes and the VICS JSON, each with its own hashes (issue 15 item 12)', () => {
  const data = join(dir, 'data');
  const cli = (...a: string[]) => spawnSync(process.execPath, [MAIN, '--data', data, ...a], { encoding: 'utf8', timeout: 60_000 });
  writeFileSync(join(dir, 'list.csv'), 'name,size,language,folder\nholiday-video-0042.mp4,400000,,holiday-2026\nholiday-notes-0043.txt,,,holiday-2026\ngarden-party-0007.mp4,,,\n');
  const built = cli('decoys', 'build', '--names', join(dir, 'list.csv'));
  assert.equal(built.status, 0, built.stderr);

  const list = cli('decoys', 'list').stdout.split('\n');
  const folderAt = list.findIndex((l) => /  holiday-2026\/  \(folder of 2 files\)$/.test(l));
  assert.ok(folderAt >= 0, list.join('\n'));
  assert.match(list[folderAt + 1]!, /^ +400000 +holiday-2026\/holiday-video-0042\.mp4$/);
  assert.match(list[folderAt + 2]!, /^ +\d+ +holiday-2026\/holiday-notes-0043\.txt$/);
  type Listed = { id: number; name: string; size: number; files?: { path: string[]; size: number }[] };
  const json = JSON.parse(cli('decoys', 'list', '--json').stdout) as Listed[];
  const folder = json.find((d) => d.name === 'holiday-2026')!;
  assert.deepEqual(folder.files!.map((f) => f.path), [['holiday-video-0042.mp4'], ['holiday-notes-0043.txt']]);
  assert.equal(folder.files!.reduce((n, f) => n + f.size, 0), folder.size, 'v1: the files are the whole content');
  assert.equal(json.find((d) => d.name === 'garden-party-0007.mp4')!.files, undefined);

  // The decoy's content, as peers get it; each file is its slice.
  const out = join(dir, 'folder.bin');
  assert.equal(cli('decoys', 'write', String(folder.id), '--out', out).status, 0);
  const content = readFileSync(out);
  const slices = [content.subarray(0, folder.files![0]!.size), content.subarray(folder.files![0]!.size)];
  const h = (b: Uint8Array, alg: string) => createHash(alg).update(b).digest('hex');

  const csvFile = join(dir, 'hashes.csv');
  const hashed = cli('decoys', 'hashes', '--out', csvFile);
  assert.equal(hashed.status, 0, hashed.stderr);
  const rows = readFileSync(csvFile, 'utf8').trim().split('\r\n').slice(1).map((l) => l.split(','));
  const fileRows = rows.filter((r) => r[1]!.startsWith('holiday-2026/'));
  assert.deepEqual(fileRows.map((r) => [r[0], r[1], Number(r[2]), r[3], r[4], r[5]]), [
    [String(folder.id), 'holiday-2026/holiday-video-0042.mp4', slices[0]!.length, h(slices[0]!, 'md5'), h(slices[0]!, 'sha1'), h(slices[0]!, 'sha256')],
    [String(folder.id), 'holiday-2026/holiday-notes-0043.txt', slices[1]!.length, h(slices[1]!, 'md5'), h(slices[1]!, 'sha1'), h(slices[1]!, 'sha256')],
  ]);
  assert.ok(!rows.some((r) => r[1] === 'holiday-2026'), 'no row for the folder as one file');

  type Vics = { value: [{ Media: { MD5: string; MimeType: string; MediaFiles: { FileName: string; FilePath?: string }[] }[] }] };
  const media = (JSON.parse(readFileSync(join(dir, 'hashes.vics.json'), 'utf8')) as Vics).value[0].Media;
  const mp4 = media.find((m) => m.MD5 === h(slices[0]!, 'md5').toUpperCase())!;
  assert.deepEqual(mp4.MediaFiles, [{ FileName: 'holiday-video-0042.mp4', FilePath: 'holiday-2026' }]);
  assert.equal(mp4.MimeType, 'video/mp4');
  const txt = media.find((m) => m.MD5 === h(slices[1]!, 'md5').toUpperCase())!;
  assert.deepEqual(txt.MediaFiles, [{ FileName: 'holiday-notes-0043.txt', FilePath: 'holiday-2026' }]);
  assert.match(txt.MimeType, /^text\/plain/);
  assert.ok(media.every((m) => m.MediaFiles.every((f) => f.FileName !== 'holiday-2026')), 'the folder is never a FileName');
});
