import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sniffMediaType } from '../../../src/payload/index.ts';

const b = (...parts: (string | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p))));

test('sniffs magic bytes regardless of extension', () => {
  assert.equal(sniffMediaType(b([0, 0, 0, 0x20], 'ftypisom'), 'x.bin'), 'video/mp4');
  assert.equal(sniffMediaType(b([0, 0, 0, 0x14], 'ftypqt  ')), 'video/quicktime');
  assert.equal(sniffMediaType(b([0x1a, 0x45, 0xdf, 0xa3], '\x9f\x42\x82\x84webm')), 'video/webm');
  assert.equal(sniffMediaType(b([0x1a, 0x45, 0xdf, 0xa3], '\x9f\x42\x82\x88matroska')), 'video/x-matroska');
  assert.equal(sniffMediaType(b([0x89], 'PNG\r\n\x1a\n')), 'image/png');
  assert.equal(sniffMediaType(b([0xff, 0xd8, 0xff, 0xe0])), 'image/jpeg');
  assert.equal(sniffMediaType(b('%PDF-1.7')), 'application/pdf');
  assert.equal(sniffMediaType(b('PK', [3, 4])), 'application/zip');
  assert.equal(sniffMediaType(b('RIFF', [0, 0, 0, 0], 'AVI ')), 'video/x-msvideo');
  assert.equal(sniffMediaType(Buffer.from('Advarsel / warning: æøå\n', 'utf8'), 'x.mp4'), 'text/plain; charset=utf-8');
});

test('falls back to the extension, then octet-stream', () => {
  const binary = Buffer.from([0, 1, 2, 3, 0xfe, 0xff]);
  assert.equal(sniffMediaType(binary, 'holiday-video-0042.MKV'), 'video/x-matroska');
  assert.equal(sniffMediaType(binary, 'x.mp4'), 'video/mp4');
  assert.equal(sniffMediaType(binary, 'x.unknown'), 'application/octet-stream');
  assert.equal(sniffMediaType(binary), 'application/octet-stream');
  assert.equal(sniffMediaType(new Uint8Array(0)), 'application/octet-stream');
  // Invalid UTF-8 is not text.
  assert.equal(sniffMediaType(Buffer.from([0x41, 0xc3, 0x28])), 'application/octet-stream');
});
