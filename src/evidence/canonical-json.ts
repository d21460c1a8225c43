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
  // A scalar has no keys to order: write() it directly (a string that needs no escape is quoted as
  // is). Issue 16, chained ingest >= 50,000 deliveries/s: the record codecs call this once per field
  // (store/sqlite/record-tables/record-table.ts), and JSON.stringify of a short string costs more.
  if (typeof value !== 'object' || value === null) return write(value, 0);
  // Fast path: when every object's own keys are already in sorted order (producers build their
  // observations that way), the native JSON.stringify output IS the canonical form.
  return inCanonicalOrder(value, 0) ? JSON.stringify(value) : write(value, 0);
}

/**
 * Validates like write() (throws on the same inputs) and reports whether every object's keys
 * are enumerated in sorted order. Integer-like keys disqualify: JavaScript enumerates them first.
 */
function inCanonicalOrder(v: unknown, depth: number): boolean {
  if (depth > MAX_DEPTH) throw new CanonicalEncodingError(`nesting deeper than ${MAX_DEPTH}`);
  if (v === null) return true;
  switch (typeof v) {
    case 'string': case 'boolean': return true;
    case 'number':
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw new CanonicalEncodingError(`not a safe integer: ${v}`);
      return true;
    case 'object': {
      let ok = true;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) ok = inCanonicalOrder(v[i], depth + 1) && ok;
        return ok;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new CanonicalEncodingError('only plain objects and arrays');
      let prev: string | undefined;
      for (const k in v) {
        if (prev !== undefined && !(prev < k)) ok = false;
        if (prev === undefined && INTEGER_KEY.test(k)) ok = false;
        prev = k;
        ok = inCanonicalOrder((v as Record<string, unknown>)[k], depth + 1) && ok;
      }
      return ok;
    }
    default: throw new CanonicalEncodingError(`cannot encode ${typeof v}`);
  }
}

/** Integer-like keys (JavaScript enumerates them before the others, whatever the insertion order). */
const INTEGER_KEY = /^(0|[1-9]\d*)$/;

/** Sorted key lists by key signature: records of one kind share a shape, so sorting happens once per shape. */
const order = new Map<string, readonly string[]>();
/** Printable ASCII without `"` or `\`: JSON.stringify would return it unchanged inside quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** `"key":` prefixes, escaped once. */
const quoted = new Map<string, string>();

/**
 * One pass, no intermediate objects: keys are written in sorted order straight from the cached
 * list, so integer-like keys (which JavaScript enumerates first) need no special case.
 */
function write(v: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new CanonicalEncodingError(`nesting deeper than ${MAX_DEPTH}`);
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string': return PLAIN.test(v) ? `"${v}"` : JSON.stringify(v);
    case 'number':
      if (!Number.isSafeInteger(v) || Object.is(v, -0)) throw new CanonicalEncodingError(`not a safe integer: ${v}`);
      return String(v);
    case 'boolean': return v ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(v)) {
        let s = '[';
        for (let i = 0; i < v.length; i++) s += (i === 0 ? '' : ',') + write(v[i], depth + 1);
        return `${s}]`;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) throw new CanonicalEncodingError('only plain objects and arrays');
      const keys = sortedKeys(v as Record<string, unknown>);
      let s = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        let q = quoted.get(k);
        if (q === undefined) { q = `${JSON.stringify(k)}:`; if (quoted.size < 4096) quoted.set(k, q); }
        s += (i === 0 ? '' : ',') + q + write((v as Record<string, unknown>)[k], depth + 1);
      }
      return `${s}}`;
    }
    default: throw new CanonicalEncodingError(`cannot encode ${typeof v}`);
  }
}

/** RFC 8785 section 3.2.3: keys sorted by UTF-16 code units, which is what Array.prototype.sort does. */
function sortedKeys(v: Record<string, unknown>): readonly string[] {
  const keys = Object.keys(v);
  // Cheap shape key; a hit is confirmed (same count and every cached key present = same key set).
  const sig = `${keys.length}\u0000${keys[0]}\u0000${keys[keys.length - 1]}`;
  const cached = order.get(sig);
  if (cached && cached.length === keys.length && cached.every((k) => Object.hasOwn(v, k))) return cached;
  const sorted = keys.sort();
  if (order.size < 1024) order.set(sig, sorted);
  return sorted;
}
