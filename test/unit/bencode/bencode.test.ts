import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BencodeError, decode, decodePrefix, encode } from '../../../src/bencode/index.ts';

const b = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('bencode', () => {
  it('round-trips nested values canonically', () => {
    const v = encode({ z: [1, -2, 'x'], a: { n: 0, s: new Uint8Array([0, 255]) } });
    assert.equal(Buffer.from(v).toString('latin1'), 'd1:ad1:ni0e1:s2:\x00\xffe1:zli1ei-2e1:xee');
    assert.deepEqual(encode(decode(v)), v);
  });

  it('keeps binary dictionary keys byte-exact (0x80-0x9f included)', () => {
    const key = new Uint8Array(20).map((_, i) => 0x80 + i);
    const buf = new Uint8Array([...b('d20:'), ...key, ...b('i1ee')]);
    const d = decode(buf) as Map<string, number>;
    const k = [...d.keys()][0]!;
    assert.deepEqual(new Uint8Array(Buffer.from(k, 'latin1')), key);
    assert.deepEqual(encode(d), buf);
  });

  it('rejects malformed input with an offset', () => {
    for (const bad of ['i01e', 'i-0e', 'ie', 'i12', '3:ab', '-1:a', '01:a', 'd1:bi1e1:ai1ee', 'd1:ai1e1:ai1ee', 'di1ei1ee', 'l', 'x', 'i1ei2e']) {
      assert.throws(() => decode(b(bad)), BencodeError, bad);
    }
  });

  it('bounds depth, item count and string length', () => {
    assert.throws(() => decode(b(`${'l'.repeat(33)}${'e'.repeat(33)}`)), /nesting deeper than 32/);
    assert.doesNotThrow(() => decode(b(`${'l'.repeat(32)}${'e'.repeat(32)}`)));
    assert.throws(() => decode(b(`l${'i1e'.repeat(11)}e`), { maxDepth: 4, maxItems: 10, maxStringLength: 10 }), /more than 10 values/);
    assert.throws(() => decode(b('99999999999:x')), /string longer than/);
    assert.throws(() => decode(b(`i${'9'.repeat(30)}e`)), /integer too long/);
  });

  it('decodePrefix reports where the value ended (BEP 9 data messages)', () => {
    const r = decodePrefix(b('d5:piecei0eeRAW'));
    assert.equal(r.end, 12);
  });

  it('decodes big integers beyond 2^53 as bigint', () => {
    assert.equal(decode(b('i9007199254740993e')), 9007199254740993n);
  });
});
