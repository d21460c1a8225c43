import type { BValue } from './types.ts';

const enc = new TextEncoder();

/** A value to encode; strings are written as UTF-8, plain objects as dictionaries. */
export type Encodable =
  | number | bigint | string | Uint8Array | boolean
  | readonly Encodable[]
  | ReadonlyMap<string, Encodable | undefined>
  | { readonly [key: string]: Encodable | undefined };

/** Encodes canonically: dictionary keys sorted bytewise, undefined entries skipped. */
export function encode(value: Encodable | BValue): Uint8Array {
  const parts: Uint8Array[] = [];
  write(value as Encodable, parts);
  return concat(parts);
}

function write(v: Encodable, out: Uint8Array[]): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypeError(`bencode integers must be safe integers, got ${v}`);
    out.push(enc.encode(`i${v}e`));
  } else if (typeof v === 'bigint') {
    out.push(enc.encode(`i${v}e`));
  } else if (typeof v === 'boolean') {
    out.push(enc.encode(v ? 'i1e' : 'i0e'));
  } else if (typeof v === 'string') {
    const b = enc.encode(v);
    out.push(enc.encode(`${b.length}:`), b);
  } else if (v instanceof Uint8Array) {
    out.push(enc.encode(`${v.length}:`), v);
  } else if (Array.isArray(v)) {
    out.push(L);
    for (const item of v as readonly Encodable[]) write(item, out);
    out.push(E);
  } else {
    const entries: [string, Encodable][] = [];
    const src = v instanceof Map ? v.entries() : Object.entries(v);
    for (const [k, val] of src as Iterable<[string, Encodable | undefined]>) if (val !== undefined) entries.push([k, val]);
    // Keys from Maps are latin1 (one char per byte); object keys are ASCII in practice.
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    out.push(D);
    for (const [k, val] of entries) {
      const kb = v instanceof Map ? Buffer.from(k, 'latin1') : enc.encode(k);
      out.push(enc.encode(`${kb.length}:`), kb);
      write(val, out);
    }
    out.push(E);
  }
}

const L = Uint8Array.of(0x6c), D = Uint8Array.of(0x64), E = Uint8Array.of(0x65);

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
