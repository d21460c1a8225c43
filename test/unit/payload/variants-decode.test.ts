import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadPath } from '../../../src/payload/index.ts';
import { VARIANT_FORMATS } from '../../../src/payload/variants/formats.ts';
import { makeVariant } from '../../../src/payload/variants/make-variant.ts';
import { checkVariant } from '../../../src/payload/variants/check-variant.ts';
import { paddingLayout } from '../../../src/payload/variants/padding.ts';
import { formatKey, parseFormatKey, SAFE_FILLS, SHIFTED_FORMATS } from '../../../src/payload/variants/padding-bytes.ts';
import { MAX_MP4_SHIFT } from '../../../src/payload/variants/mp4-shift.ts';
import { minSize } from '../../../src/payload/variants/layout.ts';
import { VirtualPieceSource } from '../../../src/decoy/virtual-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'cs-variants-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const src = { videoPath: defaultPayloadPath(), text: readFileSync(defaultPayloadPath().replace(/\.mp4$/, '.txt'), 'utf8'), videoName: 'warning.mp4' };

function writeSource(s: VirtualPieceSource, path: string): void {
  const fd = openSync(path, 'w');
  try { for (let o = 0; o < s.length; o += 1 << 20) writeSync(fd, s.read(o, Math.min(1 << 20, s.length - o))); } finally { closeSync(fd); }
}

for (const f of VARIANT_FORMATS) {
  test(`${f.format}: variant decodes, and padded decoys (unsized and 3 MB larger) decode the same`, () => {
    const variantPath = makeVariant(f.format, src, dir);
    const plain = checkVariant(f.format, variantPath);
    const layout = paddingLayout(f.format, new Uint8Array(readFileSync(variantPath)));
    for (const extra of [0, 3_000_017]) {
      const nonce = new Uint8Array(32).fill(0xa5);
      const s = new VirtualPieceSource([{ layout, size: minSize(layout) + extra, nonce }]);
      const out = join(dir, `decoy-${extra}.${f.format}`);
      writeSource(s, out);
      const padded = checkVariant(f.format, out);
      assert.equal(padded.decoded, plain.decoded, `${f.format} +${extra}`);
    }
    // Issue 10 item 3: the same with a deployment's padding byte, the highest and a middle one its readers skip,
    // and for MP4-family files the video moved by a `free` box (chunk offsets patched).
    const safe = SAFE_FILLS[f.format]!;
    for (const fill of new Set([safe[safe.length - 1]!, safe[safe.length >> 1]!])) {
      const shift = SHIFTED_FORMATS.has(f.format) ? MAX_MP4_SHIFT - fill : undefined;
      const seeded = paddingLayout(formatKey(f.format, { fill, ...(shift !== undefined ? { shift } : {}) }), new Uint8Array(readFileSync(variantPath)));
      assert.equal(seeded.fill, fill);
      const s = new VirtualPieceSource([{ layout: seeded, size: minSize(seeded) + 1_000_003, nonce: new Uint8Array(32).fill(0x5a) }]);
      const out = join(dir, `decoy-fill-${fill}.${f.format}`);
      writeSource(s, out);
      assert.equal(checkVariant(f.format, out).decoded, plain.decoded, `${f.format} fill 0x${fill.toString(16)}`);
    }
  });
}

test('a padding byte a format\'s readers would parse is refused in a stored format key', () => {
  assert.throws(() => paddingLayout('pdf~41', new Uint8Array(0)), /not one pdf readers skip/);
  assert.throws(() => paddingLayout('flv~09', new Uint8Array(0)), /not one flv readers skip/);
  assert.equal(parseFormatKey('mp4').fill, undefined, 'decoys built before issue 10 keep the classic padding');
});

test('a corrupted variant fails its check', () => {
  const p = join(dir, 'broken.zip');
  const z = new Uint8Array(readFileSync(makeVariant('zip', src, dir)));
  z[40] = z[40]! ^ 0xff; // inside the first entry's data: CRC mismatch
  writeFileSync(p, z);
  assert.throws(() => checkVariant('zip', p));
});
