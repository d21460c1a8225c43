import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import type { CanonicalValue } from '../../../evidence/canonical-json.ts';

/** The fields a chained record holds under `obs`: a recordable without its `kind`, keys in sorted order. */
export type RecordFields = { readonly [k: string]: CanonicalValue };

/**
 * One recordable kind's table, as the evidence chain sees it. The chained bytes are derived from the
 * values the row stores (`fields(toRow(o))` at ingest, `fields(row)` at export), so the text can be
 * re-derived from the row at any time and a row edited after the fact no longer matches its chained
 * hash. SQLite STRICT tables return exactly the values bound (INTEGER, TEXT, BLOB), which makes the
 * round trip exact; test/unit/store/record-tables.test.ts holds every kind to it.
 */
export interface RecordTable<O extends { readonly kind: string }> {
  readonly kind: O['kind'];
  readonly table: string;
  /** Stored columns, in toRow() order (the table's `id` is the rowid and not listed). */
  readonly columns: readonly string[];
  /** Column and field holding the record's UTC ms instant (the record's `at`). */
  readonly timeColumn: string;
  readonly timeField: string;
  readonly ipColumn?: string;
  readonly decoyColumn?: string;
  toRow(o: O): SQLInputValue[];
  /** The record fields from stored values (toRow order); keys written in sorted order. */
  fields(row: readonly SQLOutputValue[]): Omit<O, 'kind'>;
}

/** INSERT with positional parameters: binding by name costs ~6 µs more per 23-column row (bench/chain.bench.ts). */
export const insertSql = (t: RecordTable<{ kind: string }>): string =>
  `INSERT INTO ${t.table} (${t.columns.join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`;

export const selectByIdSql = (t: RecordTable<{ kind: string }>): string =>
  `SELECT ${t.columns.join(', ')} FROM ${t.table} WHERE id = ?`;

// Readers for stored values (STRICT columns: number for INTEGER, string for TEXT, Uint8Array for BLOB).
export const int = (v: SQLOutputValue | undefined): number => Number(v);
export const optInt = (v: SQLOutputValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));
export const text = (v: SQLOutputValue | undefined): string => String(v);
export const optText = (v: SQLOutputValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
export const bool = (v: SQLOutputValue | undefined): boolean => v === 1 || v === 1n;
export const hexOf = (v: SQLOutputValue | undefined): string => Buffer.from(v as Uint8Array).toString('hex');
