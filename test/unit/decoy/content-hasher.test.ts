import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ContentHasher } from '../../../src/decoy/content-hasher.ts';
import { VirtualPieceSource } from '../../../src/decoy/virtual-source.ts';
import { defaultPayloadPath } from '../../../src/payload/index.ts';
import { paddingLayout } from '../../../src/payload/variants/padding.ts';
import { minSize } from '../../../src/payload/variants/layout.ts';

const mp4 = paddingLayout('mp4', new Uint8Array(readFileSync(defaultPayloadPath())));
const txt = paddingLayout('txt', new TextEncoder().encode('warning text\n'));
const nonce = (k: number) => { const n = new Uint8Array(32); n[0] = k; n[31] = 255 - k; return n; };
const MiB = 1024 * 1024;

/** Reference: materialise every byte and hash it. */
function materialised(src: VirtualPieceSource) {
  const all = src.read(0, src.length);
  return { md5: createHash('md5').update(all).digest('hex'), sha1: createHash('sha1').update(all).digest('hex'), sha256: createHash('sha256').update(all).digest('hex') };
}

test('checkpointed digests equal the materialised bytes across 4 MiB checkpoint boundaries, in any order', async () => {
  const hasher = new ContentHasher();
  // Sizes around the checkpoint step (4 MiB of fill), the layout minimum, and a descending order that moves the cursor back.
  const sizes = [minSize(mp4), minSize(mp4) + 1, 4 * MiB + 17, 9 * MiB, 8 * MiB + 3, 4 * MiB - 1, 13 * MiB + 5];
  for (const [k, size] of sizes.entries()) {
    for (const layout of [mp4, txt]) {
      if (size < minSize(layout)) continue;
      const src = new VirtualPieceSource([{ layout, size, nonce: nonce(k) }]);
      assert.deepEqual(await hasher.digests(src), materialised(src), `${layout.format} ${size}`);
    }
  }
});

test('multi-file contents are read, and give the digests of the concatenated bytes', async () => {
  const src = new VirtualPieceSource([
    { layout: mp4, size: 2 * MiB, nonce: nonce(1), path: ['part-1.mp4'] },
    { layout: txt, size: 70_000, nonce: nonce(2), path: ['read-me.txt'] },
  ]);
  assert.deepEqual(await new ContentHasher().digests(src), materialised(src));
});
