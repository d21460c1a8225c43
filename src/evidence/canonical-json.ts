import { CanonicalEncodingError } from './errors.ts';

/** Nesting bound: records are at most 3 levels deep; anything deeper is a bug, not data. */
const MAX_DEPTH = 8;

export type CanonicalValue = null | boolean | number | string | readonly CanonicalValue[] | { readonly [k: string]: CanonicalValue };

/**
 * The canonical encoding every hash and signature is computed over: RFC 8785 (JSON
 * Canonicalization Scheme) restricted to integers, so any JCS implementation reproduces it:
 * - object keys sorted by UTF-16 code units (RFC 8785 section 3.2.3), no whitespace;
 * - strings escaped as ECMAScript JSON.stringify does (RFC 8785 section 3.2.2.2);
 * - numbers are safe integers only (|n| < 2^53), written in decimal: no float rounding questions;
 * - undefined, NaN, Infinity, -0 and non-plain values are rejected, never silently dropped.
 * The hashed bytes are the UTF-8 encoding of the returned string.
 */
export function canonicalJson(value: unknown): string {
  return enc(value, 0);
}

function enc(v: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new CanonicalEncodingError(`nesting deeper than ${MAX_DEPTH}`);
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean': return v ? 'true' : 'false';
    case 'string': return JSON.stringify(v);
    case 'number':
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw new CanonicalEncodingError(`not a safe integer: ${v}`);
      return String(v);
    case 'object': {
      if (Array.isArray(v)) return `[${v.map((x) => enc(x, depth + 1)).join(',')}]`;
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new CanonicalEncodingError('only plain objects and arrays');
      const keys = Object.keys(v).sort();
      const parts: string[] = [];
      for (const k of keys) parts.push(`${JSON.stringify(k)}:${enc((v as Record<string, unknown>)[k], depth + 1)}`);
      return `{${parts.join(',')}}`;
    }
    default: throw new CanonicalEncodingError(`cannot encode ${typeof v}`);
  }
}
