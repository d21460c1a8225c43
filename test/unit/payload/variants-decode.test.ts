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
  });
}

test('a corrupted variant fails its check', () => {
  const p = join(dir, 'broken.zip');
  const z = new Uint8Array(readFileSync(makeVariant('zip', src, dir)));
  z[40] = z[40]! ^ 0xff; // inside the first entry's data: CRC mismatch
  writeFileSync(p, z);
  assert.throws(() => checkVariant('zip', p));
});
