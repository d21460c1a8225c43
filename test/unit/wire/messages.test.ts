import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  type Message, WireError, decodeMessage, encodeMessage, encodePieceHeader,
} from '../../../src/bittorrent/wire/index.ts';

const samples: Message[] = [
  { type: 'keep-alive' },
  { type: 'choke' },
  { type: 'unchoke' },
  { type: 'interested' },
  { type: 'not-interested' },
  { type: 'have', index: 0xfffffffe },
  { type: 'bitfield', bitfield: Uint8Array.of(0xff, 0x80) },
  { type: 'bitfield', bitfield: new Uint8Array(0) },
  { type: 'request', index: 3, begin: 16384, length: 16384 },
  { type: 'piece', index: 7, begin: 32768, block: Uint8Array.from({ length: 100 }, (_, i) => i) },
  { type: 'piece', index: 1, begin: 0, block: new Uint8Array(0) },
  { type: 'cancel', index: 3, begin: 16384, length: 16384 },
  { type: 'port', port: 6881 },
  { type: 'suggest', index: 9 },
  { type: 'have-all' },
  { type: 'have-none' },
  { type: 'reject', index: 2, begin: 0, length: 16384 },
  { type: 'allowed-fast', index: 12 },
  { type: 'extended', id: 0, payload: new TextEncoder().encode('d1:md11:ut_metadatai3eee') },
  { type: 'extended', id: 255, payload: new Uint8Array(0) },
];

/** Strips and checks the length prefix. */
function body(frame: Uint8Array): Uint8Array {
  const len = new DataView(frame.buffer, frame.byteOffset).getUint32(0);
  assert.equal(len, frame.length - 4, 'length prefix matches body size');
  return frame.subarray(4);
}

for (const m of samples) {
  test(`${m.type} round-trips`, () => {
    assert.deepEqual(decodeMessage(body(encodeMessage(m))), m);
  });
}

test('constant frames have their BEP 3 / BEP 6 wire bytes', () => {
  assert.deepEqual([...encodeMessage({ type: 'keep-alive' })], [0, 0, 0, 0]);
  assert.deepEqual([...encodeMessage({ type: 'choke' })], [0, 0, 0, 1, 0]);
  assert.deepEqual([...encodeMessage({ type: 'unchoke' })], [0, 0, 0, 1, 1]);
  assert.deepEqual([...encodeMessage({ type: 'have-all' })], [0, 0, 0, 1, 14]);
  assert.deepEqual([...encodeMessage({ type: 'have-none' })], [0, 0, 0, 1, 15]);
  assert.deepEqual([...encodeMessage({ type: 'have', index: 0x01020304 })], [0, 0, 0, 5, 4, 1, 2, 3, 4]);
  assert.deepEqual([...encodeMessage({ type: 'port', port: 0x1ae1 })], [0, 0, 0, 3, 9, 0x1a, 0xe1]);
  assert.deepEqual([...encodeMessage({ type: 'request', index: 1, begin: 2, length: 3 })], [0, 0, 0, 13, 6, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3]);
  assert.deepEqual([...encodeMessage({ type: 'extended', id: 3, payload: Uint8Array.of(0x64, 0x65) })], [0, 0, 0, 4, 20, 3, 0x64, 0x65]);
});

test('mutating an encoded constant frame does not change later encodings', () => {
  encodeMessage({ type: 'unchoke' }).fill(9);
  assert.deepEqual([...encodeMessage({ type: 'unchoke' })], [0, 0, 0, 1, 1]);
});

test('piece header plus block equals the full piece frame', () => {
  const block = Uint8Array.from({ length: 16384 }, (_, i) => i & 0xff);
  const header = encodePieceHeader(5, 49152, block.length);
  assert.equal(header.length, 13);
  const joined = new Uint8Array(13 + block.length);
  joined.set(header); joined.set(block, 13);
  assert.deepEqual(joined, encodeMessage({ type: 'piece', index: 5, begin: 49152, block }));
});

test('empty body decodes as keep-alive', () => {
  assert.deepEqual(decodeMessage(new Uint8Array(0)), { type: 'keep-alive' });
});

test('wrong per-message sizes are rejected with bad-length:<type>', () => {
  const cases: [number[], string][] = [
    [[0, 0], 'bad-length:choke'],
    [[1, 0], 'bad-length:unchoke'],
    [[2, 0, 0], 'bad-length:interested'],
    [[3, 1], 'bad-length:not-interested'],
    [[4, 0, 0, 0], 'bad-length:have'],
    [[4, 0, 0, 0, 0, 0], 'bad-length:have'],
    [[6, ...new Array(11).fill(0)], 'bad-length:request'],
    [[6, ...new Array(13).fill(0)], 'bad-length:request'],
    [[7, 0, 0, 0, 0, 0, 0, 0], 'bad-length:piece'],
    [[8, ...new Array(16).fill(0)], 'bad-length:cancel'],
    [[9, 0], 'bad-length:port'],
    [[9, 0, 0, 0], 'bad-length:port'],
    [[13, 0, 0], 'bad-length:suggest'],
    [[14, 0], 'bad-length:have-all'],
    [[15, 0], 'bad-length:have-none'],
    [[16, 0, 0, 0, 0], 'bad-length:reject'],
    [[17], 'bad-length:allowed-fast'],
    [[20], 'bad-length:extended'],
  ];
  for (const [bytes, reason] of cases) {
    assert.throws(() => decodeMessage(Uint8Array.from(bytes)), (e) => e instanceof WireError && e.reason === reason, reason);
  }
});

test('unknown ids are rejected with their number', () => {
  for (const id of [10, 11, 12, 18, 19, 21, 99, 255]) {
    assert.throws(() => decodeMessage(Uint8Array.of(id)), (e) => e instanceof WireError && e.reason === `unknown-message-id:${id}`);
  }
});

test('a bitfield for more than 2^20 pieces is rejected even if the frame limit was raised', () => {
  const huge = new Uint8Array(1 + (1 << 17) + 1); huge[0] = 5;
  assert.throws(() => decodeMessage(huge), (e) => e instanceof WireError && e.reason === 'bad-length:bitfield');
  const max = new Uint8Array(1 + (1 << 17)); max[0] = 5;
  assert.equal(decodeMessage(max).type, 'bitfield');
});

test('decoding reads unsigned 32-bit fields from an offset view', () => {
  const backing = new Uint8Array(20).fill(0xaa);
  backing.set([6, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x40, 0, 0, 0, 0x40, 0], 3);
  assert.deepEqual(decodeMessage(backing.subarray(3, 16)), { type: 'request', index: 0xffffffff, begin: 0x4000, length: 0x4000 });
});

test('encoding refuses out-of-range numbers', () => {
  assert.throws(() => encodeMessage({ type: 'have', index: -1 }), RangeError);
  assert.throws(() => encodeMessage({ type: 'have', index: 2 ** 32 }), RangeError);
  assert.throws(() => encodeMessage({ type: 'request', index: 0, begin: 1.5, length: 1 }), RangeError);
  assert.throws(() => encodeMessage({ type: 'port', port: 65536 }), RangeError);
  assert.throws(() => encodeMessage({ type: 'extended', id: 256, payload: new Uint8Array(0) }), RangeError);
  assert.throws(() => encodePieceHeader(0, 0, -1), RangeError);
});
