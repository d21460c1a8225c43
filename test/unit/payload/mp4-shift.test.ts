import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadPath } from '../../../src/payload/index.ts';
import { MAX_MP4_SHIFT, shiftMp4 } from '../../../src/payload/variants/mp4-shift.ts';
import { bundledManifestPath } from '../../../src/payload/variants/bundled-variants.ts';

const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'cs-mp4shift-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Every decoded frame's MD5 (video and audio), and what ffmpeg complained about. */
function frames(path: string): { md5: string; errors: string } {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', path, '-map', '0', '-f', 'framemd5', '-'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { md5: r.stdout.split('\n').filter((l) => !l.startsWith('#')).join('\n'), errors: r.stderr };
}

describe('MP4 shift (issue 10 item 3): a free box after ftyp moves the video, chunk offsets follow', () => {
  const variants = [defaultPayloadPath(), ...['m4v', 'mov', '3gp'].map((f) => join(bundledManifestPath(), '..', `warning-no-en.${f}`))];
  for (const path of variants) {
    it(`${path.split('/').pop()}: every frame decodes to the same bytes at the smallest and largest shift`, { skip: hasFfmpeg ? false : 'ffmpeg not installed (apt-get install ffmpeg)' }, () => {
      const v = new Uint8Array(readFileSync(path));
      const want = frames(path);
      assert.equal(want.errors, '');
      for (const shift of [8, 4099, MAX_MP4_SHIFT]) {
        const s = shiftMp4(v, shift, 0xa7);
        assert.equal(s.length, v.length + shift);
        const out = join(dir, `s${shift}-${path.split('/').pop()}`);
        writeFileSync(out, s);
        const got = frames(out);
        assert.equal(got.errors, '', `shift ${shift}`);
        assert.equal(got.md5, want.md5, `shift ${shift}: same decoded frames`);
      }
    });
  }

  it('moves every byte after ftyp, so the pieces of two shifts differ', () => {
    const v = new Uint8Array(readFileSync(defaultPayloadPath()));
    const a = shiftMp4(v, 100, 0);
    const b = shiftMp4(v, 101, 0);
    assert.notDeepEqual(a.subarray(16384, 32768), b.subarray(16384, 32768));
  });

  it('refuses what it cannot shift: no ftyp first, a shift out of range', () => {
    const v = new Uint8Array(readFileSync(defaultPayloadPath()));
    assert.throws(() => shiftMp4(v.subarray(4), 100, 0), /does not start with an ftyp box/);
    assert.throws(() => shiftMp4(v, 7, 0), RangeError);
    assert.throws(() => shiftMp4(v, MAX_MP4_SHIFT + 1, 0), RangeError);
  });
});
