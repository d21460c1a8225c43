import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../../src/evidence/canonical-json.ts';
import { canonicalJson as verifierCanonical } from '../../../verifier/verify.mjs';

describe('canonical JSON (RFC 8785, integers only)', () => {
  it('sorts keys by UTF-16 code units at every depth and writes no whitespace', () => {
    const v = { b: 1, a: [true, null, { z: 'x', é: 2, Z: 3 }], '10': -5 };
    const want = '{"10":-5,"a":[true,null,{"Z":3,"z":"x","é":2}],"b":1}';
    assert.equal(canonicalJson(v), want);
    assert.equal(verifierCanonical(v), want);
  });

  it('escapes strings as RFC 8785 section 3.2.2.2 says', () => {
    assert.equal(canonicalJson({ s: 'a"b\\c\n\u0001\u2028€' }), '{"s":"a\\"b\\\\c\\n\\u0001\u2028€"}');
  });

  it('writes a scalar on its own exactly as JSON.stringify does (the scalar path, issue 16)', () => {
    const pieces = ['', 'plain ascii 0-9', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udfff', '🎥', 'é', '2001:db8::1', '~'];
    for (const a of pieces) for (const b of pieces) assert.equal(canonicalJson(a + b), JSON.stringify(a + b), JSON.stringify(a + b));
    for (let c = 0; c < 0x10000; c++) assert.equal(canonicalJson(String.fromCharCode(c)), JSON.stringify(String.fromCharCode(c)), `U+${c.toString(16)}`);
    for (const v of [0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, true, false, null]) assert.equal(canonicalJson(v), JSON.stringify(v));
  });

  it('rejects what it cannot encode exactly', () => {
    for (const bad of [1.5, Number.NaN, 2 ** 53, -0, undefined, new Date(0), () => 1]) {
      assert.throws(() => canonicalJson({ x: bad }), /safe integer|cannot encode|plain objects/, String(bad));
    }
    // A scalar on its own takes the scalar path (issue 16): the same refusals.
    for (const bad of [1.5, Number.NaN, 2 ** 53, -0, undefined, () => 1, 1n, Symbol('s')]) {
      assert.throws(() => canonicalJson(bad), /safe integer|cannot encode/, String(bad));
    }
    let deep: unknown = 1;
    for (let i = 0; i < 12; i++) deep = [deep];
    assert.throws(() => canonicalJson(deep), /nesting/);
  });
});
