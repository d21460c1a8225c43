import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  HANDSHAKE_LENGTH, WireError, decodeHandshake, encodeHandshake, makeReserved, reservedFlags,
} from '../../../src/bittorrent/wire/index.ts';

const infoHash = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const peerId = new TextEncoder().encode('-CS0001-abcdefghijkl');

test('handshake round-trips and has the BEP 3 layout', () => {
  const reserved = makeReserved({ extended: true, fast: true });
  const bytes = encodeHandshake({ reserved, infoHash, peerId });
  assert.equal(bytes.length, HANDSHAKE_LENGTH);
  assert.equal(bytes[0], 19);
  assert.equal(new TextDecoder().decode(bytes.subarray(1, 20)), 'BitTorrent protocol');
  assert.deepEqual(bytes.subarray(28, 48), infoHash);
  assert.deepEqual(bytes.subarray(48, 68), peerId);
  const h = decodeHandshake(bytes);
  assert.deepEqual(h.reserved, reserved);
  assert.deepEqual(h.infoHash, infoHash);
  assert.deepEqual(h.peerId, peerId);
});

test('decoded handshake fields are copies, not views of the input', () => {
  const bytes = encodeHandshake({ reserved: makeReserved({}), infoHash, peerId });
  const h = decodeHandshake(bytes);
  bytes.fill(0xee);
  assert.deepEqual(h.infoHash, infoHash);
});

test('reserved bits follow BEP 10, BEP 6 and BEP 5', () => {
  assert.deepEqual([...makeReserved({ extended: true })], [0, 0, 0, 0, 0, 0x10, 0, 0]);
  assert.deepEqual([...makeReserved({ fast: true })], [0, 0, 0, 0, 0, 0, 0, 0x04]);
  assert.deepEqual([...makeReserved({ dht: true })], [0, 0, 0, 0, 0, 0, 0, 0x01]);
  assert.deepEqual([...makeReserved({ fast: true, dht: true })], [0, 0, 0, 0, 0, 0, 0, 0x05]);
  assert.deepEqual(reservedFlags(makeReserved({ extended: true, dht: true })), { extended: true, fast: false, dht: true });
  // Bits we do not know about are ignored, not mistaken for ours.
  assert.deepEqual(reservedFlags(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xef, 0xff, 0xfa)), { extended: false, fast: false, dht: false });
});

test('wrong length and wrong protocol string are rejected with a reason', () => {
  const good = encodeHandshake({ reserved: makeReserved({}), infoHash, peerId });
  assert.throws(() => decodeHandshake(good.subarray(0, 67)), (e) => e instanceof WireError && e.reason === 'bad-handshake-length');
  const longer = new Uint8Array(69); longer.set(good);
  assert.throws(() => decodeHandshake(longer), (e) => e instanceof WireError && e.reason === 'bad-handshake-length');
  const badLen = good.slice(); badLen[0] = 18;
  assert.throws(() => decodeHandshake(badLen), (e) => e instanceof WireError && e.reason === 'bad-protocol-string');
  const badText = good.slice(); badText[5] = 0x78;
  assert.throws(() => decodeHandshake(badText), (e) => e instanceof WireError && e.reason === 'bad-protocol-string');
});

test('encoding refuses fields of the wrong size', () => {
  assert.throws(() => encodeHandshake({ reserved: new Uint8Array(7), infoHash, peerId }), RangeError);
  assert.throws(() => encodeHandshake({ reserved: new Uint8Array(8), infoHash: new Uint8Array(32), peerId }), RangeError);
  assert.throws(() => encodeHandshake({ reserved: new Uint8Array(8), infoHash, peerId: new Uint8Array(19) }), RangeError);
});
