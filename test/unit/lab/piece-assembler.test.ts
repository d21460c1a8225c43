import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { BLOCK_SIZE, PieceAssembler, type BlockRef } from '../../../src/lab/piece-assembler.ts';
import type { InfoLayout } from '../../../src/lab/info-layout.ts';

function layoutOf(content: Uint8Array, pieceLength: number): InfoLayout {
  const pieceCount = Math.ceil(content.length / pieceLength);
  const hashes = Array.from({ length: pieceCount }, (_, i) => createHash('sha1').update(content.subarray(i * pieceLength, (i + 1) * pieceLength)).digest());
  return { totalLength: content.length, pieceLength, pieceCount, pieceHashes: new Uint8Array(Buffer.concat(hashes)) };
}
const all = (): boolean => true;
const slice = (c: Uint8Array, L: number, b: BlockRef): Uint8Array => c.subarray(b.piece * L + b.offset, b.piece * L + b.offset + b.length);

test('hands out 16 KiB blocks in piece order, the last one short, and verifies the content', () => {
  const L = 2 * BLOCK_SIZE;
  const content = new Uint8Array(randomBytes(2 * L + 100));
  const a = new PieceAssembler(layoutOf(content, L), 3, true);
  const blocks: BlockRef[] = [];
  for (let b = a.next(all); b !== undefined; b = a.next(all)) blocks.push(b);
  assert.deepEqual(blocks.map((b) => [b.piece, b.offset, b.length]), [
    [0, 0, BLOCK_SIZE], [0, BLOCK_SIZE, BLOCK_SIZE], [1, 0, BLOCK_SIZE], [1, BLOCK_SIZE, BLOCK_SIZE], [2, 0, 100],
  ]);
  const outcomes = blocks.map((b) => a.accept(b, slice(content, L, b)));
  assert.deepEqual(outcomes.map((o) => o.kind), ['partial', 'verified', 'partial', 'verified', 'verified']);
  assert.ok(a.done);
  assert.equal(a.contentSha256(), createHash('sha256').update(content).digest('hex'));
});

test('a wrong byte makes the piece corrupt and it is not counted', () => {
  const content = new Uint8Array(randomBytes(3 * BLOCK_SIZE));
  const a = new PieceAssembler(layoutOf(content, BLOCK_SIZE), 3, true);
  const b = a.next(all)!;
  const bad = new Uint8Array(slice(content, BLOCK_SIZE, b));
  bad[77] = bad[77]! ^ 1;
  assert.deepEqual(a.accept(b, bad), { kind: 'corrupt', piece: 0 });
  assert.equal(a.verifiedCount, 0);
  assert.equal(a.contentSha256(), undefined);
});

test('requeued blocks come back first; pieces the peer lacks wait for it', () => {
  const content = new Uint8Array(randomBytes(4 * BLOCK_SIZE));
  const a = new PieceAssembler(layoutOf(content, BLOCK_SIZE), 4, false);
  const has = new Set([1, 3]);
  const peer = (i: number): boolean => has.has(i);
  const b1 = a.next(peer)!;
  const b3 = a.next(peer)!;
  assert.deepEqual([b1.piece, b3.piece], [1, 3]);
  assert.equal(a.next(peer), undefined);
  a.requeue(b3); // as after a choke
  assert.equal(a.next(peer)?.piece, 3);
  has.add(0);
  assert.equal(a.next(peer)?.piece, 0);
  assert.equal(a.next(peer), undefined, 'piece 2 still unannounced');
  has.add(2);
  assert.equal(a.next(peer)?.piece, 2);
  assert.equal(a.next(all), undefined);
});

test('wanting fewer pieces stops early and never hashes partial content', () => {
  const content = new Uint8Array(randomBytes(4 * BLOCK_SIZE));
  const a = new PieceAssembler(layoutOf(content, BLOCK_SIZE), 2, false);
  const b0 = a.next(all)!, b1 = a.next(all)!;
  assert.equal(a.next(all), undefined);
  a.accept(b0, slice(content, BLOCK_SIZE, b0));
  a.accept(b1, slice(content, BLOCK_SIZE, b1));
  assert.ok(a.done);
  assert.equal(a.contentSha256(), undefined);
  assert.throws(() => new PieceAssembler(layoutOf(content, BLOCK_SIZE), 5, false), RangeError);
  assert.throws(() => new PieceAssembler(layoutOf(content, BLOCK_SIZE), 0, false), RangeError);
});
