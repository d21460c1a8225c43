import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { MetainfoError, magnetLink } from '../../../src/decoy/index.ts';

const HASH = '0123456789abcdef0123456789abcdef01234567';

test('magnet link: btih, dn, xl, tr, x.pe, percent-encoded and parseable by URL', () => {
  const name = 'holiday video #42 & more=æ.mp4';
  const link = magnetLink({
    infoHash: HASH.toUpperCase(), name, size: 168_820,
    trackers: ['http://198.18.0.1:6969/announce?x=1&y=2', 'udp://198.18.0.1:6969'],
    peers: ['198.18.0.2:6881', '[fd00::2]:6881', 'seeder.example:51413'],
  });
  assert.ok(link.startsWith(`magnet:?xt=urn:btih:${HASH}&dn=`));
  // Only unreserved chars, percent escapes and delimiters appear raw; [ ] only in x.pe.
  assert.match(link, /^magnet:\?[A-Za-z0-9\-._~%=&:!'()*[\]]+$/);
  assert.ok(link.endsWith('&x.pe=198.18.0.2:6881&x.pe=[fd00::2]:6881&x.pe=seeder.example:51413'));
  const q = new URL(link).searchParams;
  assert.equal(q.get('xt'), `urn:btih:${HASH}`);
  assert.equal(q.get('dn'), name);
  assert.equal(q.get('xl'), '168820');
  assert.deepEqual(q.getAll('tr'), ['http://198.18.0.1:6969/announce?x=1&y=2', 'udp://198.18.0.1:6969']);
  assert.deepEqual(q.getAll('x.pe'), ['198.18.0.2:6881', '[fd00::2]:6881', 'seeder.example:51413']);
  assert.deepEqual([...q.keys()], ['xt', 'dn', 'xl', 'tr', 'tr', 'x.pe', 'x.pe', 'x.pe']);
});

test('magnet link accepts a 20-byte infohash and omits optional parts', () => {
  const bytes = Uint8Array.from(Buffer.from(HASH, 'hex'));
  assert.equal(magnetLink({ infoHash: bytes, name: 'a b.mp4' }), `magnet:?xt=urn:btih:${HASH}&dn=a%20b.mp4`);
});

test('magnet link rejects bad input', () => {
  assert.throws(() => magnetLink({ infoHash: 'abc', name: 'x' }), RangeError);
  assert.throws(() => magnetLink({ infoHash: new Uint8Array(19), name: 'x' }), RangeError);
  assert.throws(() => magnetLink({ infoHash: HASH, name: '' }), MetainfoError);
  assert.throws(() => magnetLink({ infoHash: HASH, name: 'x', size: 0 }), /size must be a positive/);
  assert.throws(() => magnetLink({ infoHash: HASH, name: 'x', peers: ['198.18.0.2'] }), /host:port/);
  assert.throws(() => magnetLink({ infoHash: HASH, name: 'x', peers: ['198.18.0.2:70000'] }), /host:port/);
  assert.throws(() => magnetLink({ infoHash: HASH, name: 'x', peers: ['a b:1'] }), /host:port/);
  assert.throws(() => magnetLink({ infoHash: HASH, name: 'x', trackers: ['javascript:alert(1)'] }), /http, https or udp/);
});

test('libtorrent parses our magnet link to the same infohash, name, trackers and peers', () => {
  const link = magnetLink({
    infoHash: HASH, name: 'holiday video #42 & more=æ.mp4', size: 1000,
    trackers: ['http://198.18.0.1:6969/announce', 'udp://198.18.0.1:6969'],
    peers: ['198.18.0.2:6881', '[fd00::2]:6881'],
  });
  // Parsing only; libtorrent opens no session and touches no network here.
  const py = [
    'import sys, json, libtorrent as lt',
    'p = lt.parse_magnet_uri(sys.argv[1])',
    'h = p.info_hashes.v1 if hasattr(p, "info_hashes") else p.info_hash',
    'print(json.dumps({"hash": str(h), "name": p.name, "trackers": list(p.trackers), "peers": [f"{a}:{b}" for a, b in p.peers]}))',
  ].join('\n');
  const out = JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, link], { encoding: 'utf8', timeout: 20_000 })) as unknown;
  assert.deepEqual(out, {
    hash: HASH, name: 'holiday video #42 & more=æ.mp4',
    trackers: ['http://198.18.0.1:6969/announce', 'udp://198.18.0.1:6969'],
    peers: ['198.18.0.2:6881', 'fd00::2:6881'],
  });
});
