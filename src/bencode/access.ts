import { type BDict, type BValue, BencodeError } from './types.ts';

/** Typed readers for decoded dictionaries; each throws a BencodeError naming the key. */
export function isDict(v: BValue | undefined): v is BDict {
  return v instanceof Map;
}

export function asDict(v: BValue | undefined, what = 'value'): BDict {
  if (!(v instanceof Map)) throw new BencodeError(`${what} is not a dictionary`, 0);
  return v;
}

export function getInt(d: BDict, key: string): number | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (typeof v === 'number') return v;
  throw new BencodeError(`"${key}" is not a safe integer`, 0);
}

export function getBytes(d: BDict, key: string): Uint8Array | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (v instanceof Uint8Array) return v;
  throw new BencodeError(`"${key}" is not a byte string`, 0);
}

export function getString(d: BDict, key: string): string | undefined {
  const b = getBytes(d, key);
  return b === undefined ? undefined : new TextDecoder('utf-8', { fatal: false }).decode(b);
}

export function getDict(d: BDict, key: string): BDict | undefined {
  const v = d.get(key);
  if (v === undefined) return undefined;
  if (v instanceof Map) return v;
  throw new BencodeError(`"${key}" is not a dictionary`, 0);
}
