import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PAYLOAD_ID, MemoryPayloadCatalog, PayloadRegistry, defaultPayloadPath, ensureDefaultPayload } from '../../../src/payload/index.ts';

test('the bundled warning video is a valid small H.264 MP4 (ffprobe)', () => {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries',
    'format=format_name,duration:stream=codec_type,codec_name,width,height,pix_fmt',
    '-of', 'json', defaultPayloadPath()], { encoding: 'utf8', timeout: 20_000 });
  const info = JSON.parse(out) as { streams: Record<string, unknown>[]; format: { format_name: string; duration: string } };
  assert.match(info.format.format_name, /mp4/);
  const dur = Number(info.format.duration);
  assert.ok(dur >= 20 && dur <= 30, `duration ${dur}`);
  assert.equal(info.streams.length, 1);
  assert.deepEqual(info.streams[0], { codec_type: 'video', codec_name: 'h264', width: 640, height: 360, pix_fmt: 'yuv420p' });
  const bytes = readFileSync(defaultPayloadPath());
  assert.ok(bytes.length < 400 * 1024);
  // +faststart: the moov box comes before mdat.
  assert.ok(bytes.indexOf('moov') < bytes.indexOf('mdat'));
});

test('the default payload registers to a stable id, idempotently', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-default-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r1 = new PayloadRegistry({ dir: join(dir, 'one'), catalog: new MemoryPayloadCatalog() });
  const r2 = new PayloadRegistry({ dir: join(dir, 'two'), catalog: new MemoryPayloadCatalog() });
  const p = ensureDefaultPayload(r1);
  assert.equal(p.id, DEFAULT_PAYLOAD_ID);
  assert.equal(p.mediaType, 'video/mp4');
  assert.equal(p.label, 'warning-no-en.mp4');
  assert.deepEqual(ensureDefaultPayload(r1), p);
  assert.equal(ensureDefaultPayload(r2).id, p.id);
  // The README documents the same hash.
  const readme = readFileSync(new URL('../../../assets/payloads/README.md', import.meta.url), 'utf8');
  assert.ok(readme.includes(DEFAULT_PAYLOAD_ID));
});
