import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode, asDict } from '../../../src/bencode/index.ts';
import { BytesPieceSource, MetainfoError, buildInfo, buildMultiInfo, buildTorrentFile, parseTorrentFile, pieceHashes } from '../../../src/decoy/index.ts';

const PL = 16 * 1024;
const content = new Uint8Array(PL * 3 + 1234).map((_, i) => (i * 13) & 0xff);
const pieces = pieceHashes(new BytesPieceSource(content), PL);
const NAME = 'holiday-video-0042.mp4';
const TRACKERS = ['http://198.18.0.1:6969/announce', 'udp://198.18.0.1:6969/announce'];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

test('buildInfo: canonical single-file v1 info dict, infohash = SHA-1 of its bytes', () => {
  const { info, infoHash } = buildInfo({ name: NAME, pieceLength: PL, length: content.length, pieces });
  assert.equal(hex(infoHash), createHash('sha1').update(info).digest('hex'));
  const d = asDict(decode(info));
  assert.deepEqual([...d.keys()], ['length', 'name', 'piece length', 'pieces']);
  assert.equal(d.get('length'), content.length);
  assert.equal(d.get('piece length'), PL);
  assert.deepEqual(d.get('pieces'), pieces);
  assert.deepEqual(encode(d), info); // canonical: re-encoding is identical
  // Names are UTF-8; a different name is a different infohash.
  const other = buildInfo({ name: 'ferie-video-æøå.mp4', pieceLength: PL, length: content.length, pieces });
  assert.notEqual(hex(other.infoHash), hex(infoHash));
  assert.ok(Buffer.from(other.info).includes(Buffer.from('ferie-video-æøå.mp4', 'utf8')));
});

test('buildInfo rejects inconsistent parameters', () => {
  const ok = { name: NAME, pieceLength: PL, length: content.length, pieces };
  assert.throws(() => buildInfo({ ...ok, name: 'a/b' }), MetainfoError);
  assert.throws(() => buildInfo({ ...ok, length: 0 }), /length must be a positive/);
  assert.throws(() => buildInfo({ ...ok, pieceLength: 3 * PL }), /power of two/);
  assert.throws(() => buildInfo({ ...ok, pieceLength: 8192 }), /power of two/);
  assert.throws(() => buildInfo({ ...ok, pieces: pieces.subarray(20) }), /pieces must be 80 bytes/);
});

test('buildTorrentFile embeds the exact info bytes; parseTorrentFile round-trips', () => {
  const { info, infoHash } = buildInfo({ name: NAME, pieceLength: PL, length: content.length, pieces });
  const file = buildTorrentFile({ info, announce: TRACKERS, createdBy: 'counterseed test', creationDate: 1_700_000_000_999, comment: 'test' });
  const root = asDict(decode(file, { maxDepth: 8, maxItems: 1000, maxStringLength: 1 << 20 }));
  assert.deepEqual([...root.keys()], ['announce', 'announce-list', 'comment', 'created by', 'creation date', 'info']);
  assert.equal(Buffer.from(root.get('announce') as Uint8Array).toString(), TRACKERS[0]);
  assert.deepEqual((root.get('announce-list') as Uint8Array[][]).map((tier) => tier.map((u) => Buffer.from(u).toString())), TRACKERS.map((t) => [t]));
  assert.equal(root.get('creation date'), 1_700_000_000);
  assert.ok(Buffer.from(file).includes(Buffer.from(info)));
  const parsed = parseTorrentFile(file);
  assert.deepEqual(parsed, { infoHash, info, name: NAME, length: content.length, pieceLength: PL, files: [{ path: [NAME], length: content.length, pad: false }], multiFile: false, hybrid: false, announce: TRACKERS });
  // Without trackers: no announce keys at all (trackerless, DHT/magnet).
  const bare = buildTorrentFile({ info, createdBy: 'counterseed test' });
  assert.deepEqual([...asDict(decode(bare, { maxDepth: 8, maxItems: 1000, maxStringLength: 1 << 20 })).keys()], ['created by', 'info']);
  assert.deepEqual(parseTorrentFile(bare).announce, []);
  assert.equal(hex(parseTorrentFile(bare).infoHash), hex(infoHash));
});

test('parseTorrentFile uses the info bytes as found, even when not what we would encode', () => {
  // An info dict with an extra key we never write: the infohash must cover it.
  const info = encode({ length: 5, name: 'x.bin', 'piece length': PL, pieces: new Uint8Array(20), source: 'elsewhere' });
  const file = buildTorrentFile({ info, createdBy: 't' });
  assert.equal(hex(parseTorrentFile(file).infoHash), createHash('sha1').update(info).digest('hex'));
});

test('parseTorrentFile rejects malformed and unsupported torrents', () => {
  const bad: [Uint8Array, RegExp][] = [
    [new TextEncoder().encode('garbage'), /not a valid \.torrent/],
    [encode({ announce: 'http://x/' }), /no info dictionary/],
    [encode({ info: { name: 'd', 'piece length': PL, pieces: new Uint8Array(40), files: [{ length: 1, path: ['a'] }] } }), /pieces is 40 bytes, expected 20/],
    [encode({ info: { name: 'd', 'piece length': PL, pieces: new Uint8Array(20), files: [] } }), /non-empty list/],
    [encode({ info: { name: 'd', 'piece length': PL, pieces: new Uint8Array(20), files: [{ length: 1, path: [] }] } }), /path must be a list/],
    [encode({ info: { name: 'd', length: 1, 'piece length': PL, pieces: new Uint8Array(20), files: [{ length: 1, path: ['a'] }] } }), /both length and files/],
    [encode({ info: { length: 5, name: 'x', 'piece length': PL, pieces: new Uint8Array(40) } }), /pieces is 40 bytes, expected 20/],
    [encode({ info: { length: 5, name: 'x', 'piece length': PL } }), /v2-only/],
    [encode({ info: { length: 5, 'piece length': PL, pieces: new Uint8Array(20) } }), /info\.name is missing/],
    [encode({ info: { length: 5, name: new Uint8Array([0xff]), 'piece length': PL, pieces: new Uint8Array(20) } }), /not valid UTF-8/],
    [encode({ info: { length: 0, name: 'x', 'piece length': PL, pieces: new Uint8Array(0) } }), /length is missing or not positive/],
    [encode({ 'announce-list': ['http://x/'], info: { length: 5, name: 'x', 'piece length': PL, pieces: new Uint8Array(20) } }), /tiers must be lists/],
  ];
  for (const [bytes, msg] of bad) assert.throws(() => parseTorrentFile(bytes), (e: unknown) => e instanceof MetainfoError && msg.test(e.message), String(msg));
});

test('buildTorrentFile validates trackers and info', () => {
  const { info } = buildInfo({ name: NAME, pieceLength: PL, length: content.length, pieces });
  assert.throws(() => buildTorrentFile({ info, announce: ['ftp://x/announce'], createdBy: 't' }), /http, https or udp/);
  assert.throws(() => buildTorrentFile({ info, announce: ['not a url'], createdBy: 't' }), /not a URL/);
  assert.throws(() => buildTorrentFile({ info, announce: [TRACKERS[0]!, TRACKERS[0]!], createdBy: 't' }), /listed twice/);
  assert.throws(() => buildTorrentFile({ info: new TextEncoder().encode('i1e'), createdBy: 't' }), /not a bencoded dictionary/);
  assert.throws(() => buildTorrentFile({ info: new TextEncoder().encode('d1:a'), createdBy: 't' }), /not valid bencode/);
});

test('real tools read our .torrent: transmission-show and libtorrent agree on infohash, name, length', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-torrent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const name = 'ferie-video-0042 æøå, part 1.mp4';
  const { info, infoHash } = buildInfo({ name, pieceLength: PL, length: content.length, pieces });
  const path = join(dir, 'decoy.torrent');
  writeFileSync(path, buildTorrentFile({ info, announce: TRACKERS, createdBy: 'counterseed test', creationDate: 1_700_000_000_000 }));

  // Only reads a local file; no network.
  const show = execFileSync('transmission-show', [path], { encoding: 'utf8', timeout: 20_000 });
  assert.match(show, new RegExp(`Hash: ${hex(infoHash)}`));
  assert.ok(show.includes(`Name: ${name}`), show);
  assert.ok(show.includes(`${name} (`), show);
  assert.match(show, /Piece Count: 4\b/);
  for (const tr of TRACKERS) assert.ok(show.includes(tr), show);

  const py = [
    'import sys, json, libtorrent as lt',
    'ti = lt.torrent_info(sys.argv[1])',
    'print(json.dumps({"hash": str(ti.info_hash()), "name": ti.name(), "length": ti.total_size(),',
    '  "piece_length": ti.piece_length(), "pieces": ti.num_pieces(), "files": ti.num_files(),',
    '  "trackers": [t.url for t in ti.trackers()]}))',
  ].join('\n');
  const lt = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, path], { encoding: 'utf8', timeout: 20_000 })) as Record<string, unknown>;
  assert.deepEqual(lt, { hash: hex(infoHash), name, length: content.length, piece_length: PL, pieces: 4, files: 1, trackers: TRACKERS });
});

test('parseTorrentFile reads multi-file torrents (BEP 3) and BEP 47 pad files', () => {
  const files = [{ path: ['clip-0001.mp4'], length: PL * 2 }, { path: ['sub', 'notes-0001.txt'], length: PL + 1234 }];
  const { info, infoHash } = buildMultiInfo({ name: 'holiday-folder-0042', files, pieceLength: PL, pieces });
  const parsed = parseTorrentFile(buildTorrentFile({ info, announce: TRACKERS, createdBy: 't' }));
  assert.equal(hex(parsed.infoHash), hex(infoHash));
  assert.equal(parsed.name, 'holiday-folder-0042');
  assert.equal(parsed.length, content.length);
  assert.deepEqual(parsed.files, files.map((f) => ({ ...f, pad: false })));
  assert.equal(parsed.hybrid, false);
  assert.equal(parsed.multiFile, true);
  // A pad file counts towards the length and is flagged.
  const padded = encode({ info: { files: [{ length: 5, path: ['a'] }, { attr: 'p', length: PL - 5, path: ['.pad', String(PL - 5)] }, { length: 3, path: ['b'] }], 'meta version': 2, name: 'd', 'piece length': PL, pieces: new Uint8Array(40) } });
  const p2 = parseTorrentFile(padded);
  assert.deepEqual(p2.files.map((f) => f.pad), [false, true, false]);
  assert.equal(p2.length, PL + 3);
  assert.equal(p2.hybrid, true);
  // Single-file torrents list their one file under the name.
  const single = buildInfo({ name: NAME, pieceLength: PL, length: content.length, pieces });
  assert.deepEqual(parseTorrentFile(buildTorrentFile({ info: single.info, createdBy: 't' })).files, [{ path: [NAME], length: content.length, pad: false }]);
});
