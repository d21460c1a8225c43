import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, encode } from '../../../src/bencode/index.ts';
import { TrackerCodecError } from '../../../src/bittorrent/tracker/codec/errors.ts';
import {
  MAX_ANNOUNCE_QUERY_LEN, buildAnnounceUrl, decodeAnnounceResponse, decodeScrapeResponse, encodeAnnounceResponse,
  encodeFailure, encodeScrapeResponse, parseAnnounceQuery, parseScrapeQuery,
} from '../../../src/bittorrent/tracker/codec/http.ts';
import type { AnnounceRequest } from '../../../src/bittorrent/tracker/codec/types.ts';
import { HOSTILE_ID, id20 } from './fixtures.ts';

const rejects = (f: () => unknown, reason: string): void =>
  assert.throws(f, (e) => e instanceof TrackerCodecError && e.reason === reason, `expected ${reason}`);

const REQ: AnnounceRequest = {
  infoHash: HOSTILE_ID, peerId: id20(9), port: 6881, uploaded: 1, downloaded: 2, left: 3, event: 'started',
  compact: true, numWant: 30, key: '0a1b2c3d', ip: '127.0.0.9', trackerId: 'abc',
};

test('buildAnnounceUrl -> parseAnnounceQuery round-trips binary ids with NUL, %, +, & and high bytes', () => {
  const url = buildAnnounceUrl('http://127.0.0.1:1/announce', REQ);
  assert.ok(url.startsWith('http://127.0.0.1:1/announce?info_hash=%00%25%2B%26%3D%20%FF%80'));
  assert.deepEqual(parseAnnounceQuery(url.slice(url.indexOf('?'))), REQ);
});

test('URLSearchParams would corrupt the info_hash; our parser does not', () => {
  const url = buildAnnounceUrl('http://h/a', REQ);
  const viaWhatwg = Buffer.from(new URL(url).searchParams.get('info_hash')!, 'utf8');
  assert.notDeepEqual(new Uint8Array(viaWhatwg), HOSTILE_ID);
  assert.deepEqual(parseAnnounceQuery(new URL(url).search).infoHash, HOSTILE_ID);
});

test('buildAnnounceUrl keeps an existing query (passkeys) and drops the fragment', () => {
  const req: AnnounceRequest = { infoHash: id20(1), peerId: id20(2), port: 1, uploaded: 0, downloaded: 0, left: 0, event: 'none' };
  assert.match(buildAnnounceUrl('http://h/announce?passkey=x', req), /^http:\/\/h\/announce\?passkey=x&info_hash=/);
  assert.match(buildAnnounceUrl('http://h/announce?', req), /^http:\/\/h\/announce\?info_hash=/);
  assert.match(buildAnnounceUrl('http://h/announce#frag', req), /^http:\/\/h\/announce\?info_hash=[^#]*$/);
  assert.doesNotMatch(buildAnnounceUrl('http://h/a', req), /event=/);
});

test('parseAnnounceQuery: lowercase escapes, + as space, event aliases, u64 counters', () => {
  const ih = '%00'.repeat(19) + '%ff';
  const base = `info_hash=${ih}&peer_id=${'A'.repeat(20)}&port=1&uploaded=0&downloaded=0&left=18446744073709551615`;
  const r = parseAnnounceQuery(base + '&event=empty');
  assert.equal(r.infoHash[19], 0xff);
  assert.equal(r.event, 'none');
  assert.equal(r.left, 2 ** 64);
  assert.equal(parseAnnounceQuery(base + '&event=paused').event, 'none');
  assert.equal(parseAnnounceQuery(`?${base}&key=a+b`).key, 'a b');
});

test('parseAnnounceQuery rejects malformed and hostile queries with named reasons', () => {
  const ok = buildAnnounceUrl('', { ...REQ, event: 'none', key: undefined, ip: undefined, trackerId: undefined, compact: undefined, numWant: undefined } as AnnounceRequest).slice(1);
  assert.doesNotThrow(() => parseAnnounceQuery(ok));
  const without = (k: string): string => ok.split('&').filter((p) => !p.startsWith(`${k}=`)).join('&');
  for (const k of ['info_hash', 'peer_id', 'port', 'uploaded', 'downloaded', 'left']) rejects(() => parseAnnounceQuery(without(k)), `missing-${k}`);
  rejects(() => parseAnnounceQuery(without('info_hash') + '&info_hash=%00%01'), 'bad-info_hash');
  rejects(() => parseAnnounceQuery(without('peer_id') + '&peer_id=' + '%41'.repeat(21)), 'bad-peer_id');
  rejects(() => parseAnnounceQuery(ok + '&info_hash=' + '%00'.repeat(20)), 'duplicate-param');
  rejects(() => parseAnnounceQuery(without('port') + '&port=65536'), 'bad-port');
  rejects(() => parseAnnounceQuery(without('port') + '&port=-1'), 'bad-port');
  rejects(() => parseAnnounceQuery(without('left') + '&left=18446744073709551616'), 'bad-left');
  rejects(() => parseAnnounceQuery(without('left') + '&left=1e3'), 'bad-left');
  rejects(() => parseAnnounceQuery(ok + '&event=exploded'), 'bad-event');
  rejects(() => parseAnnounceQuery(ok + '&compact=2'), 'bad-compact');
  rejects(() => parseAnnounceQuery(ok + '&numwant=x'), 'bad-numwant');
  rejects(() => parseAnnounceQuery(ok + '&ip=' + 'a'.repeat(65)), 'bad-ip');
  rejects(() => parseAnnounceQuery(ok + '&x=%G0'), 'bad-escape');
  rejects(() => parseAnnounceQuery(ok + '&x=%4'), 'bad-escape');
  rejects(() => parseAnnounceQuery(ok + '&x=a b'), 'bad-char');
  rejects(() => parseAnnounceQuery(ok + '&x=\u0100'), 'bad-char');
  rejects(() => parseAnnounceQuery(ok + '&p=1'.repeat(30)), 'too-many-params');
  rejects(() => parseAnnounceQuery(ok + '&pad=' + 'a'.repeat(MAX_ANNOUNCE_QUERY_LEN)), 'oversize-query');
});

test('parseScrapeQuery: repeated info_hash, bounded count, no full scrape', () => {
  const q = [id20(1), HOSTILE_ID].map((h) => 'info_hash=' + Buffer.from(h).toString('hex').replace(/../g, '%$&')).join('&');
  assert.deepEqual(parseScrapeQuery(q), [id20(1), HOSTILE_ID]);
  rejects(() => parseScrapeQuery(''), 'missing-info_hash');
  rejects(() => parseScrapeQuery('info_hash=abc'), 'bad-info_hash');
  rejects(() => parseScrapeQuery(Array(75).fill('info_hash=' + 'a'.repeat(20)).join('&')), 'too-many-hashes');
});

test('compact response: IPv4 in peers, IPv6 in peers6, decoded back together', () => {
  const peers = [{ ip: '127.0.0.2', port: 1000 }, { ip: '::1', port: 2000 }];
  const body = encodeAnnounceResponse({ interval: 120, complete: 2, incomplete: 1, peers, compact: true });
  const d = decode(body) as Map<string, unknown>;
  assert.equal((d.get('peers') as Uint8Array).length, 6);
  assert.equal((d.get('peers6') as Uint8Array).length, 18);
  assert.deepEqual(decodeAnnounceResponse(body), { ok: true, response: { interval: 120, complete: 2, incomplete: 1, peers } });
});

test('dictionary (non-compact) response carries peer ids and decodes', () => {
  const body = encodeAnnounceResponse({
    interval: 60, minInterval: 30, complete: 0, incomplete: 1, compact: false, warning: 'lab tracker',
    peers: [{ ip: '127.0.0.3', port: 3, peerId: id20(5) }],
  });
  const peer = ((decode(body) as Map<string, unknown>).get('peers') as Map<string, unknown>[])[0]!;
  assert.deepEqual(peer.get('peer id'), id20(5));
  const r = decodeAnnounceResponse(body);
  assert.ok(r.ok);
  assert.deepEqual(r.response, { interval: 60, minInterval: 30, complete: 0, incomplete: 1, warning: 'lab tracker', peers: [{ ip: '127.0.0.3', port: 3 }] });
});

test('failure responses and malformed bodies', () => {
  assert.deepEqual(decodeAnnounceResponse(encodeFailure('unknown torrent')), { ok: false, failure: 'unknown torrent' });
  assert.deepEqual(decodeAnnounceResponse(encode({ 'failure reason': 'x'.repeat(2000), interval: 5 })), { ok: false, failure: 'x'.repeat(512) });
  rejects(() => decodeAnnounceResponse(new TextEncoder().encode('d14:failure reas')), 'bad-bencode');
  rejects(() => decodeAnnounceResponse(new TextEncoder().encode('<html>502</html>')), 'bad-bencode');
  rejects(() => decodeAnnounceResponse(encode({ peers: new Uint8Array(0) })), 'missing-interval');
  rejects(() => decodeAnnounceResponse(encode({ interval: -5 })), 'bad-interval');
  rejects(() => decodeAnnounceResponse(encode({ interval: 5, peers: new Uint8Array(7) })), 'compact-length');
  rejects(() => decodeAnnounceResponse(encode({ interval: 5, peers: [{ ip: '1.2.3.4' }] })), 'bad-peer');
  rejects(() => decodeAnnounceResponse(encode({ interval: 5, peers: 7 })), 'bad-peers');
  rejects(() => decodeAnnounceResponse(encode({ interval: 'soon' })), 'bad-field');
  rejects(() => decodeAnnounceResponse(encode({ interval: 5, peers: new Uint8Array(66) }), 10), 'too-many-peers');
});

test('scrape response keys are raw 20-byte infohashes', () => {
  const hex = Buffer.from(HOSTILE_ID).toString('hex');
  const files = new Map([[hex, { complete: 1, downloaded: 2, incomplete: 3 }]]);
  const body = encodeScrapeResponse(files);
  assert.ok(Buffer.from(body).includes(Buffer.concat([Buffer.from('20:'), HOSTILE_ID])));
  assert.deepEqual(decodeScrapeResponse(body), files);
  rejects(() => decodeScrapeResponse(encodeFailure('no')), 'failure');
});

test('BEP 7: an announce over IPv4 can tell the tracker our IPv6 address (ipv6=)', () => {
  const url = new URL(buildAnnounceUrl('http://198.18.0.1:6969/announce', { ...REQ, ipv6: '2001:db8::2' }));
  assert.equal(url.searchParams.get('ipv6'), '2001:db8::2');
  assert.equal(new URL(buildAnnounceUrl('http://198.18.0.1:6969/announce', REQ)).searchParams.get('ipv6'), null);
});
