import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { VirtualPieceSource } from '../../../src/decoy/virtual-source.ts';
import { defaultPayloadPath } from '../../../src/payload/index.ts';
import { paddingLayout } from '../../../src/payload/variants/padding.ts';
import type { PaddingLayout } from '../../../src/payload/variants/layout.ts';

const mp4 = paddingLayout('mp4', new Uint8Array(readFileSync(defaultPayloadPath())));
const txt = paddingLayout('txt', new TextEncoder().encode('warning text\n'));
const nonce = (k: number) => new Uint8Array(32).fill(k);

/** The bytes as layout.ts defines them, built independently of read(). */
function expected(files: { layout: PaddingLayout; size: number; nonce: Uint8Array }[]): Uint8Array {
  const parts = files.map((f) => {
    const b = new Uint8Array(f.size).fill(f.layout.fill);
    b.set(f.layout.head, 0);
    b.set(f.layout.tail(f.size, f.nonce), f.size - f.layout.tailLength);
    return b;
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

test('read() gives the layout bytes for ranges in the head, the fill, the tail and across files', () => {
  const files = [
    { layout: mp4, size: mp4.head.length + 3_000_000 + mp4.tailLength, nonce: nonce(1), path: ['a.mp4'] },
    { layout: txt, size: 2_500_000, nonce: nonce(2), path: ['b.txt'] },
  ];
  const src = new VirtualPieceSource(files);
  const want = expected(files);
  const h = mp4.head.length;
  const ranges: [number, number][] = [[0, 16384], [h - 100, 16384], [h, 16384], [h + 5, 1 << 20], [h + 5, (1 << 20) + 1],
    [files[0]!.size - mp4.tailLength - 10, 16384], [files[0]!.size - 100, 16384], [files[0]!.size + 3, 16384], [src.length - 16384, 16384], [src.length, 0]];
  for (let k = 0; k < 200; k++) { const o = Math.floor(Math.random() * (src.length - 16384)); ranges.push([o, 1 + Math.floor(Math.random() * 16384)]); }
  for (const [o, n] of ranges) assert.deepEqual(src.read(o, n), want.subarray(o, o + n), `[${o}, +${n})`);
});

test('a block inside the head or the fill is a view of shared bytes, not a new array (CPU per GB while serving)', () => {
  const a = new VirtualPieceSource([{ layout: mp4, size: 40_000_000, nonce: nonce(1) }]);
  const b = new VirtualPieceSource([{ layout: mp4, size: 41_000_000, nonce: nonce(2) }]);
  const fillA = a.read(20_000_000, 16384);
  const fillB = b.read(30_000_000, 16384);
  assert.equal(fillA.buffer, fillB.buffer, 'fill blocks of two decoys share one buffer');
  assert.equal(a.read(0, 16384).buffer, mp4.head.buffer, 'a head block is a view of the head');
  assert.notEqual(a.read(a.length - 16384, 16384).buffer, fillA.buffer, 'a block with the tail is its own array');
});
