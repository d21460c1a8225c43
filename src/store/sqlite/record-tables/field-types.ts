import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { isContentId, isNetworkName } from '../../../domain/content-id.ts';
import { evidenceCounter } from '../../../domain/observation.ts';
import { CanonicalEncodingError } from '../../../evidence/errors.ts';
import { formatRanges, parseRanges } from '../../ranges.ts';

/**
 * How one record field is stored in its column. Each type maps a domain value to an SQL value
 * (toSql) and an SQL value back to the domain value (read); the record's text is canonicalJson() of
 * the values read (RecordCodec.json). toSql refuses what the record could not hold exactly, and read
 * refuses what a row could not have been written with, so every stored row can be encoded, a row is
 * written only if its record can be chained, and a row edited into another spelling of the same value
 * is refused rather than read as the original.
 */
export interface FieldType {
  toSql(v: unknown): SQLInputValue;
  read(v: SQLOutputValue | undefined): unknown;
}

function safeInt(v: unknown): number {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || Object.is(n, -0)) throw new CanonicalEncodingError(`not a safe integer: ${String(v)}`);
  return n;
}
function str(v: unknown): string {
  if (typeof v !== 'string') throw new CanonicalEncodingError(`not a string: ${String(v)}`);
  return v;
}
const isNull = (v: unknown) => v === null || v === undefined;

export const INT: FieldType = { toSql: safeInt, read: safeInt };
export const OPT_INT: FieldType = {
  toSql: (v) => (isNull(v) ? null : safeInt(v)), read: (v) => (isNull(v) ? null : safeInt(v)),
};
export const TEXT: FieldType = { toSql: str, read: str };
export const OPT_TEXT: FieldType = {
  toSql: (v) => (isNull(v) ? null : str(v)), read: (v) => (isNull(v) ? null : str(v)),
};
/** Booleans as INTEGER 0/1. */
export const BOOL: FieldType = {
  toSql: (v) => { if (typeof v !== 'boolean') throw new CanonicalEncodingError(`not a boolean: ${String(v)}`); return v ? 1 : 0; },
  read: (v) => boolOf(v),
};
function boolOf(v: unknown): boolean {
  if (v === 1 || v === 1n) return true;
  if (v === 0 || v === 0n) return false;
  throw new CanonicalEncodingError(`not a stored boolean: ${String(v)}`);
}
/** Lowercase hex in the record, raw bytes (BLOB) in the column. */
export const HEX_BLOB: FieldType = {
  toSql: (v) => { const s = str(v); if (!/^(?:[0-9a-f]{2})*$/.test(s)) throw new CanonicalEncodingError(`not lowercase hex: ${s}`); return Buffer.from(s, 'hex'); },
  read: (v) => { const b = blob(v); return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'); },
};
function blob(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new CanonicalEncodingError('not a stored BLOB');
  return v;
}
/** Byte counters from peers: exact up to 2^53 - 1, else -1 (evidenceCounter). */
export const COUNTER: FieldType = {
  toSql: (v) => (typeof v === 'number' ? evidenceCounter(v) : -1), read: safeInt,
};
/** Half-open byte ranges as "0-16384,32768-49152" in the column, [[0,16384],[32768,49152]] in the record. */
const RANGES_TEXT = /^(?:(?:0|[1-9]\d{0,15})-(?:0|[1-9]\d{0,15})(?:,(?=.)|$))*$/;
export const RANGES: FieldType = {
  toSql: (v) => {
    if (!Array.isArray(v)) throw new CanonicalEncodingError('ranges: not an array');
    for (const r of v as unknown[]) if (!Array.isArray(r) || r.length !== 2 || safeInt(r[0]) < 0 || safeInt(r[1]) < 0) throw new CanonicalEncodingError(`bad range ${JSON.stringify(r)}`);
    return formatRanges(v as readonly (readonly [number, number])[]);
  },
  read: (v) => {
    // Only the spelling formatRanges writes: "01-5" or "0-5," would read as a record a row never held.
    const s = str(v);
    if (!RANGES_TEXT.test(s)) throw new CanonicalEncodingError(`bad stored ranges "${s}"`);
    return parseRanges(s).map(([a, b]) => [safeInt(a), safeInt(b)]);
  },
};

/** A P2P network's name (domain/content-id.ts NetworkName), or null on rows recorded before records named it. */
const network = (v: unknown): string => { if (!isNetworkName(v)) throw new CanonicalEncodingError(`not a network name: ${String(v)}`); return v; };
export const OPT_NETWORK: FieldType = {
  toSql: (v) => (isNull(v) ? null : network(v)), read: (v) => (isNull(v) ? null : network(v)),
};
/** A network-neutral content id (btih:, btmh:, ed2k:), or null. */
const contentId = (v: unknown): string => { const s = str(v); if (!isContentId(s)) throw new CanonicalEncodingError(`not a content id: ${s}`); return s; };
export const OPT_CONTENT_ID: FieldType = {
  toSql: (v) => (isNull(v) ? null : contentId(v)), read: (v) => (isNull(v) ? null : contentId(v)),
};
