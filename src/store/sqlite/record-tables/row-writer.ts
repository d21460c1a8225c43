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

/** The second step of work begun on rows before their inserts (the evidence chain: EvidenceLog.beginAppend). */
export interface AppendCompletion {
  /** After the inserts, inside the transaction: a throw rolls the batch back. */
  written(rows: readonly WrittenRow[]): void;
  /** The inserts failed and the batch rolls back: release what the first step started. */
  cancel(): void;
}

/**
 * Writes recordables into their kinds' tables (the caller owns the transaction), in two steps so
 * that work on the values (the evidence chain) can start before the inserts: prepare() converts and
 * checks a recordable's values, insert() writes them.
 */
export class RecordRowWriter {
  readonly #db: DatabaseSync;
  /** Insert statements, prepared on a kind's first row: a database migrated to an older schema (tests) lacks later kinds' tables. */
  readonly #insert = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  prepare(o: { readonly kind: string }): PendingRow {
    const codec = RECORD_CODECS.get(o.kind);
    if (!codec) throw new InputError(`no table records kind "${o.kind}"`);
    return { codec, kind: o.kind, values: codec.toRow(o) };
  }

  insert(p: PendingRow): WrittenRow {
    let stmt = this.#insert.get(p.kind);
    if (!stmt) this.#insert.set(p.kind, stmt = this.#db.prepare(p.codec.insertSql));
    return { ...p, rowId: Number(stmt.run(...p.values).lastInsertRowid) };
  }

  write(o: { readonly kind: string }): WrittenRow {
    return this.insert(this.prepare(o));
  }

  /**
   * Writes `items` in order (the caller owns the transaction): `begin` sees the rows before their
   * inserts and starts what may overlap them, and each completion it returns gets the written rows
   * after them. A failed insert or completion cancels the completions not yet run, then throws.
   */
  writeAll(items: readonly { readonly kind: string }[], begin: (pending: readonly PendingRow[]) => readonly (AppendCompletion | undefined)[]): WrittenRow[] {
    const pending = items.map((o) => this.prepare(o));
    const completions = begin(pending);
    let rows: WrittenRow[];
    try {
      rows = pending.map((p) => this.insert(p));
    } catch (e) {
      for (const c of completions) c?.cancel();
      throw e;
    }
    for (let i = 0; i < completions.length; i++) {
      try {
        completions[i]?.written(rows);
      } catch (e) {
        for (const c of completions.slice(i + 1)) c?.cancel();
        throw e;
      }
    }
    return rows;
  }
}
