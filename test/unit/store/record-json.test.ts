import assert from 'node:assert/strict';
import type { SQLOutputValue } from 'node:sqlite';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../../src/evidence/canonical-json.ts';
import { CanonicalEncodingError } from '../../../src/evidence/errors.ts';
import { BOOL, COUNTER, HEX_BLOB, INT, OPT_CONTENT_ID, OPT_INT, OPT_NETWORK, OPT_TEXT, RANGES, TEXT, type FieldType } from '../../../src/store/sqlite/record-tables/field-types.ts';
import { RECORD_CODECS } from '../../../src/store/sqlite/record-tables/registry.ts';

/**
 * RecordCodec.json writes a record's `obs` member by member (issue 16: chained ingest >= 50,000/s);
 * the reference is the plain form, canonicalJson of the object fields() reads. Every kind, on rows
 * of random values a column could hold: the bytes must be the same.
 */

/** A small seeded PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces of text JSON escapes or that only look simple: controls, quotes, separators, lone surrogates, non-BMP, IPv6. */
const PIECES = ['', 'a', 'holiday-video-0042.mp4', '"', '\\', '/', '\n', '\t', '\r', '\b', '\f', '\u0000', '\u0001', '\u001f', '\u007f', '\u0080', 'é', 'ü', '日本', '🎥',
  '\u2028', '\u2029', '\ud800', '\udfff', '\ufeff', '\uffff', '2001:db8::1', '::ffff:198.18.0.1', 'fe80::1%eth0', '198.18.0.9', '-TR3000-', '{"a":1}', '<script>', ' '];

function text(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) s += r() < 0.8 ? PIECES[Math.floor(r() * PIECES.length)] : String.fromCharCode(Math.floor(r() * 0x10000));
  return s;
}

function int(r: () => number): number {
  const x = r();
  if (x < 0.1) return [0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 32, 2 ** 31 - 1][Math.floor(r() * 7)]!;
  const n = Math.floor(r() * 2 ** (1 + Math.floor(r() * 52)));
  return x < 0.3 && n !== 0 ? -n : n;
}

const hexOf = (r: () => number, bytes: number) => Array.from({ length: bytes }, () => Math.floor(r() * 256).toString(16).padStart(2, '0')).join('');

/** A value a column of this type could hold (and read() accepts). */
function stored(t: FieldType, r: () => number): SQLOutputValue {
  const maybeNull = (f: () => SQLOutputValue) => (r() < 0.3 ? null : f());
  switch (t) {
    case INT: case COUNTER: return int(r);
    case OPT_INT: return maybeNull(() => int(r));
    case TEXT: return text(r);
    case OPT_TEXT: return maybeNull(() => text(r));
    case BOOL: return r() < 0.5 ? 0 : 1;
    case HEX_BLOB: return Buffer.from(hexOf(r, Math.floor(r() * 24)), 'hex');
    case RANGES: return Array.from({ length: Math.floor(r() * 4) }, () => `${Math.floor(r() * 2 ** 40)}-${Math.floor(r() * 2 ** 40)}`).join(',');
    case OPT_NETWORK: return maybeNull(() => ['bittorrent', 'ed2k', 'x-1'][Math.floor(r() * 3)]!);
    case OPT_CONTENT_ID: return maybeNull(() => [`btih:${hexOf(r, 20)}`, `btmh:1220${hexOf(r, 32)}`, `ed2k:${hexOf(r, 16)}`][Math.floor(r() * 3)]!);
    default: throw new Error('a field type this test does not know: add it to stored()');
  }
}

describe('RecordCodec.json', () => {
  for (const [kind, codec] of RECORD_CODECS) {
    it(`${kind}: the same bytes as canonicalJson(fields(row)) on 3,000 random rows`, () => {
      const r = rng(16 + kind.length);
      let v2 = 0;
      for (let n = 0; n < 3000; n++) {
        const row = codec.spec.fields.map((f) => stored(f.type, r));
        // v2 fields on a v1 row are refused by both; make the row consistent half the time, else v1.
        const net = codec.spec.fields.findIndex((f) => f.since === 2 && f.name === 'network');
        if (net >= 0 && row[net] === null) codec.spec.fields.forEach((f, i) => { if (f.since === 2) row[i] = null; });
        if (net >= 0 && row[net] !== null) v2++;
        const expected = canonicalJson(codec.fields(row));
        assert.equal(codec.json(row), expected, `row ${n}: ${JSON.stringify(row)}`);
        assert.equal(codec.recordText(row, n, 'ab'.repeat(32), 'ef'.repeat(32)).includes(`"obs":${expected},`), true);
      }
      if (codec.spec.fields.some((f) => f.since === 2)) assert.ok(v2 > 500, `${kind}: too few v2 rows (${v2})`);
    });
  }

  it('refuses what fields() refuses: a v2 value on a v1 row, a stored value read() rejects', () => {
    const codec = RECORD_CODECS.get('delivery')!;
    const r = rng(7);
    const row = codec.spec.fields.map((f) => (f.since === 2 ? null : stored(f.type, r)));
    const cid = codec.spec.fields.findIndex((f) => f.name === 'contentId');
    const bad = row.slice(); bad[cid] = `btih:${'a'.repeat(40)}`;
    assert.throws(() => codec.fields(bad), CanonicalEncodingError);
    assert.throws(() => codec.json(bad), CanonicalEncodingError);
    const port = codec.spec.fields.findIndex((f) => f.name === 'remotePort');
    const bad2 = row.slice(); bad2[port] = 1.5;
    assert.throws(() => codec.json(bad2), CanonicalEncodingError);
    const ranges = codec.spec.fields.findIndex((f) => f.name === 'servedRanges');
    const bad3 = row.slice(); bad3[ranges] = '01-5';
    assert.throws(() => codec.json(bad3), CanonicalEncodingError);
  });
});
