import assert from 'node:assert/strict';
import { it } from 'node:test';
import { canonicalJson } from '../../../src/evidence/canonical-json.ts';

/** An independent, obviously-correct RFC 8785 (integers only) encoder to compare against. */
function reference(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
  return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${reference((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

it('sorted and unsorted key orders, integer-like keys, escapes and nesting all encode as RFC 8785', () => {
  const cases: unknown[] = [
    { a: 1, b: 'x', c: [1, [2, 3]], d: { e: null, f: true } },            // already sorted: native fast path
    { d: { f: true, e: null }, c: [1, [2, 3]], b: 'x', a: 1 },            // unsorted: the writer
    { 10: 'ten', 2: 'two', a: 'a' },                                      // integer-like keys enumerate first in JS
    { a: 'quote " backslash \\ newline \n tab \t', b: 'ü é 😀 \u0001', c: '' },
    { z: [{ y: 1, x: 2 }, { w: 3 }], a: [] },                             // unsorted objects inside a sorted one's array
  ];
  for (const c of cases) assert.equal(canonicalJson(c), reference(c), JSON.stringify(c));
});

it('rejects the same inputs on both paths', () => {
  for (const bad of [{ a: 1.5 }, { b: 1, a: 1.5 }, { a: 2 ** 53 }, { a: -0 }, { a: undefined }, { a: new Date(0) }, { a: () => 1 }]) {
    assert.throws(() => canonicalJson(bad), JSON.stringify(Object.keys(bad)));
  }
});
