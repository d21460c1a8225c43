import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { InputError } from '../../../domain/errors.ts';
import type { RecordCodec } from './record-table.ts';
import { RECORD_CODECS } from './registry.ts';

/** A row about to be written: its kind's codec and the values it binds (which read back as themselves). */
export interface PendingRow {
  readonly codec: RecordCodec;
  readonly kind: string;
  readonly values: readonly SQLInputValue[];
}

/** A row just written: where it is, and the values bound. */
export interface WrittenRow extends PendingRow {
  readonly rowId: number;
}

/**
 * Writes recordables into their kinds' tables (the caller owns the transaction): prepare() converts and
 * checks a recordable's values, insert() writes them. A value the record could not hold exactly is
 * refused by prepare(), before anything of the batch is inserted.
 */
export class RecordRowWriter {
  readonly #db: DatabaseSync;
  readonly #insert = new Map<string, { codec: RecordCodec; stmt: StatementSync }>();

  constructor(db: DatabaseSync) { this.#db = db; }

  prepare(o: { readonly kind: string }): PendingRow {
    const w = this.#writerOf(o.kind);
    return { codec: w.codec, kind: o.kind, values: w.codec.toRow(o) };
  }

  /** A kind's insert statement is prepared on first use: a database at an older schema (a migration test) lacks later kinds' tables. */
  #writerOf(kind: string): { codec: RecordCodec; stmt: StatementSync } {
    let w = this.#insert.get(kind);
    if (w) return w;
    const codec = RECORD_CODECS.get(kind);
    if (!codec) throw new InputError(`no table records kind "${kind}"`);
    w = { codec, stmt: this.#db.prepare(codec.insertSql) };
    this.#insert.set(kind, w);
    return w;
  }

  insert(p: PendingRow): WrittenRow {
    const w = this.#insert.get(p.kind)!;
    return { ...p, rowId: Number(w.stmt.run(...p.values).lastInsertRowid) };
  }

  write(o: { readonly kind: string }): WrittenRow {
    return this.insert(this.prepare(o));
  }

  /**
   * Writes `items` in order (the caller owns the transaction), every one checked before the first
   * insert, then hands the written rows to `after` (the evidence chain), still in the transaction:
   * a throw anywhere rolls the whole batch back.
   */
  writeAll(items: readonly { readonly kind: string }[], after: (rows: readonly WrittenRow[]) => void): WrittenRow[] {
    const pending = items.map((o) => this.prepare(o));
    const rows = pending.map((p) => this.insert(p));
    after(rows);
    return rows;
  }
}
