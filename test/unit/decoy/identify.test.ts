import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
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
