import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });

describe('decoys identify (issue 15, item 5)', () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-identify-'));
  const names = join(data, 'names.csv');
  writeFileSync(names, 'holiday-video-0001.mp4,3000000\nholiday-video-0002.mp4,3500000\nholiday-photo-0003.jpg,\n');
  assert.equal(run('--data', data, 'decoys', 'build', '--names', names).status, 0);
  const copy = join(data, 'found-on-device.mp4');
  assert.equal(run('--data', data, 'decoys', 'write', '2', '--out', copy).status, 0);

  it('an exact copy is identified by its content, exit 0', () => {
    const r = run('--data', data, 'decoys', 'identify', copy, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { exact: number[]; candidates: { decoyId: number; pieces: number; piecesMatching: number }[] };
    assert.deepEqual(j.exact, [2]);
    assert.equal(j.candidates[0]!.piecesMatching, j.candidates[0]!.pieces);
    assert.match(run('--data', data, 'decoys', 'identify', copy).stdout, /IS decoy 2 "holiday-video-0002.mp4"/);
  });

  it('an incomplete copy (a piece never fetched is zeros) is named with the pieces that match, exit 1', () => {
    const bytes = readFileSync(copy);
    bytes.fill(0, 0, 200_000); // the start (the warning video) never arrived; the padding after it is zeros anyway
    const partial = join(data, 'partial.mp4');
    writeFileSync(partial, bytes);
    const r = run('--data', data, 'decoys', 'identify', partial, '--json');
    assert.equal(r.status, 1, r.stderr);
    const j = JSON.parse(r.stdout) as { exact: number[]; candidates: { decoyId: number; pieces: number; piecesMatching: number }[] };
    assert.deepEqual(j.exact, []);
    assert.equal(j.candidates[0]!.decoyId, 2);
    assert.ok(j.candidates[0]!.piecesMatching > 0 && j.candidates[0]!.piecesMatching < j.candidates[0]!.pieces, JSON.stringify(j));
  });

  it('a file that is no decoy: exit 3 with the reason; a missing file: exit 2', () => {
    const other = join(data, 'other.bin');
    writeFileSync(other, Buffer.alloc(3_500_000, 7));
    const r = run('--data', data, 'decoys', 'identify', other);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /is not a decoy of this data directory \(no piece matches/);
    writeFileSync(other, 'hello');
    assert.match(run('--data', data, 'decoys', 'identify', other).stderr, /no decoy has 5 bytes/);
    assert.equal(run('--data', data, 'decoys', 'identify', join(data, 'missing')).status, 2);
  });
});

describe('decoys identify: one file taken out of a folder decoy (issue 15, item 5)', () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-identify-folder-'));
  after(() => rmSync(data, { recursive: true, force: true }));
  const list = join(data, 'list.csv');
  writeFileSync(list, 'name,size,language,folder\nholiday-video-0042.mp4,400000,,holiday-2026\nholiday-notes-0043.txt,,,holiday-2026\ngarden-party-0007.mp4,,,\n');
  assert.equal(run('--data', data, 'decoys', 'build', '--names', list).status, 0);
  type Listed = { id: number; name: string; payloadId: string; files?: { path: string[]; size: number }[] };
  const folder = (JSON.parse(run('--data', data, 'decoys', 'list', '--json').stdout) as Listed[]).find((d) => d.name === 'holiday-2026')!;
  const whole = join(data, 'folder.bin');
  assert.equal(run('--data', data, 'decoys', 'write', String(folder.id), '--out', whole).status, 0);
  const content = readFileSync(whole);
  const [video, notes] = folder.files!;

  it('names the decoy, the file within it and the payload, exit 0', () => {
    const found = join(data, 'found-on-device.txt');
    writeFileSync(found, content.subarray(video!.size, video!.size + notes!.size));
    const r = run('--data', data, 'decoys', 'identify', found, '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { exact: number[]; folderFiles: { decoyId: number; name: string; path: string[]; payloadId: string; payloadLabel: string; format: string }[] };
    assert.deepEqual(j.exact, []);
    assert.deepEqual(j.folderFiles.map((f) => [f.decoyId, f.name, f.path]), [[folder.id, 'holiday-2026', ['holiday-notes-0043.txt']]]);
    assert.match(j.folderFiles[0]!.format, /^txt/);
    assert.equal(j.folderFiles[0]!.payloadId, folder.payloadId);
    assert.ok(j.folderFiles[0]!.payloadLabel.length > 0);
    const first = join(data, 'first.mp4');
    writeFileSync(first, content.subarray(0, video!.size));
    const text = run('--data', data, 'decoys', 'identify', first);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`IS the file "holiday-video-0042.mp4" of folder decoy ${folder.id} "holiday-2026" .*payload ".+" \\(${folder.payloadId}\\) as mp4`));
  });

  it('a file of the same size with other content is not one: exit 3, saying why', () => {
    const bytes = Buffer.from(content.subarray(0, video!.size));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 1;
    const changed = join(data, 'changed.mp4');
    writeFileSync(changed, bytes);
    const r = run('--data', data, 'decoys', 'identify', changed);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /its content differs from the 1 folder decoy file\(s\) of its size/);
  });
});

