import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Payload } from '../../../src/domain/payload.ts';
import type { PieceSource } from '../../../src/domain/piece-source.ts';
import { defaultPayloadPath, DEFAULT_PAYLOAD_ID } from '../../../src/payload/index.ts';
import { BytesPieceSource, DecoyError, PieceHashCache, buildDecoys, parseNameList, parseTorrentFile, buildTorrentFile, pieceHashes } from '../../../src/decoy/index.ts';

const bytes = new Uint8Array(readFileSync(defaultPayloadPath()));
const payload: Payload = { id: DEFAULT_PAYLOAD_ID, size: bytes.length, label: 'warning-no-en.mp4', mediaType: 'video/mp4', addedAt: 0 };

function countingSource(): PieceSource & { reads: number } {
  const inner = new BytesPieceSource(bytes);
  const s = { reads: 0, length: inner.length, read: (o: number, l: number) => { s.reads++; return inner.read(o, l); } };
  return s;
}

test('the payload fixture is what the payload id says', () => {
  assert.equal(createHash('sha256').update(bytes).digest('hex'), payload.id);
});

test('buildDecoys: one decoy per row, same content, own infohash, in row order', () => {
  const rows = parseNameList('holiday-video-0042.mp4,1000000\nholiday-video-0043.mp4\n"holiday, part 3.mp4"');
  const decoys = buildDecoys(rows, payload, new BytesPieceSource(bytes));
  assert.equal(decoys.length, 3);
  const expectedPieces = pieceHashes(new BytesPieceSource(bytes), 16 * 1024);
  decoys.forEach((d, i) => {
    assert.equal(d.name, rows[i]!.name);
    assert.equal(d.payloadId, payload.id);
    assert.equal(d.contentSha256, payload.id);
    assert.equal(d.size, bytes.length); // the size column is not used yet (issue 3)
    assert.equal(d.pieceLength, 16 * 1024);
    assert.equal(d.pieceCount, Math.ceil(bytes.length / (16 * 1024)));
    assert.equal(d.infoHash, createHash('sha1').update(d.info).digest('hex'));
    const parsed = parseTorrentFile(buildTorrentFile({ info: d.info, createdBy: 'test' }));
    assert.equal(parsed.name, d.name);
    assert.equal(parsed.length, bytes.length);
    assert.ok(Buffer.from(d.info).includes(Buffer.from(expectedPieces)));
  });
  assert.equal(new Set(decoys.map((d) => d.infoHash)).size, 3);
  // Deterministic: same rows and payload give the same infohashes.
  assert.deepEqual(buildDecoys(rows, payload, new BytesPieceSource(bytes)).map((d) => d.infoHash), decoys.map((d) => d.infoHash));
});

test('10,000 names from one payload hash the payload once', () => {
  const rows = parseNameList(Array.from({ length: 10_000 }, (_, i) => `holiday-video-${String(i).padStart(5, '0')}.mp4`).join('\n'));
  const src = countingSource();
  const pieceCount = Math.ceil(bytes.length / (16 * 1024));
  const decoys = buildDecoys(rows, payload, src);
  assert.equal(decoys.length, 10_000);
  assert.equal(src.reads, pieceCount);
  assert.equal(new Set(decoys.map((d) => d.infoHash)).size, 10_000);
  // A shared cache makes later batches free.
  const cache = new PieceHashCache();
  buildDecoys(rows.slice(0, 5000), payload, src, { hashCache: cache });
  buildDecoys(rows.slice(5000), payload, src, { hashCache: cache });
  assert.equal(src.reads, 2 * pieceCount);
});

test('buildDecoys rejects a mismatched source and duplicate names', () => {
  assert.deepEqual(buildDecoys([], payload, new BytesPieceSource(bytes)), []);
  assert.throws(() => buildDecoys([{ line: 1, name: 'a.mp4', size: null }], payload, new BytesPieceSource(bytes.subarray(1))), DecoyError);
  assert.throws(() => buildDecoys([{ line: 1, name: 'a.mp4', size: null }, { line: 2, name: 'a.mp4', size: null }], payload, new BytesPieceSource(bytes)),
    /duplicate decoy name on line 2/);
});
