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

  it('rejects what it cannot encode exactly', () => {
    for (const bad of [1.5, Number.NaN, 2 ** 53, -0, undefined, new Date(0), () => 1]) {
      assert.throws(() => canonicalJson({ x: bad }), /safe integer|cannot encode|plain objects/, String(bad));
    }
    let deep: unknown = 1;
    for (let i = 0; i < 12; i++) deep = [deep];
    assert.throws(() => canonicalJson(deep), /nesting/);
  });
});
