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
  // Fast path: rebuild the value with keys in sorted order, then let the native JSON.stringify
  // write it (same string escapes, RFC 8785 section 3.2.2.2). Objects with integer-like keys are
  // excluded because JavaScript enumerates those first whatever their insertion order.
  const sorted = sortDeep(value, 0);
  return sorted === SLOW ? enc(value, 0) : JSON.stringify(sorted);
}

const SLOW = Symbol('slow');
const INTEGER_KEY = /^(0|[1-9]\d*)$/;
/** Sorted key lists by key signature: records of one kind share a shape, so sorting happens once per shape. */
const order = new Map<string, string[]>();

function sortDeep(v: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new CanonicalEncodingError(`nesting deeper than ${MAX_DEPTH}`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw new CanonicalEncodingError(`not a safe integer: ${v}`);
    return v;
  }
  if (typeof v !== 'object') throw new CanonicalEncodingError(`cannot encode ${typeof v}`);
  if (Array.isArray(v)) {
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) { const x = sortDeep(v[i], depth + 1); if (x === SLOW) return SLOW; out[i] = x; }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw new CanonicalEncodingError('only plain objects and arrays');
  const keys = Object.keys(v);
  // Cheap shape key; a hit is confirmed below (same count and every cached key present = same key set).
  const sig = `${keys.length}\u0000${keys[0]}\u0000${keys[keys.length - 1]}`;
  let sortedKeys = order.get(sig);
  if (sortedKeys && !sortedKeys.every((k) => Object.hasOwn(v, k))) sortedKeys = undefined;
  if (!sortedKeys) {
    if (keys.some((k) => INTEGER_KEY.test(k))) return SLOW;
    sortedKeys = keys.slice().sort();
    if (order.size < 1024 || order.has(sig)) order.set(sig, sortedKeys);
  }
  const out: Record<string, unknown> = {};
  for (const k of sortedKeys) { const x = sortDeep((v as Record<string, unknown>)[k], depth + 1); if (x === SLOW) return SLOW; out[k] = x; }
  return out;
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
