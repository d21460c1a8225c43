import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { simulateDownload } from '../../../src/lab/sim-downloader.ts';
import { makeTorrent, startTestSeeder } from './test-seeder.ts';

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const base = { host: '127.0.0.1', timeoutMs: 10_000, maxBytes: 1 << 20 };

test('torrent mode downloads, verifies every piece and reports the content sha256', async () => {
  const t = makeTorrent(5 * 32768 + 1000, 32768); // 6 pieces, short last piece, 2-3 blocks each
  const seeder = await startTestSeeder(t);
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash, info: t.info });
    assert.equal(r.error, undefined);
    assert.equal(r.ok, true);
    assert.equal(r.metadataFetched, false);
    assert.equal(r.piecesVerified, 6);
    assert.equal(r.bytes, t.content.length);
    assert.equal(r.sha256, sha256(t.content));
    assert.ok(r.localPort > 0);
    await waitFor(() => seeder.haves.length === 6);
    assert.deepEqual([...seeder.haves].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
  } finally {
    await seeder.close();
  }
});

test('magnet mode fetches the info dict over BEP 9, then downloads', async () => {
  const t = makeTorrent(70_000, 16384);
  const seeder = await startTestSeeder(t);
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.metadataFetched, true);
    assert.equal(r.piecesVerified, t.pieceCount);
    assert.equal(r.sha256, sha256(t.content));
  } finally {
    await seeder.close();
  }
});

test('fraction 0.5 stops after half the pieces, with no content hash', async () => {
  const t = makeTorrent(8 * 16384, 16384);
  const seeder = await startTestSeeder(t);
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash, info: t.info, fraction: 0.5 });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.piecesVerified, 4);
    assert.equal(r.bytes, 4 * 16384);
    assert.equal(r.sha256, undefined);
    assert.ok(seeder.requestsServed <= 4, `served ${seeder.requestsServed} blocks for 4 single-block pieces`);
  } finally {
    await seeder.close();
  }
});

test('a corrupted piece fails the download with ok:false naming the piece', async () => {
  const t = makeTorrent(4 * 16384, 16384);
  const seeder = await startTestSeeder(t, { corruptPiece: 2 });
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash, info: t.info });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /piece 2 failed SHA-1/);
    assert.ok(r.piecesVerified <= 3);
    assert.equal(r.sha256, undefined);
  } finally {
    await seeder.close();
  }
});

test('a timeout ends a transfer the seeder never unchokes', async () => {
  const t = makeTorrent(4 * 16384, 16384);
  const seeder = await startTestSeeder(t, { neverUnchoke: true });
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash, info: t.info, timeoutMs: 300 });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /timed out/);
    assert.equal(r.piecesVerified, 0);
  } finally {
    await seeder.close();
  }
});

test('an AbortSignal ends a stalled transfer', async () => {
  const t = makeTorrent(4 * 16384, 16384);
  const seeder = await startTestSeeder(t, { neverUnchoke: true });
  try {
    const ac = new AbortController();
    const p = simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash, info: t.info, signal: ac.signal });
    await waitFor(() => seeder.remoteAddresses.length === 1);
    ac.abort();
    const r = await p;
    assert.equal(r.ok, false);
    assert.equal(r.error, 'aborted');
  } finally {
    await seeder.close();
  }
});

test('localAddress sets the source address the seeder sees', async () => {
  const t = makeTorrent(16384, 16384);
  const seeder = await startTestSeeder(t);
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash, info: t.info, localAddress: '127.0.0.5' });
    assert.equal(r.ok, true, r.error);
    assert.deepEqual(seeder.remoteAddresses, ['127.0.0.5']);
  } finally {
    await seeder.close();
  }
});

test('content larger than maxBytes is refused before any request', async () => {
  const t = makeTorrent(4 * 16384, 16384);
  const seeder = await startTestSeeder(t);
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash, maxBytes: 16384 });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /larger than maxBytes/);
    assert.equal(seeder.requestsServed, 0);
  } finally {
    await seeder.close();
  }
});

test('resolves with ok:false instead of rejecting on bad input', async () => {
  const t = makeTorrent(16384, 16384);
  const cases = [
    { ...base, port: 1, infoHash: t.infoHash, host: '192.0.2.1' },
    { ...base, port: 1, infoHash: t.infoHash, localAddress: '10.0.0.1' },
    { ...base, port: 1, infoHash: t.infoHash, fraction: 0 },
    { ...base, port: 1, infoHash: t.infoHash, info: makeTorrent(16384, 16384).info },
    { ...base, port: 1, infoHash: new Uint8Array(19) },
  ];
  for (const init of cases) {
    const r = await simulateDownload(init);
    assert.equal(r.ok, false);
    assert.ok(r.error && r.error.length > 0);
    assert.equal(r.localPort, 0);
  }
});

test('a refused connection resolves with ok:false', async () => {
  const t = makeTorrent(16384, 16384);
  const seeder = await startTestSeeder(t);
  const port = seeder.port;
  await seeder.close();
  const r = await simulateDownload({ ...base, port, infoHash: t.infoHash, info: t.info });
  assert.equal(r.ok, false);
  assert.match(r.error ?? '', /ECONNREFUSED|closed/);
});

test('blocks dropped by a choke are requested again after the unchoke', async () => {
  const t = makeTorrent(6 * 16384, 16384);
  const seeder = await startTestSeeder(t, { chokeOnceAfter: 2 });
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash, info: t.info });
    assert.equal(r.ok, true, r.error);
    assert.equal(r.sha256, sha256(t.content));
  } finally {
    await seeder.close();
  }
});

test('metadata that does not hash to the infohash is refused', async () => {
  const t = makeTorrent(2 * 16384, 16384);
  const other = makeTorrent(2 * 16384, 16384, 'beach-walk-0001.mp4');
  const seeder = await startTestSeeder(t, { serveInfo: other.info });
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /metadata/i);
    assert.equal(r.metadataFetched, false);
    assert.equal(seeder.requestsServed, 0);
  } finally {
    await seeder.close();
  }
});

test('a ut_metadata message for an impossible piece fails the download instead of throwing', async () => {
  const t = makeTorrent(2 * 16384, 16384);
  const seeder = await startTestSeeder(t, { bogusMetadataPiece: 1000 });
  try {
    const r = await simulateDownload({ ...base, port: seeder.port, infoHash: t.infoHash });
    assert.equal(r.ok, false);
    assert.match(r.error ?? '', /malformed ut_metadata/);
  } finally {
    await seeder.close();
  }
});

/** Polls a condition a bounded number of times (the seeder sees `have`s shortly after the download resolves). */
async function waitFor(cond: () => boolean, tries = 200): Promise<void> {
  for (let i = 0; i < tries && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(cond(), 'condition not reached');
}
