import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '../../../src/bencode/index.ts';
import { crc32c } from '../../../src/bittorrent/dht/crc32c.ts';
import { KrpcDecodeError } from '../../../src/bittorrent/dht/errors.ts';
import { decodeKrpc, encodeError, encodeQuery, encodeResponse, MAX_PACKET } from '../../../src/bittorrent/dht/krpc.ts';
import { bep42NodeId, commonPrefixBits, isBep42Valid } from '../../../src/bittorrent/dht/node-id.ts';

const id = (b: number) => new Uint8Array(20).fill(b);
const t = Uint8Array.of(0x61, 0x61);

test('crc32c matches the Castagnoli check value', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
});

test('BEP 42 test vectors: id prefix and last byte', () => {
  const vectors: [string, number, string][] = [
    ['124.31.75.21', 1, '5fbfbf'], ['21.75.31.124', 86, '5a3ce9'], ['65.23.51.170', 22, 'a5d432'],
    ['84.124.73.14', 65, '1b0321'], ['43.213.53.83', 90, 'e56f6c'],
  ];
  for (const [ip, rand, prefix] of vectors) {
    const nid = bep42NodeId(ip, rand, id(0));
    // The third byte keeps 3 random low bits; with a zero fill they are 0, so compare the top 5 bits only.
    assert.equal(Buffer.from(nid.subarray(0, 2)).toString('hex'), prefix.slice(0, 4), ip);
    assert.equal(nid[2]! & 0xf8, parseInt(prefix.slice(4), 16) & 0xf8, ip);
    assert.equal(nid[19], rand);
    assert.ok(isBep42Valid(nid, ip));
    assert.ok(!isBep42Valid(nid, '198.18.0.9'), 'an id is not valid for another address');
  }
  assert.ok(isBep42Valid(id(7), '127.0.0.1'), 'loopback is exempt');
});

test('commonPrefixBits', () => {
  assert.equal(commonPrefixBits(id(0), id(0)), 160);
  const b = id(0); b[1] = 0x10;
  assert.equal(commonPrefixBits(id(0), b), 11);
});

test('queries round-trip, with BEP 43 ro and implied_port', () => {
  const q = decodeKrpc(encodeQuery(t, 'announce_peer', id(1), { infoHash: id(2), port: 6881, token: Uint8Array.of(1, 2), impliedPort: true }, { readOnly: true }));
  assert.equal(q.y, 'q');
  if (q.y !== 'q') return;
  assert.equal(q.q, 'announce_peer');
  assert.deepEqual(q.id, id(1));
  assert.deepEqual(q.infoHash, id(2));
  assert.equal(q.port, 6881);
  assert.deepEqual(q.token, Uint8Array.of(1, 2));
  assert.equal(q.impliedPort, true);
  assert.equal(q.readOnly, true);
});

test('responses round-trip compact nodes, values, token and BEP 42 ip', () => {
  const nodes = [{ id: id(3), ip: '198.18.0.5', port: 7000 }, { id: id(4), ip: '10.0.0.1', port: 1 }];
  const values = [{ ip: '198.18.0.6', port: 51413 }];
  const r = decodeKrpc(encodeResponse(t, id(9), { nodes, values, token: Uint8Array.of(7) }, { ip: '203.0.113.4', port: 4000 }));
  assert.equal(r.y, 'r');
  if (r.y !== 'r') return;
  assert.deepEqual(r.nodes, nodes);
  assert.deepEqual(r.values, values);
  assert.deepEqual(r.token, Uint8Array.of(7));
  assert.deepEqual(r.ip, { ip: '203.0.113.4', port: 4000 });
  const e = decodeKrpc(encodeError(t, 204, 'Method Unknown'));
  assert.deepEqual(e.y === 'e' && [e.code, e.message], [204, 'Method Unknown']);
});

test('hostile packets are rejected with a named reason', () => {
  const reason = (b: Uint8Array) => { try { decodeKrpc(b); return 'accepted'; } catch (e) { assert.ok(e instanceof KrpcDecodeError); return e.reason; } };
  assert.equal(reason(new Uint8Array(MAX_PACKET + 1)), 'packet-too-large');
  assert.equal(reason(new TextEncoder().encode('garbage')), 'bad-bencode');
  assert.equal(reason(encode([1, 2])), 'not-a-dict');
  assert.equal(reason(encode({ t: new Uint8Array(17), y: 'q', q: 'ping', a: { id: id(1) } })), 'bad-transaction-id');
  assert.equal(reason(encode({ t, y: 'q', q: 'ping', a: { id: new Uint8Array(19) } })), 'bad-id-length');
  assert.equal(reason(encode({ t, y: 'q', q: 'ping' })), 'missing-arguments');
  assert.equal(reason(encode({ t, y: 'r', r: { id: id(1), nodes: new Uint8Array(27) } })), 'bad-nodes-length');
  assert.equal(reason(encode({ t, y: 'r', r: { id: id(1), nodes: new Uint8Array(26 * 17) } })), 'too-many-nodes');
  assert.equal(reason(encode({ t, y: 'q', q: 'announce_peer', a: { id: id(1), port: 70000 } })), 'bad-port');
  assert.equal(reason(encode({ t, y: 'x' })), 'bad-message-type');
  assert.equal(reason(encode({ t, y: 'q', q: 'ping', a: { id: id(1), token: new Uint8Array(65) } })), 'token-too-long');
  // Deep nesting is refused by the bounded bencode decoder before any allocation.
  assert.equal(reason(new TextEncoder().encode(`d1:t2:aa1:y1:q1:a${'l'.repeat(10)}${'e'.repeat(10)}e`)), 'bad-bencode');
});
