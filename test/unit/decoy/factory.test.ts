import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { decode, getBytes } from '../../../src/bencode/index.ts';
import { defaultPayloadPath, DEFAULT_PAYLOAD_ID } from '../../../src/payload/index.ts';
import { paddingLayout } from '../../../src/payload/variants/padding.ts';
import { minSize } from '../../../src/payload/variants/layout.ts';
import { buildVirtualDecoys, type DecoySpec } from '../../../src/decoy/factory.ts';
import { DecoyHasher } from '../../../src/decoy/decoy-hasher.ts';
import { VirtualPieceSource } from '../../../src/decoy/virtual-source.ts';
import { NameListError, pieceHashes } from '../../../src/decoy/index.ts';

const variant = new Uint8Array(readFileSync(defaultPayloadPath()));
const mp4 = paddingLayout('mp4', variant);
const txt = paddingLayout('txt', new TextEncoder().encode('warning text\n'));
let counter = 0;
const nonce = () => { const n = new Uint8Array(32); n[0] = ++counter; n[31] = counter >> 8; return n; };

/** Brute force: materialise, then hash every piece and the whole content. */
function bruteForce(src: VirtualPieceSource, pieceLength: number) {
  const all = src.read(0, src.length);
  return { pieces: pieceHashes(src, pieceLength), sha256: createHash('sha256').update(all).digest('hex'), all };
}

function single(name: string, size: number | null, line = 1): DecoySpec {
  return { line, name, files: [{ size, variantId: DEFAULT_PAYLOAD_ID, layout: mp4 }] };
}

test('virtual bytes = variant, free box of size 0, zeros, nonce', () => {
  const [b] = buildVirtualDecoys([single('holiday-video-0042.mp4', 3_000_000)], { nonce });
  const src = new VirtualPieceSource([{ layout: mp4, size: 3_000_000, nonce: b!.files[0]!.nonce }]);
  const all = src.read(0, src.length);
  assert.deepEqual(all.subarray(0, variant.length), variant);
  assert.deepEqual([...all.subarray(variant.length, variant.length + 8)], [0, 0, 0, 0, 0x66, 0x72, 0x65, 0x65]);
  assert.ok(all.subarray(variant.length + 8, all.length - 32).every((x) => x === 0));
  assert.deepEqual(all.subarray(all.length - 32), b!.files[0]!.nonce);
  // Reads across region boundaries equal slices of the whole.
  for (const [o, l] of [[0, 10], [variant.length - 3, 20], [all.length - 40, 40], [1_000_000, 16384]] as const) {
    assert.deepEqual(src.read(o, l), all.subarray(o, o + l));
  }
  assert.throws(() => src.read(all.length - 1, 2), RangeError);
});

test('cached hashes equal brute force for many sizes and piece lengths', () => {
  const hasher = new DecoyHasher();
  const min = minSize(mp4);
  const sizes = [min, min + 1, 16384 * 11 + 5, 200_000, 1_048_576, 33_554_433, 70_000_123];
  const built = buildVirtualDecoys(sizes.map((s, i) => single(`holiday-video-${i}.mp4`, s, i + 1)), { hasher, nonce });
  built.forEach((b, i) => {
    assert.equal(b.decoy.size, sizes[i]);
    const src = new VirtualPieceSource([{ layout: mp4, size: b.decoy.size, nonce: b.files[0]!.nonce }]);
    const bf = bruteForce(src, b.decoy.pieceLength);
    assert.equal(b.decoy.contentSha256, bf.sha256, `sha256 for size ${sizes[i]}`);
    const info = decode(b.decoy.info);
    assert.deepEqual(getBytes(info as never, 'pieces'), bf.pieces, `pieces for size ${sizes[i]}`);
    assert.equal(b.decoy.infoHash, createHash('sha1').update(b.decoy.info).digest('hex'));
  });
  // A second batch in the opposite order (cursor behind checkpoints) still agrees.
  const again = buildVirtualDecoys([single('holiday-video-x.mp4', 50_000_001), single('holiday-video-y.mp4', 40_000_003)], { hasher, nonce });
  for (const b of again) {
    const src = new VirtualPieceSource([{ layout: mp4, size: b.decoy.size, nonce: b.files[0]!.nonce }]);
    assert.equal(b.decoy.contentSha256, bruteForce(src, b.decoy.pieceLength).sha256);
  }
});

test('unsized decoys: unique size, content hash and infohash, even with the same name pattern', () => {
  const built = buildVirtualDecoys(Array.from({ length: 200 }, (_, i) => single(`holiday-video-${String(i).padStart(4, '0')}.mp4`, null)));
  assert.equal(new Set(built.map((b) => b.decoy.size)).size, 200);
  assert.equal(new Set(built.map((b) => b.decoy.contentSha256)).size, 200);
  assert.equal(new Set(built.map((b) => b.decoy.infoHash)).size, 200);
  for (const b of built) assert.ok(b.decoy.size >= minSize(mp4));
  // Same name and size twice still gives two decoys (different nonce).
  const twins = buildVirtualDecoys([single('holiday-video-0042.mp4', 5_000_000), single('holiday-video-0042.mp4', 5_000_000)]);
  assert.notEqual(twins[0]!.decoy.infoHash, twins[1]!.decoy.infoHash);
});

test('sizeTaken keeps unsized sizes unique across batches', () => {
  const first = buildVirtualDecoys([single('holiday-video-1.mp4', null)]);
  const taken = new Set([first[0]!.decoy.size]);
  const more = buildVirtualDecoys(Array.from({ length: 50 }, (_, i) => single(`holiday-video-b${i}.mp4`, null)), { sizeTaken: (s) => taken.has(s) });
  for (const b of more) assert.ok(!taken.has(b.decoy.size));
});

test('rows below the payload size are all reported, nothing is built', () => {
  let err: unknown;
  try { buildVirtualDecoys([single('a.mp4', 10, 3), single('b.mp4', 5_000_000, 4), single('c.mp4', 100, 7)]); } catch (e) { err = e; }
  assert.ok(err instanceof NameListError);
  assert.deepEqual(err.issues.map((i) => i.line), [3, 7]);
});

test('multi-file decoy: files in order, pieces and sha256 equal brute force', () => {
  const spec: DecoySpec = {
    line: 1, name: 'holiday-folder-0042',
    files: [
      { path: ['holiday-video-0042.mp4'], size: 2_000_003, variantId: DEFAULT_PAYLOAD_ID, layout: mp4 },
      { path: ['extras', 'readme-0042.txt'], size: null, variantId: 'x', layout: txt },
      { path: ['holiday-video-0043.mp4'], size: 1_500_000, variantId: DEFAULT_PAYLOAD_ID, layout: mp4 },
    ],
  };
  const [b] = buildVirtualDecoys([spec], { nonce });
  const files = b!.files.map((f, i) => ({ layout: spec.files[i]!.layout, size: f.size, nonce: f.nonce, path: f.path! }));
  const src = new VirtualPieceSource(files);
  const bf = bruteForce(src, b!.decoy.pieceLength);
  assert.equal(b!.decoy.contentSha256, bf.sha256);
  const info = decode(b!.decoy.info) as never;
  assert.deepEqual(getBytes(info, 'pieces'), bf.pieces);
  assert.equal(Buffer.from(getBytes(info, 'name')!).toString(), 'holiday-folder-0042');
  const list = (info as Map<string, unknown>).get('files') as Map<string, unknown>[];
  assert.deepEqual(list.map((f) => Number(f.get('length'))), files.map((f) => f.size));
  const txtStart = files[0]!.size;
  assert.equal(Buffer.from(bf.all.subarray(txtStart, txtStart + 13)).toString(), 'warning text\n');
});
