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
  readonly #insert = new Map<string, { codec: RecordCodec; stmt: StatementSync }>();

  constructor(db: DatabaseSync) {
    for (const [kind, codec] of RECORD_CODECS) this.#insert.set(kind, { codec, stmt: db.prepare(codec.insertSql) });
  }

  prepare(o: { readonly kind: string }): PendingRow {
    const w = this.#insert.get(o.kind);
    if (!w) throw new InputError(`no table records kind "${o.kind}"`);
    return { codec: w.codec, kind: o.kind, values: w.codec.toRow(o) };
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
