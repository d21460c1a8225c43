import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { InputError } from '../../../domain/errors.ts';
import type { RecordCodec } from './record-table.ts';
import { RECORD_CODECS } from './registry.ts';

/** A row just written: where it is, and the values bound (which read back as themselves). */
export interface WrittenRow {
  readonly codec: RecordCodec;
  readonly rowId: number;
  readonly values: readonly SQLInputValue[];
}

/** Writes recordables into their kinds' tables (the caller owns the transaction). */
export class RecordRowWriter {
  readonly #insert = new Map<string, { codec: RecordCodec; stmt: StatementSync }>();

  constructor(db: DatabaseSync) {
    for (const [kind, codec] of RECORD_CODECS) this.#insert.set(kind, { codec, stmt: db.prepare(codec.insertSql) });
  }

  write(o: { readonly kind: string }): WrittenRow {
    const w = this.#insert.get(o.kind);
    if (!w) throw new InputError(`no table records kind "${o.kind}"`);
    const values = w.codec.toRow(o);
    return { codec: w.codec, rowId: Number(w.stmt.run(...values).lastInsertRowid), values };
  }
}
