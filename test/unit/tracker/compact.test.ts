import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCompactPeers, encodeCompactPeers } from '../../../src/bittorrent/tracker/codec/compact.ts';
import { TrackerCodecError } from '../../../src/bittorrent/tracker/codec/errors.ts';
import { formatIPv6, normalizeIp, parseIPv4, parseIPv6 } from '../../../src/bittorrent/tracker/codec/ip.ts';

test('IPv4 compact peers round-trip with exact BEP 23 bytes', () => {
  const peers = [{ ip: '127.0.0.1', port: 6881 }, { ip: '10.255.0.9', port: 65535 }];
  const b = encodeCompactPeers(peers, 4);
  assert.deepEqual([...b.subarray(0, 6)], [127, 0, 0, 1, 0x1a, 0xe1]);
  assert.equal(b.length, 12);
  assert.deepEqual(decodeCompactPeers(b, 4), peers);
});

test('IPv6 compact peers (BEP 7) round-trip in canonical form, other families and port 0 skipped', () => {
  const peers = [{ ip: '::1', port: 1 }, { ip: '2001:db8::8:800:200c:417a', port: 51413 }, { ip: '127.0.0.1', port: 5 }, { ip: 'fe80::1', port: 0 }];
  const b = encodeCompactPeers(peers, 6);
  assert.equal(b.length, 36);
  assert.deepEqual(decodeCompactPeers(b, 6), peers.slice(0, 2));
  assert.equal(encodeCompactPeers(peers, 4).length, 6);
});

test('compact lists with a partial entry or too many peers are rejected with a reason', () => {
  assert.throws(() => decodeCompactPeers(new Uint8Array(7), 4), (e) => e instanceof TrackerCodecError && e.reason === 'compact-length');
  assert.throws(() => decodeCompactPeers(new Uint8Array(17), 6), (e) => e instanceof TrackerCodecError && e.reason === 'compact-length');
  assert.throws(() => decodeCompactPeers(new Uint8Array(6 * 11), 4, 10), (e) => e instanceof TrackerCodecError && e.reason === 'too-many-peers');
});

test('IP literal parsing is strict', () => {
  assert.equal(parseIPv4('256.0.0.1'), null);
  assert.equal(parseIPv4('01.2.3.4'), null);
  assert.equal(parseIPv4('1.2.3'), null);
  assert.equal(parseIPv6('1::2::3'), null);
  assert.equal(parseIPv6('12345::'), null);
  assert.equal(parseIPv6('1:2:3:4:5:6:7:8:9'), null);
  assert.equal(parseIPv6('example.org'), null);
  assert.equal(formatIPv6(parseIPv6('0:0:0:0:0:ffff:7f00:1')!), '::ffff:7f00:1');
  assert.equal(formatIPv6(parseIPv6('2001:DB8:0:0:1:0:0:1')!), '2001:db8::1:0:0:1');
  assert.equal(formatIPv6(parseIPv6('1:0:2:3:4:5:6:7')!), '1:0:2:3:4:5:6:7');
  assert.deepEqual([...parseIPv6('::ffff:1.2.3.4')!.subarray(12)], [1, 2, 3, 4]);
  assert.equal(normalizeIp('::ffff:127.0.0.2'), '127.0.0.2');
  assert.equal(normalizeIp('::0001'), '::1');
});
