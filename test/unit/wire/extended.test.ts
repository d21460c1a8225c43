import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encode } from '../../../src/bencode/index.ts';
import {
  type ExtendedHandshake, MAX_METADATA_SIZE, WireError, decodeExtendedHandshake, encodeExtendedHandshake,
} from '../../../src/bittorrent/wire/index.ts';

const te = new TextEncoder();
const reason = (r: string) => (e: unknown) => e instanceof WireError && e.reason === r;
const reasonPrefix = (p: string) => (e: unknown) => e instanceof WireError && e.reason.startsWith(p);

test('extended handshake round-trips every field', () => {
  const h: ExtendedHandshake = {
    m: new Map([['ut_metadata', 3], ['ut_pex', 0]]),
    metadataSize: 31_337,
    uploadOnly: true,
    v: 'counterseed 0.1 ✓',
    p: 51413,
    yourip: Uint8Array.of(127, 0, 0, 1),
    reqq: 250,
  };
  assert.deepEqual(decodeExtendedHandshake(encodeExtendedHandshake(h)), h);
});

test('minimal handshake encodes canonically and omits absent keys', () => {
  const bytes = encodeExtendedHandshake({ m: new Map([['ut_metadata', 2]]), uploadOnly: false });
  assert.equal(new TextDecoder().decode(bytes), 'd1:md11:ut_metadatai2ee11:upload_onlyi0ee');
});

test('decodes a libtorrent-shaped handshake and ignores unknown keys', () => {
  const d = new Map<string, unknown>([
    ['complete_ago', -1], ['m', new Map([['lt_donthave', 7], ['ut_metadata', 2], ['ut_pex', 1]])],
    ['metadata_size', 4096], ['p', 6881], ['reqq', 500], ['v', 'libtorrent/2.0.8.0'], ['yourip', Uint8Array.of(127, 0, 0, 1)],
    ['e', 0], ['ipv6', new Uint8Array(16)], ['future', [1, 2, new Map([['x', 1]])]],
  ]);
  const h = decodeExtendedHandshake(encode(d as never));
  assert.equal(h.m.get('ut_metadata'), 2);
  assert.equal(h.m.get('lt_donthave'), 7);
  assert.equal(h.metadataSize, 4096);
  assert.equal(h.v, 'libtorrent/2.0.8.0');
  assert.equal(h.p, 6881);
  assert.equal(h.reqq, 500);
  assert.deepEqual(h.yourip, Uint8Array.of(127, 0, 0, 1));
  assert.equal(h.uploadOnly, undefined);
});

test('id 0 in m is kept: BEP 10 uses it to mean "disabled"', () => {
  const h = decodeExtendedHandshake(encode({ m: { ut_metadata: 0 } }));
  assert.equal(h.m.get('ut_metadata'), 0);
});

test('known keys with junk types are ignored as if absent', () => {
  const h = decodeExtendedHandshake(encode({
    m: { ut_metadata: 'three', ut_pex: [1], lt_donthave: 4 },
    metadata_size: 'big',
    upload_only: 'yes',
    v: 42,
    p: 70000,
    yourip: Uint8Array.of(1, 2, 3),
    reqq: -5,
  }));
  assert.deepEqual(h, { m: new Map([['lt_donthave', 4]]) });
  assert.deepEqual(decodeExtendedHandshake(encode({ m: 'not a dict' })), { m: new Map() });
  assert.deepEqual(decodeExtendedHandshake(encode({})), { m: new Map() });
});

test('bounds are enforced with reasons', () => {
  const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`x${String(i).padStart(2, '0')}`, 1]));
  assert.throws(() => decodeExtendedHandshake(encode({ m: many })), reason('bad-extended-handshake:too-many-extensions'));
  assert.throws(() => decodeExtendedHandshake(encode({ m: { a: 256 } })), reason('bad-extended-handshake:extension-id'));
  assert.throws(() => decodeExtendedHandshake(encode({ m: { a: -1 } })), reason('bad-extended-handshake:extension-id'));
  assert.throws(() => decodeExtendedHandshake(encode({ m: { a: 2n ** 60n } })), reason('bad-extended-handshake:extension-id'));
  assert.throws(() => decodeExtendedHandshake(encode({ m: {}, v: 'x'.repeat(129) })), reason('bad-extended-handshake:v-too-long'));
  assert.equal(decodeExtendedHandshake(encode({ m: {}, v: 'x'.repeat(128) })).v?.length, 128);
  assert.throws(() => decodeExtendedHandshake(encode({ m: {}, metadata_size: MAX_METADATA_SIZE + 1 })), reason('bad-extended-handshake:metadata-size'));
  assert.throws(() => decodeExtendedHandshake(encode({ m: {}, metadata_size: -1 })), reason('bad-extended-handshake:metadata-size'));
  assert.throws(() => decodeExtendedHandshake(encode({ m: {}, metadata_size: 2n ** 64n })), reason('bad-extended-handshake:metadata-size'));
  assert.equal(decodeExtendedHandshake(encode({ m: {}, metadata_size: MAX_METADATA_SIZE })).metadataSize, MAX_METADATA_SIZE);
});

test('invalid and hostile bencode is rejected as bencode:<...>', () => {
  assert.throws(() => decodeExtendedHandshake(new Uint8Array(0)), reasonPrefix('bencode:'));
  assert.throws(() => decodeExtendedHandshake(te.encode('d1:mde')), reasonPrefix('bencode:'));
  assert.throws(() => decodeExtendedHandshake(te.encode('d1:mdee trailing')), reasonPrefix('bencode:'));
  assert.throws(() => decodeExtendedHandshake(te.encode('d1:b0:1:a0:e')), reasonPrefix('bencode:unsorted key'));
  assert.throws(() => decodeExtendedHandshake(te.encode('l'.repeat(10_000) + 'e'.repeat(10_000))), reasonPrefix('bencode:nesting deeper'));
  assert.throws(() => decodeExtendedHandshake(te.encode(`d1:x${'i1e'.repeat(5000)}e`)), reasonPrefix('bencode:'));
  assert.throws(() => decodeExtendedHandshake(te.encode('d1:x999999999:ae')), reasonPrefix('bencode:string longer'));
  assert.throws(() => decodeExtendedHandshake(te.encode('le')), reason('bad-extended-handshake:not-a-dict'));
  assert.throws(() => decodeExtendedHandshake(te.encode('i1e')), reason('bad-extended-handshake:not-a-dict'));
});

test('the reason has no byte offset, so equal faults group together', () => {
  let a = '', b = '';
  try { decodeExtendedHandshake(te.encode('d1:mdeex')); } catch (e) { a = (e as WireError).reason; }
  try { decodeExtendedHandshake(te.encode('d1:md1:ai1eeex')); } catch (e) { b = (e as WireError).reason; }
  assert.equal(a, 'bencode:trailing bytes after value');
  assert.equal(a, b);
});

test('encoding refuses ids outside one byte', () => {
  assert.throws(() => encodeExtendedHandshake({ m: new Map([['ut_metadata', 256]]) }), RangeError);
});
