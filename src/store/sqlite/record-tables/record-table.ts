import type { DatabaseSync, SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { canonicalJson } from '../../../evidence/canonical-json.ts';
import { RECORD_VERSION, RECORD_VERSION_NETWORK, recordTextOfJson, type RecordVersion } from '../../../evidence/record.ts';
import { CanonicalEncodingError } from '../../../evidence/errors.ts';
import type { FieldType } from './field-types.ts';

/** One record field: its name in the record and the domain object, its column, and how it is stored. */
export interface FieldSpec {
  readonly name: string;
  readonly column: string;
  readonly type: FieldType;
  /**
   * The record schema version that added the field (evidence/record.ts): a v2 field is in the record
   * only when the row's `network` is set, which makes it a v2 record; rows without stay v1.
   */
  readonly since?: typeof RECORD_VERSION_NETWORK;
}

/**
 * One recordable kind's table, as the evidence chain sees it. The chained bytes are derived from the
 * values the row stores (at ingest from the values bound, at export from the values read), so a
 * record's text can be re-derived from its row at any time, and a row edited after the fact no
 * longer matches its chained hash. SQLite STRICT tables return exactly the values bound (INTEGER,
 * TEXT, BLOB), which makes the round trip exact; test/unit/store/record-tables.test.ts holds every
 * kind to it.
 */
export interface RecordTable<O extends { readonly kind: string }> {
  readonly kind: O['kind'];
  readonly table: string;
  /** Every field but `kind`, sorted by name (RFC 8785 key order): the column order of every statement. */
  readonly fields: readonly FieldSpec[];
  /** Field holding the record's UTC ms instant (the record's `at`). */
  readonly timeField: string;
  readonly ipField?: string;
  /** A source network's address (aggregates): the record is filed under "net:<address>" (evidence/key-index.ts). */
  readonly networkField?: string;
  readonly decoyField?: string;
}

export type AnyRecordTable = RecordTable<{ readonly kind: string }>;

type Value = SQLOutputValue | SQLInputValue;

/** A RecordTable with its statements' SQL and its per-row functions, derived once from the spec. */
export class RecordCodec {
  readonly spec: AnyRecordTable;
  readonly insertSql: string;
  readonly selectByIdSql: string;
  readonly timeIndex: number;
  readonly #names: readonly string[];
  readonly #types: readonly FieldType[];
  /** Per field: added by record schema v2. */
  readonly #v2: readonly boolean[];
  /** Column of the v2 `network` field (-1: this kind's records are always v1). */
  readonly #networkIndex: number;
  readonly #contentIdIndex: number;
  /** Per field: its `"name":` prefix in the record's canonical JSON (JSON.stringify of the name, then a colon). */
  readonly #members: readonly string[];

  constructor(spec: AnyRecordTable) {
    const names = spec.fields.map((f) => f.name);
    if (names.some((n, i) => i > 0 && !(names[i - 1]! < n))) throw new Error(`${spec.table}: fields must be sorted by name and unique`);
    this.spec = spec;
    this.#names = names;
    this.#types = spec.fields.map((f) => f.type);
    this.#members = names.map((n) => `${JSON.stringify(n)}:`);
    this.#v2 = spec.fields.map((f) => f.since === RECORD_VERSION_NETWORK);
    this.#networkIndex = spec.fields.findIndex((f) => f.name === 'network' && f.since === RECORD_VERSION_NETWORK);
    this.#contentIdIndex = spec.fields.findIndex((f) => f.name === 'contentId' && f.since === RECORD_VERSION_NETWORK);
    const cols = spec.fields.map((f) => f.column);
    // Positional parameters: binding by name costs ~6 µs more per 24-column row (bench/chain.bench.ts).
    this.insertSql = `INSERT INTO ${spec.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`;
    this.selectByIdSql = `SELECT ${cols.join(', ')} FROM ${spec.table} WHERE id = ?`;
    this.timeIndex = names.indexOf(spec.timeField);
    if (this.timeIndex < 0) throw new Error(`${spec.table}: no time field ${spec.timeField}`);
  }

  column(name: string): string {
    const f = this.spec.fields.find((x) => x.name === name);
    if (!f) throw new Error(`${this.spec.table}: no field ${name}`);
    return f.column;
  }

  get columns(): readonly string[] { return this.spec.fields.map((f) => f.column); }

  toRow(o: object): SQLInputValue[] {
    const out = new Array<SQLInputValue>(this.#names.length);
    for (let i = 0; i < out.length; i++) out[i] = this.#types[i]!.toSql((o as Record<string, unknown>)[this.#names[i]!]);
    // A content id without its network would be a v1 row whose content id no record holds.
    if (this.#contentIdIndex >= 0 && out[this.#contentIdIndex] !== null && out[this.#networkIndex] === null) {
      throw new CanonicalEncodingError(`${this.spec.table}: content id ${String(out[this.#contentIdIndex])} without a network`);
    }
    return out;
  }

  /** The record schema version of a row: v2 when it names its network (evidence/record.ts). */
  version(row: readonly Value[]): RecordVersion {
    return this.#networkIndex >= 0 && row[this.#networkIndex] !== null && row[this.#networkIndex] !== undefined ? RECORD_VERSION_NETWORK : RECORD_VERSION;
  }

  /** The domain object (kind included) from stored values; a v1 row's has no network or contentId. */
  read(row: readonly SQLOutputValue[]): Record<string, unknown> {
    return { kind: this.spec.kind, ...this.fields(row) };
  }

  /**
   * The record's fields (`obs`: everything but kind) from stored or bound values, built in name
   * order, which is RFC 8785 key order: canonicalJson then writes them with its native fast path.
   */
  fields(row: readonly Value[]): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    const v1 = this.version(row) === RECORD_VERSION;
    for (let i = 0; i < this.#names.length; i++) {
      if (v1 && this.#v2[i]) {
        // A v1 row holds no v2 value: one would be chained nowhere.
        if (row[i] !== null && row[i] !== undefined) throw new CanonicalEncodingError(`${this.spec.table}: ${this.#names[i]} set on a v1 row`);
        continue;
      }
      o[this.#names[i]!] = this.#types[i]!.read(row[i] as SQLOutputValue);
    }
    return o;
  }

  /** Rows matching `where` (SQL over this table's columns), read back as domain objects. */
  query(db: DatabaseSync, where: string, args: readonly (string | number)[], orderBy: string, limit: number): Record<string, unknown>[] {
    const st = db.prepare(`SELECT ${this.columns.join(', ')} FROM ${this.spec.table} ${where ? `WHERE ${where}` : ''} ORDER BY ${orderBy} LIMIT ?`);
    st.setReturnArrays(true);
    return (st.all(...args, limit) as unknown as SQLOutputValue[][]).map((r) => this.read(r));
  }

  /** The chained record text (evidence/record.ts) of a row, from stored or bound values. */
  recordText(row: readonly Value[], seq: number, prev: string, node: string): string {
    return recordTextOfJson(this.spec.kind, row[this.timeIndex], this.json(row), seq, prev, node, this.version(row));
  }

  /**
   * Canonical JSON of the record fields (`obs`), from stored or bound values: the same bytes as
   * canonicalJson(this.fields(row)) (test/unit/store/record-json.test.ts compares the two on
   * randomized rows), written member by member. RFC 8785 writes an object as `{`, its members sorted
   * by key (section 3.2.3) as `"key":value` joined by commas, then `}`; the fields are already in
   * that order (checked by the constructor), each value is read exactly as fields() reads it and
   * written by canonicalJson, the one canonical-JSON writer.
   * Issue 16: chained ingest >= 50,000 deliveries/s. Building the intermediate object and walking it
   * again to check its key order cost about a third of the chain's time (bench/chain.bench.ts).
   */
  json(row: readonly Value[]): string {
    const v1 = this.version(row) === RECORD_VERSION;
    let s = '{';
    for (let i = 0; i < this.#names.length; i++) {
      if (v1 && this.#v2[i]) {
        // A v1 row holds no v2 value: one would be chained nowhere.
        if (row[i] !== null && row[i] !== undefined) throw new CanonicalEncodingError(`${this.spec.table}: ${this.#names[i]} set on a v1 row`);
        continue;
      }
      s += (s.length === 1 ? '' : ',') + this.#members[i] + canonicalJson(this.#types[i]!.read(row[i] as SQLOutputValue));
    }
    return `${s}}`;
  }
}
