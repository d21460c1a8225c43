import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrackerCodecError } from '../../../src/bittorrent/tracker/codec/errors.ts';
import * as udp from '../../../src/bittorrent/tracker/codec/udp.ts';
import { HOSTILE_ID, id20 } from './fixtures.ts';

const rejects = (f: () => unknown, reason: string): void =>
  assert.throws(f, (e) => e instanceof TrackerCodecError && e.reason === reason, `expected ${reason}`);

test('connect request carries the protocol magic and decodes back', () => {
  const b = udp.encodeConnectRequest(0xdeadbeef);
  assert.equal(Buffer.from(b).toString('hex'), '0000041727101980' + '00000000' + 'deadbeef');
  assert.deepEqual(udp.decodeConnectRequest(b), { transactionId: 0xdeadbeef });
});

test('connect request: wrong magic, bad action and wrong length are rejected', () => {
  const b = udp.encodeConnectRequest(1);
  const badMagic = b.slice(); badMagic[7] = badMagic[7]! ^ 1;
  rejects(() => udp.decodeConnectRequest(badMagic), 'bad-magic');
  const badAction = b.slice(); badAction[11] = 2;
  rejects(() => udp.decodeConnectRequest(badAction), 'bad-action');
  rejects(() => udp.decodeConnectRequest(b.subarray(0, 15)), 'bad-length');
  rejects(() => udp.decodeConnectRequest(new Uint8Array(17)), 'bad-length');
});

test('connect response round-trips a full 64-bit connection id', () => {
  const r = udp.decodeConnectResponse(udp.encodeConnectResponse(7, 0xfedcba9876543210n));
  assert.deepEqual(r, { transactionId: 7, connectionId: 0xfedcba9876543210n });
  rejects(() => udp.decodeConnectResponse(new Uint8Array(15)), 'bad-length');
});

test('announce request is 98 bytes and round-trips every field, including u64 counters above 2^53', () => {
  const req: udp.UdpAnnounceRequest = {
    connectionId: 0x0123456789abcdefn, transactionId: 99, infoHash: HOSTILE_ID, peerId: id20(3),
    downloaded: 2n ** 60n + 1n, left: 0n, uploaded: 12345n, event: 'completed', ip: 0x7f000002, key: 0xffffffff, numWant: -1, port: 51413,
  };
  const b = udp.encodeAnnounceRequest(req);
  assert.equal(b.length, 98);
  assert.equal(b[83], 1, 'event completed = 1');
  assert.deepEqual(udp.decodeAnnounceRequest(b), req);
  for (const [event, code] of [['none', 0], ['started', 2], ['stopped', 3]] as const) {
    assert.equal(udp.encodeAnnounceRequest({ ...req, event })[83], code);
  }
});

test('announce request: truncated, oversize, bad action and bad event are rejected; BEP 41 options tolerated', () => {
  const base = udp.encodeAnnounceRequest({
    connectionId: 1n, transactionId: 2, infoHash: id20(1), peerId: id20(2), downloaded: 0n, left: 0n, uploaded: 0n,
    event: 'none', ip: 0, key: 0, numWant: 50, port: 1,
  });
  for (let n = 0; n < 98; n += 7) rejects(() => udp.decodeAnnounceRequest(base.subarray(0, n)), 'truncated');
  rejects(() => udp.decodeAnnounceRequest(new Uint8Array(98 + udp.MAX_ANNOUNCE_OPTIONS_LEN + 1)), 'oversize');
  const withOptions = new Uint8Array(98 + 12); withOptions.set(base); withOptions.set([2, 9, ...Buffer.from('/announce')], 98);
  assert.equal(udp.decodeAnnounceRequest(withOptions).numWant, 50);
  const badAction = base.slice(); badAction[11] = 2;
  rejects(() => udp.decodeAnnounceRequest(badAction), 'bad-action');
  const badEvent = base.slice(); badEvent[83] = 4;
  rejects(() => udp.decodeAnnounceRequest(badEvent), 'bad-event');
});

test('announce response: peers in the socket family, truncated header rejected', () => {
  const peers = [{ ip: '127.0.0.5', port: 7000 }, { ip: '127.0.0.6', port: 7001 }];
  const b = udp.encodeAnnounceResponse({ transactionId: 5, interval: 60, leechers: 3, seeders: 4, peers }, 4);
  assert.equal(b.length, 20 + 12);
  assert.deepEqual(udp.decodeAnnounceResponse(b, 4), { transactionId: 5, interval: 60, leechers: 3, seeders: 4, peers });
  rejects(() => udp.decodeAnnounceResponse(b.subarray(0, 19), 4), 'truncated');
  rejects(() => udp.decodeAnnounceResponse(b.subarray(0, 25), 4), 'compact-length');
  const v6 = udp.encodeAnnounceResponse({ transactionId: 5, interval: 60, leechers: 0, seeders: 0, peers: [{ ip: '::1', port: 9 }] }, 6);
  assert.deepEqual(udp.decodeAnnounceResponse(v6, 6).peers, [{ ip: '::1', port: 9 }]);
});

test('scrape request/response round-trip and bounds', () => {
  const hashes = [id20(1), id20(2), HOSTILE_ID];
  const q = udp.decodeScrapeRequest(udp.encodeScrapeRequest({ connectionId: 8n, transactionId: 9, infoHashes: hashes }));
  assert.deepEqual(q, { connectionId: 8n, transactionId: 9, infoHashes: hashes });
  rejects(() => udp.decodeScrapeRequest(new Uint8Array(16)), 'bad-length');
  rejects(() => udp.decodeScrapeRequest(new Uint8Array(16 + 21)), 'bad-length');
  rejects(() => udp.decodeScrapeRequest(new Uint8Array(16 + 20 * 75)), 'oversize');
  const stats = [{ complete: 1, downloaded: 2, incomplete: 3 }, { complete: 0, downloaded: 0, incomplete: 0 }];
  assert.deepEqual(udp.decodeScrapeResponse(udp.encodeScrapeResponse({ transactionId: 4, stats })), { transactionId: 4, stats });
  rejects(() => udp.decodeScrapeResponse(new Uint8Array(8 + 13)), 'bad-length');
});

test('error response carries the message; bad action and oversize rejected', () => {
  const b = udp.encodeErrorResponse(11, 'unknown torrent');
  assert.deepEqual(udp.decodeErrorResponse(b), { transactionId: 11, message: 'unknown torrent' });
  assert.equal(udp.encodeErrorResponse(1, 'x'.repeat(5000)).length, 8 + udp.MAX_ERROR_MESSAGE_LEN);
  const wrong = b.slice(); wrong[3] = 1;
  rejects(() => udp.decodeErrorResponse(wrong), 'bad-action');
  rejects(() => udp.decodeErrorResponse(new Uint8Array(7)), 'truncated');
  rejects(() => udp.decodeErrorResponse(new Uint8Array(9 + udp.MAX_ERROR_MESSAGE_LEN)), 'oversize');
});

test('encoders refuse out-of-range fields instead of writing garbage', () => {
  assert.throws(() => udp.encodeConnectRequest(2 ** 32), RangeError);
  assert.throws(() => udp.encodeConnectResponse(1, -1n), RangeError);
  assert.throws(() => udp.encodeScrapeRequest({ connectionId: 1n, transactionId: 1, infoHashes: [] }), RangeError);
  assert.throws(() => udp.encodeAnnounceRequest({
    connectionId: 1n, transactionId: 1, infoHash: new Uint8Array(19), peerId: id20(1), downloaded: 0n, left: 0n, uploaded: 0n,
    event: 'none', ip: 0, key: 0, numWant: -1, port: 1,
  }), RangeError);
});

test('peekHeader needs 8 bytes at the offset', () => {
  assert.equal(udp.peekHeader(new Uint8Array(15), 8), null);
  assert.deepEqual(udp.peekHeader(udp.encodeConnectRequest(77), 8), { action: 0, transactionId: 77 });
});
