import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rc4 } from '../../../src/bittorrent/mse/rc4.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

test('RC4 matches the classic published vectors', () => {
  assert.equal(hex(new Rc4(ascii('Key')).process(ascii('Plaintext'))), 'bbf316e8d940af0ad3');
  assert.equal(hex(new Rc4(ascii('Wiki')).process(ascii('pedia'))), '1021bf0420');
  assert.equal(hex(new Rc4(ascii('Secret')).process(ascii('Attack at dawn'))), '45a01f645fc35b383552544b9bf5');
});

// RFC 6229 section 2: keystream at the given offsets for key 0x0102030405 (40-bit).
const RFC6229_40BIT: [number, string][] = [
  [0, 'b2396305f03dc027ccc3524a0a1118a8'],
  [16, '6982944f18fc82d589c403a47a0d0919'],
  [240, '28cb1132c96ce286421dcaadb8b69eae'],
  [256, '1cfcf62b03eddb641d77dfcf7f8d8c93'],
  [1008, '45129048e6a0ed0b56b490338f078da5'],
  [1024, '30abbcc7c20b01609f23ee2d5f6bb7df'],
  [1536, 'd8729db41882259bee4f825325f5a130'],
  [4096, 'ff25b58995996707e51fbdf08b34d875'],
];

test('RC4 keystream matches RFC 6229 (40-bit key) at every listed offset', () => {
  const key = new Uint8Array([1, 2, 3, 4, 5]);
  const stream = new Rc4(key).process(new Uint8Array(4112));
  for (const [off, want] of RFC6229_40BIT) assert.equal(hex(stream.subarray(off, off + 16)), want, `offset ${off}`);
});

test('RC4 with a 256-bit key matches RFC 6229', () => {
  const key = new Uint8Array(32).map((_, i) => i + 1);
  const stream = new Rc4(key).process(new Uint8Array(4112));
  assert.equal(hex(stream.subarray(0, 16)), 'eaa6bd25880bf93d3f5d1e4ca2611d91');
  assert.equal(hex(stream.subarray(1024, 1040)), '7fec5bfd9f9b89ce6548309092d7e958');
  assert.equal(hex(stream.subarray(4096, 4112)), 'f3e4c0a2e02d1d01f7f0a74618af2b48');
});

test('discard(n) advances the stream exactly like processing n bytes', () => {
  const key = new Uint8Array([1, 2, 3, 4, 5]);
  const r = new Rc4(key);
  r.discard(1024);
  assert.equal(hex(r.process(new Uint8Array(16))), '30abbcc7c20b01609f23ee2d5f6bb7df');
});

test('processing in uneven chunks equals one pass, and the input is not modified', () => {
  const data = new Uint8Array(3000).map((_, i) => (i * 7) & 0xff);
  const copy = data.slice();
  const whole = new Rc4(ascii('chunky')).process(data);
  const r = new Rc4(ascii('chunky'));
  const parts: Uint8Array[] = [];
  for (let off = 0, step = 1; off < data.length; off += step, step = (step * 3) % 257 + 1) {
    parts.push(r.process(data.subarray(off, Math.min(data.length, off + step))));
  }
  assert.deepEqual(new Uint8Array(Buffer.concat(parts)), whole);
  assert.deepEqual(data, copy);
  assert.deepEqual(new Rc4(ascii('chunky')).process(whole), data, 'RC4 is its own inverse');
});

test('bad keys and discard counts are rejected', () => {
  assert.throws(() => new Rc4(new Uint8Array(0)), RangeError);
  assert.throws(() => new Rc4(new Uint8Array(257)), RangeError);
  assert.throws(() => new Rc4(ascii('k')).discard(-1), RangeError);
});
