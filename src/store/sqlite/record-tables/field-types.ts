import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { evidenceCounter } from '../../../domain/observation.ts';
import { CanonicalEncodingError } from '../../../evidence/errors.ts';
import { formatRanges, parseRanges } from '../../ranges.ts';

/**
 * How one record field is stored in its column and written in canonical JSON. Each type maps a
 * domain value to an SQL value (toSql), an SQL value back to the domain value (read), and an SQL
 * value straight to its canonical JSON text (json): the same text canonicalJson() gives for read(v),
 * without building the object (test/unit/store/record-tables.test.ts checks that equality).
 * toSql refuses what the record could not hold exactly, so every stored row can be encoded: a row is
 * written only if its record can be chained.
 */
export interface FieldType {
  toSql(v: unknown): SQLInputValue;
  read(v: SQLOutputValue | undefined): unknown;
  json(v: SQLOutputValue | undefined): string;
}

/** Printable ASCII without `"` or `\`: JSON.stringify would return it unchanged inside quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const jsonString = (s: string) => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

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

export const INT: FieldType = { toSql: safeInt, read: safeInt, json: (v) => String(safeInt(v)) };
export const OPT_INT: FieldType = {
  toSql: (v) => (isNull(v) ? null : safeInt(v)), read: (v) => (isNull(v) ? null : safeInt(v)), json: (v) => (isNull(v) ? 'null' : String(safeInt(v))),
};
export const TEXT: FieldType = { toSql: str, read: str, json: (v) => jsonString(str(v)) };
export const OPT_TEXT: FieldType = {
  toSql: (v) => (isNull(v) ? null : str(v)), read: (v) => (isNull(v) ? null : str(v)), json: (v) => (isNull(v) ? 'null' : jsonString(str(v))),
};
/** Booleans as INTEGER 0/1. */
export const BOOL: FieldType = {
  toSql: (v) => { if (typeof v !== 'boolean') throw new CanonicalEncodingError(`not a boolean: ${String(v)}`); return v ? 1 : 0; },
  read: (v) => boolOf(v),
  json: (v) => (boolOf(v) ? 'true' : 'false'),
};
function boolOf(v: unknown): boolean {
  if (v === 1 || v === 1n) return true;
  if (v === 0 || v === 0n) return false;
  throw new CanonicalEncodingError(`not a stored boolean: ${String(v)}`);
}
/** Lowercase hex in the record, raw bytes (BLOB) in the column. */
export const HEX_BLOB: FieldType = {
  toSql: (v) => { const s = str(v); if (!/^(?:[0-9a-f]{2})*$/.test(s)) throw new CanonicalEncodingError(`not lowercase hex: ${s}`); return Buffer.from(s, 'hex'); },
  read: (v) => hexOf(v),
  json: (v) => `"${hexOf(v)}"`,
};
function hexOf(v: unknown): string {
  if (!(v instanceof Uint8Array)) throw new CanonicalEncodingError('not a stored BLOB');
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
}
/** Byte counters from peers: exact up to 2^53 - 1, else -1 (evidenceCounter). */
export const COUNTER: FieldType = {
  toSql: (v) => (typeof v === 'number' ? evidenceCounter(v) : -1), read: safeInt, json: (v) => String(safeInt(v)),
};
/** Half-open byte ranges as "0-16384,32768-49152" in the column, [[0,16384],[32768,49152]] in the record. */
const RANGES_TEXT = /^(?:(?:0|[1-9]\d{0,15})-(?:0|[1-9]\d{0,15})(?:,(?=.)|$))*$/;
export const RANGES: FieldType = {
  toSql: (v) => {
    if (!Array.isArray(v)) throw new CanonicalEncodingError('ranges: not an array');
    for (const r of v as unknown[]) if (!Array.isArray(r) || r.length !== 2 || safeInt(r[0]) < 0 || safeInt(r[1]) < 0) throw new CanonicalEncodingError(`bad range ${JSON.stringify(r)}`);
    return formatRanges(v as readonly (readonly [number, number])[]);
  },
  read: (v) => parseRanges(str(v)).map(([a, b]) => [safeInt(a), safeInt(b)]),
  json: (v) => {
    const s = str(v);
    if (!RANGES_TEXT.test(s)) throw new CanonicalEncodingError(`bad stored ranges "${s}"`);
    if (s === '') return '[]';
    for (const part of s.split(/[-,]/)) safeInt(Number(part));
    return `[[${s.replaceAll(',', '],[').replaceAll('-', ',')}]]`;
  },
};
