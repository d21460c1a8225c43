import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '../../../src/bencode/index.ts';
import {
  METADATA_PIECE_SIZE, UnknownMetadataMessageError, WireError, decodeMetadataMessage, encodeMetadataData,
  encodeMetadataReject, encodeMetadataRequest, metadataPieceCount,
} from '../../../src/bittorrent/wire/index.ts';

const te = new TextEncoder();
const reason = (r: string) => (e: unknown) => e instanceof WireError && e.reason === r;
const withTail = (dict: Uint8Array, tail: Uint8Array) => { const o = new Uint8Array(dict.length + tail.length); o.set(dict); o.set(tail, dict.length); return o; };

test('piece count is ceil(size / 16 KiB)', () => {
  assert.equal(metadataPieceCount(0), 0);
  assert.equal(metadataPieceCount(1), 1);
  assert.equal(metadataPieceCount(METADATA_PIECE_SIZE), 1);
  assert.equal(metadataPieceCount(METADATA_PIECE_SIZE + 1), 2);
  assert.throws(() => metadataPieceCount(-1), RangeError);
});

test('request and reject round-trip and match BEP 9 bytes', () => {
  assert.equal(new TextDecoder().decode(encodeMetadataRequest(0)), 'd8:msg_typei0e5:piecei0ee');
  assert.equal(new TextDecoder().decode(encodeMetadataReject(1)), 'd8:msg_typei2e5:piecei1ee');
  assert.deepEqual(decodeMetadataMessage(encodeMetadataRequest(3)), { msgType: 'request', piece: 3 });
  assert.deepEqual(decodeMetadataMessage(encodeMetadataReject(4)), { msgType: 'reject', piece: 4 });
});

test('data messages carry the piece after the dictionary', () => {
  const total = METADATA_PIECE_SIZE + 100;
  const metadata = Uint8Array.from({ length: total }, (_, i) => (i * 7) & 0xff);
  const p0 = encodeMetadataData(0, total, metadata.subarray(0, METADATA_PIECE_SIZE));
  const p1 = encodeMetadataData(1, total, metadata.subarray(METADATA_PIECE_SIZE));
  assert.ok(new TextDecoder('latin1').decode(p1).startsWith(`d8:msg_typei1e5:piecei1e10:total_sizei${total}ee`));
  assert.deepEqual(decodeMetadataMessage(p0), { msgType: 'data', piece: 0, totalSize: total, data: metadata.subarray(0, METADATA_PIECE_SIZE) });
  assert.deepEqual(decodeMetadataMessage(p1), { msgType: 'data', piece: 1, totalSize: total, data: metadata.subarray(METADATA_PIECE_SIZE) });
});

test('data of the wrong length for its piece is refused both ways', () => {
  const total = METADATA_PIECE_SIZE + 100;
  assert.throws(() => encodeMetadataData(0, total, new Uint8Array(100)), RangeError);
  assert.throws(() => encodeMetadataData(1, total, new Uint8Array(101)), RangeError);
  assert.throws(() => encodeMetadataData(2, total, new Uint8Array(0)), RangeError);
  const dict = encode({ msg_type: 1, piece: 1, total_size: total });
  assert.throws(() => decodeMetadataMessage(withTail(dict, new Uint8Array(99))), reason('metadata:bad-data-length'));
  assert.throws(() => decodeMetadataMessage(withTail(dict, new Uint8Array(METADATA_PIECE_SIZE))), reason('metadata:bad-data-length'));
  const beyond = encode({ msg_type: 1, piece: 2, total_size: total });
  assert.throws(() => decodeMetadataMessage(withTail(beyond, new Uint8Array(1))), reason('metadata:bad-piece'));
});

test('malformed dictionaries are refused with reasons', () => {
  assert.throws(() => decodeMetadataMessage(encode({ piece: 0 })), reason('metadata:bad-msg-type'));
  assert.throws(() => decodeMetadataMessage(encode({ msg_type: 'zero', piece: 0 })), reason('metadata:bad-msg-type'));
  assert.throws(() => decodeMetadataMessage(encode({ msg_type: 0 })), reason('metadata:bad-piece'));
  assert.throws(() => decodeMetadataMessage(encode({ msg_type: 0, piece: -1 })), reason('metadata:bad-piece'));
  assert.throws(() => decodeMetadataMessage(encode({ msg_type: 0, piece: 1_000_000 })), reason('metadata:bad-piece'));
  assert.throws(() => decodeMetadataMessage(encode({ msg_type: 1, piece: 0 })), reason('metadata:bad-total-size'));
  assert.throws(() => decodeMetadataMessage(encode({ msg_type: 1, piece: 0, total_size: 2 ** 40 })), reason('metadata:bad-total-size'));
  assert.throws(() => decodeMetadataMessage(withTail(encodeMetadataRequest(0), Uint8Array.of(1))), reason('metadata:trailing-bytes'));
  assert.throws(() => decodeMetadataMessage(te.encode('li0ee')), reason('metadata:not-a-dict'));
});

test('an unknown msg_type is a distinct error, since BEP 9 says to ignore it', () => {
  assert.throws(() => decodeMetadataMessage(encode({ msg_type: 7, piece: 0 })),
    (e) => e instanceof UnknownMetadataMessageError && e.msgType === 7 && e.reason === 'metadata:unknown-msg-type:7');
});

test('invalid and hostile bencode is rejected as bencode:<...>', () => {
  const bad = (s: string) => () => decodeMetadataMessage(te.encode(s));
  const isBencode = (e: unknown) => e instanceof WireError && e.reason.startsWith('bencode:');
  assert.throws(bad(''), isBencode);
  assert.throws(bad('d8:msg_typei0e5:piecei0e'), isBencode);
  assert.throws(bad('d8:msg_typei01e5:piecei0ee'), isBencode);
  assert.throws(bad('d1:x' + 'l'.repeat(1000) + 'e'.repeat(1001)), isBencode);
  assert.throws(bad(`d1:xl${'i0e'.repeat(100)}ee`), isBencode);
  assert.throws(bad('d1:x5000:'), isBencode);
});
