import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { PieceSource } from '../../../src/domain/piece-source.ts';
import { BytesPieceSource, PieceHashCache, choosePieceLength, pieceHashes } from '../../../src/decoy/index.ts';

const KiB = 1024, MiB = 1024 * KiB, GiB = 1024 * MiB;

function content(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + (i >> 8)) & 0xff;
  return b;
}

test('choosePieceLength: powers of two in [16 KiB, 16 MiB] with at most 2000 pieces', () => {
  assert.equal(choosePieceLength(1), 16 * KiB);
  assert.equal(choosePieceLength(168_820), 16 * KiB);
  assert.equal(choosePieceLength(2000 * 16 * KiB), 16 * KiB);
  assert.equal(choosePieceLength(2000 * 16 * KiB + 1), 32 * KiB);
  assert.equal(choosePieceLength(100 * MiB), 64 * KiB);
  assert.equal(choosePieceLength(GiB), MiB);
  assert.equal(choosePieceLength(1000 * GiB), 16 * MiB);
  for (let size = 40 * MiB; size < 30 * GiB; size = Math.floor(size * 1.37)) {
    const pl = choosePieceLength(size);
    const count = Math.ceil(size / pl);
    assert.ok(count > 1000 && count <= 2000, `size ${size}: ${count} pieces of ${pl}`);
    assert.equal(pl & (pl - 1), 0);
  }
  assert.throws(() => choosePieceLength(0), RangeError);
  assert.throws(() => choosePieceLength(1.5), RangeError);
});

test('BytesPieceSource reads views and bounds-checks', () => {
  const bytes = content(100);
  const src = new BytesPieceSource(bytes);
  assert.equal(src.length, 100);
  const r = src.read(10, 5);
  assert.deepEqual([...r], [...bytes.subarray(10, 15)]);
  assert.equal(r.buffer, bytes.buffer); // a view, not a copy
  assert.equal(src.read(100, 0).length, 0);
  assert.throws(() => src.read(96, 5), RangeError);
  assert.throws(() => src.read(-1, 1), RangeError);
  assert.throws(() => src.read(0, -1), RangeError);
  assert.throws(() => src.read(0.5, 1), RangeError);
});

test('pieceHashes are the SHA-1 of each piece, short last piece included', () => {
  const pl = 16 * KiB;
  for (const size of [1, pl - 1, pl, pl + 1, 5 * pl + 12345]) {
    const bytes = content(size);
    const hashes = pieceHashes(new BytesPieceSource(bytes), pl);
    const count = Math.ceil(size / pl);
    assert.equal(hashes.length, count * 20);
    for (let i = 0; i < count; i++) {
      const expected = createHash('sha1').update(bytes.subarray(i * pl, Math.min(size, (i + 1) * pl))).digest();
      assert.deepEqual(Buffer.from(hashes.subarray(i * 20, i * 20 + 20)), expected, `size ${size} piece ${i}`);
    }
  }
});

test('PieceHashCache hashes once per (content, piece length) and evicts least recently used', () => {
  let reads = 0;
  const bytes = content(50_000);
  const inner = new BytesPieceSource(bytes);
  const counting: PieceSource = { length: inner.length, read: (o, l) => { reads++; return inner.read(o, l); } };
  const cache = new PieceHashCache(2);
  const a = cache.get('payload-a', counting, 16 * KiB);
  const readsOnce = reads;
  assert.equal(readsOnce, 4);
  assert.equal(cache.get('payload-a', counting, 16 * KiB), a);
  assert.equal(reads, readsOnce);
  cache.get('payload-a', counting, 32 * KiB); // another piece length: another entry
  assert.equal(reads, readsOnce + 2);
  cache.get('payload-a', counting, 16 * KiB); // touch: now most recent
  cache.get('payload-b', counting, 16 * KiB); // evicts the 32 KiB entry
  assert.equal(cache.size, 2);
  const before = reads;
  cache.get('payload-a', counting, 16 * KiB);
  assert.equal(reads, before);
  cache.get('payload-a', counting, 32 * KiB);
  assert.equal(reads, before + 2);
});
