import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import { InputError } from '../../../domain/errors.ts';
import { insertSql, type RecordFields, type RecordTable } from './record-table.ts';
import { RECORD_TABLES } from './registry.ts';

/** A row just written: where it is, and the record fields derived from exactly what was stored. */
export interface WrittenRow {
  readonly kind: string;
  readonly rowId: number;
  readonly at: number;
  readonly fields: RecordFields;
}

/** Writes recordables into their kinds' tables (caller owns the transaction). */
export class RecordRowWriter {
  readonly #insert = new Map<string, { table: RecordTable<{ kind: string }>; stmt: StatementSync }>();

  constructor(db: DatabaseSync) {
    for (const [kind, table] of RECORD_TABLES) this.#insert.set(kind, { table, stmt: db.prepare(insertSql(table)) });
  }

  write(o: { readonly kind: string }): WrittenRow {
    const w = this.#insert.get(o.kind);
    if (!w) throw new InputError(`no table records kind "${o.kind}"`);
    const values: SQLInputValue[] = w.table.toRow(o);
    const rowId = Number(w.stmt.run(...values).lastInsertRowid);
    // Bound values read back as themselves (STRICT columns), so these are the fields a later read derives.
    const fields = w.table.fields(values as SQLOutputValue[]) as unknown as RecordFields;
    return { kind: o.kind, rowId, at: Number(fields[w.table.timeField]), fields };
  }
}
