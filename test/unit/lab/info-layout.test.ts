import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '../../../src/bencode/index.ts';
import { MAX_INFO_BYTES, parseInfoLayout, pieceHash, pieceSize } from '../../../src/lab/info-layout.ts';
import { InfoLayoutError } from '../../../src/lab/errors.ts';

const hashes = (n: number): Uint8Array => new Uint8Array(20 * n).map((_, i) => i & 0xff);

test('single-file layout with a short last piece', () => {
  const l = parseInfoLayout(encode({ length: 40_000, name: 'garden-party-0007.avi', 'piece length': 16384, pieces: hashes(3) }), 1e6);
  assert.deepEqual([l.totalLength, l.pieceLength, l.pieceCount], [40_000, 16384, 3]);
  assert.equal(pieceSize(l, 0), 16384);
  assert.equal(pieceSize(l, 2), 40_000 - 2 * 16384);
  assert.deepEqual(pieceHash(l, 1), hashes(3).subarray(20, 40));
});

test('multi-file content is the files concatenated', () => {
  const info = encode({ files: [{ length: 10, path: ['a.mkv'] }, { length: 16384, path: ['b.mkv'] }], name: 'family-trip-0913', 'piece length': 16384, pieces: hashes(2) });
  const l = parseInfoLayout(info, 1e6);
  assert.equal(l.totalLength, 16394);
  assert.equal(l.pieceCount, 2);
});

test('malformed or oversized info dicts are rejected with a reason', () => {
  const ok = { length: 100, name: 'x.mp4', 'piece length': 64, pieces: hashes(2) };
  const cases: [object, RegExp, number?][] = [
    [{ ...ok, length: 129 }, /holds 2 hashes, content needs 3/],
    [{ ...ok, pieces: new Uint8Array(39) }, /multiple of 20/],
    [{ ...ok, 'piece length': 0 }, /piece length/],
    [{ name: 'x', 'piece length': 64, pieces: hashes(1) }, /neither "length"/],
    [{ ...ok, length: 0, pieces: hashes(0) }, /empty/],
    [{ ...ok }, /larger than maxBytes/, 99],
    [{ ...ok, length: 'big' }, /"length"/],
  ];
  for (const [dict, re, max] of cases) {
    assert.throws(() => parseInfoLayout(encode(dict as never), max ?? 1e6), (e: unknown) => e instanceof InfoLayoutError && re.test(e.message));
  }
  assert.throws(() => parseInfoLayout(new TextEncoder().encode('d4:name'), 1e6), InfoLayoutError);
  assert.throws(() => parseInfoLayout(new Uint8Array(MAX_INFO_BYTES + 1), 1e9), /larger than/);
});
